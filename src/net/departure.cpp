// How a connection ends: lingering after a refusal, and noticing a client that left.
#include "departure.hpp"

#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace beastchain::net::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

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
        // Bytes followed by the end of the stream: a TLS client's close_notify, then its FIN.
        pollfd hangup{socket.native_handle(), POLLRDHUP, 0};
        if (n > 0 && ::poll(&hangup, 1, 0) == 1 && (hangup.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
            co_return;
        if (n > 0) {
            asio::steady_timer forever(socket.get_executor(), asio::steady_timer::time_point::max());
            co_await forever.async_wait(use_nothrow);
            co_return;
        }
    }
}

} // namespace beastchain::net::detail
