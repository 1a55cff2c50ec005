// Private to net/: what the accept loop, the sessions and http_server share.
#pragma once

#include <beastchain/net/server.hpp>
#include <beastchain/net/tls.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "stream.hpp"

namespace beastchain::net {

/// A live session as the server sees it, so stop() can close the idle ones. Shared by the
/// registry and the session, but its fields are read and written only on the session's strand:
/// stop() posts there rather than touching the stream from whichever thread it runs on.
struct session_handle
{
    explicit session_handle(boost::asio::any_io_executor ex)
        : strand(std::move(ex))
    {}
    boost::asio::any_io_executor strand;
    detail::tcp_stream* stream = nullptr; ///< the TCP layer (under TLS when secured); null once ended
    bool busy = false;
};

struct http_server::state
{
    state(
        boost::asio::any_io_executor ex,
        const router& r,
        server_limits l,
        const access_policy& a,
        request_observer o,
        server_tls* t
    )
        : io(ex)
        , acceptor(boost::asio::make_strand(ex))
        , routes(r)
        , limits(l)
        , access(a)
        , observer(std::move(o))
        , tls(t)
        , budget(l.per_source)
        , handshakes(handshake_budget(l.per_source))
    {}

    /// TLS handshakes per source: each costs this node a key exchange and a signature before the
    /// client proves anything, so they get a budget of their own, well below the write budget;
    /// `--write-rate 0` (load tests) lifts both.
    static client_budget_settings handshake_budget(client_budget_settings s)
    {
        s.max_connections_per_source = 0; // counted by `budget`
        if (s.write_rate > 0) {
            s.write_rate = 20;
            s.write_burst = 40;
        }
        return s;
    }

    /// Handshakes in progress at once, node-wide; beyond it a ClientHello is closed unanswered,
    /// so a flood from many sources costs a bounded share of the I/O threads and of memory.
    static constexpr std::size_t max_handshakes_in_progress = 64;
    boost::asio::any_io_executor io; ///< the I/O threads' executor; each connection gets a strand of it
    boost::asio::ip::tcp::acceptor acceptor; ///< on a strand of its own: the accept loop and stop()
    const router& routes;
    server_limits limits;
    const access_policy& access;
    request_observer observer;
    server_tls* tls; ///< null: plain HTTP only
    std::atomic<std::size_t> sessions{0};
    write_load writing; ///< replies being written, for /metrics
    std::atomic<bool> stopping{false};
    // Shared by the accept loop, every session and stop(), on any I/O thread: behind `mutex`.
    // Each is held for a table lookup, once per connection or side-effecting request, never
    // across a wait.
    std::mutex mutex;
    client_budget budget;
    client_budget handshakes;
    std::size_t handshakes_in_progress = 0;
    std::unordered_map<std::uint64_t, std::shared_ptr<session_handle>> live;
    std::uint64_t next_id = 0;
    /// Sources whose failed handshake was logged (IPv4 address or IPv6 /64), so a client that
    /// retries in a loop writes one line, not one per attempt. Bounded, and forgotten hourly so
    /// a failure after a bad certificate reload is still seen: see session.cpp.
    std::unordered_set<std::string> handshake_logged;
    std::chrono::steady_clock::time_point handshake_log_reset{};
};

/// Serves one accepted connection: detects TLS when configured, then runs HTTP keep-alive.
boost::asio::awaitable<void>
serve_connection(detail::tcp_stream stream, std::shared_ptr<http_server::state> st);

/// A reply to a request that could not be parsed or must not be served; the connection closes after it.
response protocol_error(http::status status, std::string_view error, std::string_view detail);

} // namespace beastchain::net
