// Per-connection session: TLS detection and handshake, timeouts on the stream, limits on the parser, JSON
// errors.
#include <beastchain/log.hpp>
#include <beastchain/net/peer_url.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <tuple>

#include "departure.hpp"
#include "handshake.hpp"
#include "serve_feed.hpp"
#include "server_state.hpp"
#include "tls_stream.hpp"

namespace beastchain::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using detail::linger_close;
using detail::tcp_stream;
using detail::tls_stream;
using detail::use_nothrow;
using detail::wait_until_client_leaves;

response protocol_error(http::status status, std::string_view error, std::string_view detail)
{
    response res = error_response(status, error, detail);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

namespace {

/// The first read of each request takes whatever has arrived up to this much (within the
/// buffer's reserve, so it never allocates); a typical request with its body fits.
constexpr std::size_t first_read_bytes = 4096;

/// A session's state that outlives the switch from TCP to TLS.
struct connection
{
    explicit connection(const server_limits& limits)
        // Bounded: the parser moves body bytes out, so the buffer only ever holds headers plus one read.
        : buffer(limits.header_limit + 64 * 1024)
    {
        // Room to read into: with none, Beast reads a large body 512 bytes per system call.
        buffer.reserve(16 * 1024);
    }
    beast::flat_buffer buffer;
    client from;
    std::uint64_t id = 0;
    std::shared_ptr<session_handle> handle; ///< what stop() sees: the stream, and whether it is busy
    bool deadline_set = false;              ///< the first request's headers are already under a deadline
    bool plain_refused = false; ///< plain HTTP from another host on a TLS node: every request gets 426
};

/// 426 for plain HTTP from another host on a TLS node (RFC 9110 asks for an Upgrade header).
response tls_required()
{
    response res = protocol_error(
        http::status::upgrade_required,
        "tls_required",
        "this node accepts plain HTTP only from its own host: use https://"
    );
    res.set(http::field::upgrade, "TLS/1.2, HTTP/1.1");
    return res;
}

/// 429 with Retry-After when the client's source has spent its write budget.
std::optional<response> too_many_writes(http_server::state& st, const asio::ip::address& source)
{
    if (st.budget.exempt(source))
        return std::nullopt; // loopback load tests take no lock per request
    std::optional<std::chrono::seconds> wait;
    {
        const std::lock_guard lock(st.mutex);
        wait = st.budget.take_write(source, client_budget::clock::now());
    }
    if (!wait)
        return std::nullopt;
    response res = error_response(
        http::status::too_many_requests,
        "rate_limited",
        "too many side-effecting requests from this address; retry after the given seconds"
    );
    res.set(http::field::retry_after, std::to_string(wait->count()));
    return res;
}

/// Maps a failed read to the reply the client should still get, if any.
std::optional<response> reply_for_read_error(const boost::system::error_code& ec)
{
    if (ec == http::error::body_limit)
        return protocol_error(
            http::status::payload_too_large, "payload_too_large", "the request body exceeds the limit"
        );
    if (ec == http::error::header_limit)
        return protocol_error(
            http::status::request_header_fields_too_large,
            "header_too_large",
            "the request header exceeds the limit"
        );
    if (ec == http::error::end_of_stream || ec == http::error::partial_message)
        return std::nullopt; // the client went away
    if (ec.category() == http::make_error_code(http::error::bad_method).category())
        return protocol_error(
            http::status::bad_request, "bad_request", "malformed HTTP request: " + ec.message()
        );
    return std::nullopt; // timeouts, resets: nobody to answer
}

/// Counts a reply in `load` for as long as it is being written, however the write ends.
class writing_scope
{
public:
    writing_scope(write_load& load, std::uint64_t bytes)
        : load_(load)
        , bytes_(bytes)
    {
        load_.replies.fetch_add(1, std::memory_order_relaxed);
        load_.bytes.fetch_add(bytes_, std::memory_order_relaxed);
    }
    ~writing_scope()
    {
        load_.replies.fetch_sub(1, std::memory_order_relaxed);
        load_.bytes.fetch_sub(bytes_, std::memory_order_relaxed);
    }
    writing_scope(const writing_scope&) = delete;
    writing_scope& operator=(const writing_scope&) = delete;

private:
    write_load& load_;
    std::uint64_t bytes_;
};

template <class Stream>
asio::awaitable<void> write_response(Stream& stream, response& res, const server_limits& limits)
{
    beast::get_lowest_layer(stream).expires_after(limits.write_timeout);
    co_await http::async_write(stream, res, use_nothrow);
}

/// Serves one connection until the client closes, a timeout fires, or a reply says close.
template <class Stream>
asio::awaitable<void> run_session(Stream& stream, connection& conn, http_server::state* st)
{
    const server_limits& limits = st->limits;
    beast::flat_buffer& buffer = conn.buffer;
    const client& from = conn.from;
    tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
    conn.handle->stream = &tcp_layer;
    bool first = true;
    bool& busy = conn.handle->busy;

    while (!st->stopping.load(std::memory_order_relaxed)) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.body_limit(limits.body_limit);

        // Wait for the first byte of the next request (idle: stop() may cancel this).
        if (buffer.size() == 0) {
            if (!first || !conn.deadline_set)
                tcp_layer.expires_after(first ? limits.header_timeout : limits.idle_timeout);
            // As much as is there, not one byte: a small request then arrives in one system call
            // instead of two (receive calls per durable POST: 2.34 before, 1.67 after).
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(first_read_bytes), use_nothrow);
            if (ec)
                break;
            buffer.commit(n);
        }
        first = false;
        busy = true;
        // Then one deadline for the headers and another for the body: a client that drips bytes
        // (slowloris) is cut off at whichever it is in.
        if (!conn.deadline_set)
            tcp_layer.expires_after(limits.header_timeout);
        conn.deadline_set = false; // the detection's deadline covers the first request's headers
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
        route_options route;
        const feed_handler* feed = nullptr;
        std::optional<response> refused;
        if (!ec) {
            const auto found = st->routes.find(parser.get().target(), parser.get().method());
            route = found.options;
            feed = found.feed;
            // Access is decided from the headers: a refused upload is never read.
            refused = conn.plain_refused
                          ? tls_required()
                          : st->access.refuse(parser.get(), from, route.access, route.side_effects);
            if (!refused && route.side_effects)
                refused = too_many_writes(*st, from.address);
        }
        if (refused) {
            const auto started = std::chrono::steady_clock::now();
            const bool unread_body = !parser.is_done();
            const bool may_keep = refused->keep_alive(); // false for protocol errors (426)
            refused->version(parser.get().version());
            refused->keep_alive(may_keep && parser.get().keep_alive() && !unread_body);
            refused->prepare_payload();
            co_await write_response(stream, *refused, limits);
            if (st->observer)
                st->observer(parser.get(), *refused, std::chrono::steady_clock::now() - started);
            busy = false;
            if (unread_body)
                co_await linger_close(tcp_layer);
            if (!refused->keep_alive())
                break;
            continue;
        }
        if (!ec && !parser.is_done()) {
            // A route may accept much less than the server-wide limit (a transaction is < 1 KiB).
            // Beast checks a Content-Length against the limit only while parsing the header, so
            // a declared length is checked here; chunked bodies meet the new limit as they arrive.
            if (route.max_body != 0 && route.max_body < limits.body_limit) {
                parser.body_limit(route.max_body);
                if (parser.content_length().value_or(0) > route.max_body)
                    ec = http::error::body_limit;
            }
        }
        if (!ec && !parser.is_done()) {
            tcp_layer.expires_after(limits.body_timeout);
            std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_nothrow);
        }
        if (ec) {
            if (auto reply = reply_for_read_error(ec)) {
                co_await write_response(stream, *reply, limits);
                co_await linger_close(tcp_layer);
            }
            break;
        }

        const auto started = std::chrono::steady_clock::now();
        request req = parser.release();
        response res;
        if (feed != nullptr) {
            // A stream holds the connection until it ends; a refusal is an ordinary reply.
            feed_result answer = (*feed)(req, from, co_await asio::this_coro::executor);
            if (auto* events = std::get_if<std::unique_ptr<event_feed>>(&answer)) {
                co_await detail::serve_feed(stream, req, **events, limits);
                if (st->observer)
                    st->observer(
                        req,
                        response{http::status::ok, req.version()},
                        std::chrono::steady_clock::now() - started
                    );
                break;
            }
            res = std::move(std::get<response>(answer));
            res.version(req.version());
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
        } else if (route.cancel_when_client_leaves) {
            // Race the handler against the client leaving; `||` cancels whichever loses.
            using namespace asio::experimental::awaitable_operators;
            auto handled = st->routes.dispatch(req, from);
            auto gone = wait_until_client_leaves(tcp_layer.socket());
            auto first = co_await (std::move(handled) || std::move(gone));
            if (first.index() == 1)
                break; // nobody to answer
            res = std::move(std::get<0>(first));
        } else {
            res = co_await st->routes.dispatch(req, from);
        }
        if (st->stopping.load(std::memory_order_relaxed))
            res.keep_alive(false); // tell the client this connection is going away
        {
            const writing_scope counted(st->writing, res.body().size());
            co_await write_response(stream, res, limits);
        }
        if (st->observer)
            st->observer(req, res, std::chrono::steady_clock::now() - started);
        busy = false;
        if (!res.keep_alive())
            break;
    }
}

