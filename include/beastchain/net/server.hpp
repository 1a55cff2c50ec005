// The HTTP/1.1 server: accepts connections and runs one keep-alive session coroutine per connection.
#pragma once

#include <beastchain/net/client_budget.hpp>
#include <beastchain/net/router.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace beastchain::net {

class server_tls;

struct server_limits
{
    std::size_t header_limit = 8 * 1024;  ///< request line plus headers; beyond: 431
    std::size_t body_limit = 1024 * 1024; ///< beyond: 413
    /// From the first byte of a request to the end of its headers. Together with body_timeout
    /// this defeats slowloris clients that drip bytes to hold a connection.
    std::chrono::milliseconds header_timeout{10'000};
    /// For the whole body, once the headers are in.
    std::chrono::milliseconds body_timeout{30'000};
    /// How long a keep-alive connection may sit idle between requests (and a new one before its first byte).
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds write_timeout{30'000};
    /// Beyond this many open connections new ones get a 503 and are closed.
    std::size_t max_connections = 4096;
    /// Per-source connection cap and write rate (429 beyond them); loopback exempt by default.
    client_budget_settings per_source;
};

/// Replies being written right now and their bytes: what slow readers hold. Shared text (the
/// chain) counts once per reply, so `bytes` is an upper bound of the memory they keep alive.
struct write_load
{
    std::atomic<std::uint64_t> replies{0};
    std::atomic<std::uint64_t> bytes{0};
};

/**
 * Listens on one endpoint and serves `router` on every connection.
 *
 * Each connection runs on a strand of its own, so the executor may be run by several threads:
 * requests on different connections are served in parallel, and what they share (the per-source
 * budgets, the session registry) is behind a lock.
 *
 * @par Thread Safety
 * Construct and listen before the executor's threads run; stop() may be called from any thread;
 * destroy only once those threads have stopped.
 */
class http_server
{
public:
    /// Called after each reply is written (for access logs and metrics).
    using request_observer = std::function<
        void(const request& req, const response& res, std::chrono::steady_clock::duration took)>;

    /// `access` is read by every session; it may be set (once the node knows its token) before
    /// start(), never after, and must outlive the server. With `tls`, which must also
    /// outlive it, each connection is detected as TLS or plain HTTP: TLS is served with the
    /// current certificate, plain HTTP only to loopback clients (others get 426 tls_required).
    http_server(
        boost::asio::any_io_executor ex,
        const router& routes,
        server_limits limits,
        const access_policy& access,
        request_observer observer = nullptr,
        server_tls* tls = nullptr
    );
    ~http_server();

    /// Binds and listens; throws boost::system::system_error (e.g. address in use). Returns the
    /// bound endpoint, which tells the real port when `ep` asked for port 0.
    boost::asio::ip::tcp::endpoint listen(const boost::asio::ip::tcp::endpoint& ep);

    /// Starts accepting in the background.
    void start();

    /// Stops accepting and closes idle keep-alive connections at once; a session busy with a
    /// request finishes it (replying with `Connection: close`) and then closes. The listener is
    /// closed on its strand: if the loop stops first, close_listener() does it.
    void stop();

    /// Closes the listener now, so new connections are refused rather than left in the backlog.
    /// Only while no thread runs the executor (after run() returned; the destructor calls it).
    void close_listener();

    std::size_t active_sessions() const noexcept;
    /// Lives as long as the server; read from any thread.
    const write_load& writing() const noexcept;

    struct state; // shared with the accept loop and sessions, which may outlive a stop()

private:
    std::shared_ptr<state> state_;
};

} // namespace beastchain::net
