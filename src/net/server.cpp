// Listener and per-connection session: timeouts on the stream, limits on the parser, JSON errors.
#include <beastchain/log.hpp>
#include <beastchain/net/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <sys/socket.h>
#include <tuple>
#include <unordered_map>

#include "stream.hpp"

namespace beastchain::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using detail::tcp_stream;
using detail::use_nothrow;

/// A live session as the server sees it, so stop() can close the idle ones. The pointers refer
/// to the session coroutine's locals and are removed before the coroutine ends.
struct session_handle
{
    tcp_stream* stream;
    const bool* busy;
};

struct http_server::state
{
    state(
        asio::any_io_executor ex, const router& r, server_limits l, const access_policy& a, request_observer o
    )
        : acceptor(ex)
        , routes(r)
        , limits(l)
        , access(a)
        , observer(std::move(o))
        , budget(l.per_source)
    {}
    tcp::acceptor acceptor;
    const router& routes;
    server_limits limits;
    const access_policy& access;
    request_observer observer;
    std::atomic<std::size_t> sessions{0};
    std::atomic<bool> stopping{false};
    // Touched only on the I/O thread (accept loop, sessions, stop()).
    client_budget budget;
    std::unordered_map<std::uint64_t, session_handle> live;
    std::uint64_t next_id = 0;
};

namespace {

/// A reply to a request that could not be parsed; the connection closes after it.
response protocol_error(http::status status, std::string_view error, std::string_view detail)
{
    response res = error_response(status, error, detail);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

/// 429 with Retry-After when the client's source has spent its write budget.
std::optional<response> too_many_writes(client_budget& budget, const asio::ip::address& source)
{
    const auto wait = budget.take_write(source, client_budget::clock::now());
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

asio::awaitable<void> write_response(tcp_stream& stream, response& res, const server_limits& limits)
{
    stream.expires_after(limits.write_timeout);
    co_await http::async_write(stream, res, use_nothrow);
}

/// After refusing a request mid-upload, stop sending and read (and discard) what the client is
/// still sending for a bounded time. Closing with unread data makes the kernel send a reset,
/// which can destroy our error reply before the client reads it; nginx lingers the same way.
asio::awaitable<void> linger_close(tcp_stream& stream)
{
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> scratch{};
    for (std::size_t drained = 0; drained < 8 * 1024 * 1024;) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), use_nothrow);
        if (ec)
            break;
        drained += n;
    }
}

/// Completes when the client closes or resets the connection. Bytes of a pipelined request are
/// not a departure: it then stops looking and waits until cancelled.
asio::awaitable<void> wait_until_client_leaves(tcp_stream::socket_type& socket)
{
    for (;;) {
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_nothrow);
        if (ec)
            co_return; // cancelled (the handler finished first) or the socket failed
        char probe = 0;
        const ssize_t n = ::recv(socket.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            co_return; // end of stream or reset: the client is gone
        if (n > 0) {
            asio::steady_timer forever(socket.get_executor(), asio::steady_timer::time_point::max());
            co_await forever.async_wait(use_nothrow);
            co_return;
        }
    }
}

/// Serves one connection until the client closes, a timeout fires, or a reply says close.
asio::awaitable<void> run_session(tcp_stream stream, std::shared_ptr<http_server::state> st)
{
    const server_limits& limits = st->limits;
    // Bounded: the parser moves body bytes out, so the buffer only ever holds headers plus one read.
    beast::flat_buffer buffer(limits.header_limit + 64 * 1024);
    // Room to read into: with none, Beast reads a large body 512 bytes per system call.
    buffer.reserve(16 * 1024);
    bool first = true;
    bool busy = false;
    client from;
    {
        boost::system::error_code ignored;
        from.address = stream.socket().remote_endpoint(ignored).address();
    }
    const std::uint64_t id = st->next_id++;
    st->live.emplace(id, session_handle{&stream, &busy});
    struct unregister
    {
        http_server::state& s;
        std::uint64_t id;
        ~unregister() { s.live.erase(id); }
    } guard{*st, id};

    while (!st->stopping.load(std::memory_order_relaxed)) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.body_limit(limits.body_limit);

        // Wait for the first byte of the next request (idle: stop() may cancel this).
        if (buffer.size() == 0) {
            stream.expires_after(first ? limits.header_timeout : limits.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(1), use_nothrow);
            if (ec)
                break;
            buffer.commit(n);
        }
        first = false;
        busy = true;
        // Then one deadline for the headers and another for the body: a client that drips bytes
        // (slowloris) is cut off at whichever it is in.
        stream.expires_after(limits.header_timeout);
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
        route_options route;
        std::optional<response> refused;
        if (!ec) {
            route = st->routes.find(parser.get().target(), parser.get().method()).options;
            // Access is decided from the headers: a refused upload is never read.
            refused = st->access.refuse(parser.get(), from, route.access, route.side_effects);
            if (!refused && route.side_effects)
                refused = too_many_writes(st->budget, from.address);
        }
        if (refused) {
            const auto started = std::chrono::steady_clock::now();
            const bool unread_body = !parser.is_done();
            refused->version(parser.get().version());
            refused->keep_alive(parser.get().keep_alive() && !unread_body);
            refused->prepare_payload();
            co_await write_response(stream, *refused, limits);
            if (st->observer)
                st->observer(parser.get(), *refused, std::chrono::steady_clock::now() - started);
            busy = false;
            if (unread_body)
                co_await linger_close(stream);
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
            stream.expires_after(limits.body_timeout);
            std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_nothrow);
        }
        if (ec) {
            if (auto reply = reply_for_read_error(ec)) {
                co_await write_response(stream, *reply, limits);
                co_await linger_close(stream);
            }
            break;
        }

        const auto started = std::chrono::steady_clock::now();
        request req = parser.release();
        response res;
        if (route.cancel_when_client_leaves) {
            // Race the handler against the client leaving; `||` cancels whichever loses.
            using namespace asio::experimental::awaitable_operators;
            auto handled = st->routes.dispatch(req, from);
            auto gone = wait_until_client_leaves(stream.socket());
            auto first = co_await (std::move(handled) || std::move(gone));
            if (first.index() == 1)
                break; // nobody to answer
            res = std::move(std::get<0>(first));
        } else {
            res = co_await st->routes.dispatch(req, from);
        }
        if (st->stopping.load(std::memory_order_relaxed))
            res.keep_alive(false); // tell the client this connection is going away
        co_await write_response(stream, res, limits);
        if (st->observer)
            st->observer(req, res, std::chrono::steady_clock::now() - started);
        busy = false;
        if (!res.keep_alive())
            break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