/// Sends close_notify so the client can tell our end of the stream from a truncation; bounded
/// tightly (it waits for the client's close_notify), since a client that never answers must not
/// hold the session or a shutdown.
asio::awaitable<void> close_tls(tls_stream& stream)
{
    beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(250));
    co_await stream.async_shutdown(use_nothrow);
}

} // namespace

asio::awaitable<void> serve_connection(tcp_stream stream, std::shared_ptr<http_server::state> st)
{
    connection conn(st->limits);
    {
        boost::system::error_code ignored;
        conn.from.address = stream.socket().remote_endpoint(ignored).address();
    }
    conn.handle = std::make_shared<session_handle>(co_await asio::this_coro::executor);
    conn.handle->stream = &stream;
    {
        const std::lock_guard lock(st->mutex);
        st->live.emplace(conn.id = st->next_id++, conn.handle);
    }
    struct unregister
    {
        http_server::state& s;
        connection& c;
        ~unregister()
        {
            c.handle->stream = nullptr; // a cancel stop() posted earlier finds nothing to cancel
            const std::lock_guard lock(s.mutex);
            s.live.erase(c.id);
        }
    } guard{*st, conn};
    // stop() sets `stopping` before it walks this registry under the lock, so a session that
    // registered after the walk (and got no cancel) sees the flag here and closes at once,
    // instead of waiting out a TLS detection or handshake through the whole shutdown grace.
    if (st->stopping.load())
        co_return;

    if (st->tls == nullptr) {
        co_await run_session(stream, conn, st.get());
    } else {
        // One port serves both: the first bytes tell a TLS ClientHello from an HTTP request, as
        // in Beast's flex server. One deadline covers detection, handshake and the first headers.
        stream.expires_after(st->limits.header_timeout);
        conn.deadline_set = true;
        auto [dec, is_tls] = co_await beast::async_detect_ssl(stream, conn.buffer, use_nothrow);
        if (dec) {
            // Closed or timed out before saying anything.
        } else if (!is_tls) {
            // Plain HTTP stays open to this host (the tutorial, health checks); others are told to
            // use TLS, so a token never crosses the network in clear.
            conn.plain_refused = !conn.from.loopback();
            co_await run_session(stream, conn, st.get());
        } else if (auto slot = admit_handshake(*st, conn.from.address); !slot) {
            // Over the handshake budget: closed before any TLS state exists.
        } else {
            const auto context = st->tls->context(); // this connection keeps it across a reload
            tls_stream secured(std::move(stream), *context);
            conn.handle->stream = &beast::get_lowest_layer(secured);
            auto [hec, used] =
                co_await secured.async_handshake(ssl::stream_base::server, conn.buffer.data(), use_nothrow);
            slot->release();
            if (hec) {
                log_failed_handshake(*st, conn.from, hec);
            } else {
                conn.buffer.consume(used);
                co_await run_session(secured, conn, st.get());
                co_await close_tls(secured);
            }
            boost::system::error_code ignored;
            beast::get_lowest_layer(secured).socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

} // namespace beastchain::net
