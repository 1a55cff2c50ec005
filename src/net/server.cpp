// Listener: accepts, enforces the connection caps, and hands each connection to a session.
#include <beastchain/log.hpp>
#include <beastchain/net/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

#include "server_state.hpp"

namespace beastchain::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using detail::tcp_stream;
using detail::use_nothrow;

namespace {

/// Answers a connection over a limit with `too_many_connections` and Retry-After, then drops it;
/// the write is bounded, so a client that never reads cannot stall the accept loop.
asio::awaitable<void> refuse_connection(tcp_stream stream, http::status status, std::string_view detail)
{
    response busy = protocol_error(status, "too_many_connections", detail);
    busy.set(http::field::retry_after, "1");
    stream.expires_after(std::chrono::seconds(1));
    co_await http::async_write(stream, busy, use_nothrow);
}

/// Opens a connection's slot in the per-source budget; false when its source is at the cap.
bool open_for(http_server::state& st, const asio::ip::address& source)
{
    if (st.budget.exempt(source))
        return true;
    const std::lock_guard lock(st.mutex);
    return st.budget.open_connection(source, client_budget::clock::now());
}

asio::awaitable<void> accept_loop(std::shared_ptr<http_server::state> st)
{
    for (;;) {
        // Each connection lives on a strand of its own, as in Beast's servers: its coroutine, its
        // stream's timeout handler and a racing watcher never run at once, while different
        // connections run on different I/O threads.
        const asio::any_io_executor connection_strand = asio::make_strand(st->io);
        auto [ec, socket] = co_await st->acceptor.async_accept(connection_strand, use_nothrow);
        if (ec == asio::error::operation_aborted || !st->acceptor.is_open())
            co_return;
        if (ec) {
            // EMFILE and friends: log, back off briefly instead of spinning, keep serving.
            log::warning("accept failed: " + ec.message());
            asio::steady_timer pause(st->acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(use_nothrow);
            continue;
        }
        // Replies and TLS handshake flights go out at once instead of waiting on delayed ACKs
        // (measured: TLS handshakes per second rose five-fold).
        boost::system::error_code nodelay_failed;
        socket.set_option(tcp::no_delay(true), nodelay_failed);
        tcp_stream stream(std::move(socket));
        // A refusal is written on the connection's strand, and the loop waits for it: its write
        // is bounded, and one at a time keeps a flood from holding more descriptors.
        if (st->sessions.load() >= st->limits.max_connections) {
            co_await asio::co_spawn(
                connection_strand,
                refuse_connection(std::move(stream), http::status::service_unavailable, "try again later"),
                asio::use_awaitable
            );
            continue;
        }
        boost::system::error_code ignored;
        const asio::ip::address source = stream.socket().remote_endpoint(ignored).address();
        if (!open_for(*st, source)) {
            co_await asio::co_spawn(
                connection_strand,
                refuse_connection(
                    std::move(stream),
                    http::status::too_many_requests,
                    "this address holds too many connections"
                ),
                asio::use_awaitable
            );
            continue;
        }
        st->sessions.fetch_add(1);
        // One failing session costs one connection, never the process.
        auto done = [st, source](std::exception_ptr e) {
            st->sessions.fetch_sub(1);
            if (!st->budget.exempt(source)) {
                const std::lock_guard lock(st->mutex);
                st->budget.close_connection(source, client_budget::clock::now());
            }
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log::error(std::string("error in session: ") + ex.what());
            }
        };
        asio::co_spawn(connection_strand, serve_connection(std::move(stream), st), std::move(done));
    }
}

} // namespace

http_server::http_server(
    asio::any_io_executor ex,
    const router& routes,
    server_limits limits,
    const access_policy& access,
    request_observer observer,
    server_tls* tls
)
    : state_(std::make_shared<state>(std::move(ex), routes, limits, access, std::move(observer), tls))
{}

http_server::~http_server()
{
    close_listener();
}

void http_server::close_listener()
{
    // The executor's threads have stopped (see the header), so nothing else touches these now.
    state_->stopping.store(true);
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
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
    // The acceptor belongs to the accept loop's strand and each stream to its session's, so both
    // are closed there, whichever thread asks.
    asio::post(state_->acceptor.get_executor(), [st = state_] {
        boost::system::error_code ignored;
        st->acceptor.close(ignored);
    });
    // Idle keep-alive connections would otherwise wait out their idle timeout.
    const std::lock_guard lock(state_->mutex);
    for (const auto& [id, handle] : state_->live)
        asio::post(handle->strand, [h = handle] {
            if (h->stream != nullptr && !h->busy)
                h->stream->cancel();
        });
}

std::size_t http_server::active_sessions() const noexcept
{
    return state_->sessions.load();
}

const write_load& http_server::writing() const noexcept
{
    return state_->writing;
}

} // namespace beastchain::net