/// Answers a connection over a limit with `too_many_connections` and Retry-After, then drops it;
/// the write is bounded, so a client that never reads cannot stall the accept loop.
asio::awaitable<void> refuse_connection(tcp_stream& stream, http::status status, std::string_view detail)
{
    response busy = protocol_error(status, "too_many_connections", detail);
    busy.set(http::field::retry_after, "1");
    stream.expires_after(std::chrono::seconds(1));
    co_await http::async_write(stream, busy, use_nothrow);
}

asio::awaitable<void> accept_loop(std::shared_ptr<http_server::state> st)
{
    for (;;) {
        auto [ec, socket] = co_await st->acceptor.async_accept(use_nothrow);
        if (ec == asio::error::operation_aborted || !st->acceptor.is_open())
            co_return;
        if (ec) {
            // EMFILE and friends: log, back off briefly instead of spinning, keep serving.
            log::warning("accept failed: " + ec.message());
            asio::steady_timer pause(st->acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(use_nothrow);
            continue;
        }
        tcp_stream stream(std::move(socket));
        if (st->sessions.load() >= st->limits.max_connections) {
            co_await refuse_connection(stream, http::status::service_unavailable, "try again later");
            continue;
        }
        boost::system::error_code ignored;
        const asio::ip::address source = stream.socket().remote_endpoint(ignored).address();
        if (!st->budget.open_connection(source, client_budget::clock::now())) {
            co_await refuse_connection(
                stream, http::status::too_many_requests, "this address holds too many connections"
            );
            continue;
        }
        st->sessions.fetch_add(1);
        // One failing session costs one connection, never the process.
        auto done = [st, source](std::exception_ptr e) {
            st->sessions.fetch_sub(1);
            st->budget.close_connection(source, client_budget::clock::now());
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log::error(std::string("error in session: ") + ex.what());
            }
        };
        asio::co_spawn(st->acceptor.get_executor(), run_session(std::move(stream), st), std::move(done));
    }
}

} // namespace

http_server::http_server(
    asio::any_io_executor ex,
    const router& routes,
    server_limits limits,
    const access_policy& access,
    request_observer observer
)
    : state_(std::make_shared<state>(std::move(ex), routes, limits, access, std::move(observer)))
{}

http_server::~http_server()
{
    stop();
}

tcp::endpoint http_server::listen(const tcp::endpoint& ep)
{
    tcp::acceptor& a = state_->acceptor;
    a.open(ep.protocol());
    a.set_option(asio::socket_base::reuse_address(true));
    a.bind(ep);
    a.listen(asio::socket_base::max_listen_connections);
    return a.local_endpoint();
}

void http_server::start()
{
    auto log_failure = [](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log::error(std::string("accept loop failed: ") + ex.what());
        }
    };
    asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), std::move(log_failure));
}

void http_server::stop()
{
    state_->stopping.store(true);
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    // Idle keep-alive connections would otherwise wait out their idle timeout.
    for (auto& [id, s] : state_->live)
        if (!*s.busy)
            s.stream->cancel();
}

std::size_t http_server::active_sessions() const noexcept
{
    return state_->sessions.load();
}

} // namespace beastchain::net
