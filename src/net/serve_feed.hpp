// Private to the session: writing an event stream (Server-Sent Events) until it ends.
#pragma once

#include <beastchain/net/event_hub.hpp>
#include <beastchain/net/router.hpp>
#include <beastchain/net/server.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include "stream.hpp"

namespace beastchain::net::detail {

/// How long one write of a stream may take: a reader that leaves this much unread is too slow,
/// and its connection is closed rather than its backlog kept.
inline constexpr std::chrono::seconds feed_write_timeout{10};
inline constexpr int feed_send_buffer = 64 * 1024;

/// Writes the stream's header, then each piece the feed yields, until the feed ends, the client
/// goes, or a write stalls. The body has no length: it ends when the connection closes, which
/// is how an EventSource expects it. Returns whether the header went out.
template <class Stream>
boost::asio::awaitable<bool>
serve_feed(Stream& stream, const request& req, event_feed& feed, const server_limits& limits)
{
    namespace beast = boost::beast;
    auto& tcp_layer = beast::get_lowest_layer(stream);
    // A fixed kernel buffer: autotuned, a stalled reader's socket could pin megabytes of kernel
    // memory per stream; at 64 KiB a stall shows after ~250 events and costs little.
    boost::system::error_code ignored;
    tcp_layer.socket().set_option(boost::asio::socket_base::send_buffer_size(feed_send_buffer), ignored);
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.set(http::field::cache_control, "no-store");
    head.set("X-Content-Type-Options", "nosniff");
    head.set("X-Accel-Buffering", "no"); // a reverse proxy must pass events on as they come
    head.keep_alive(false);
    http::response_serializer<http::empty_body> sr(head);
    tcp_layer.expires_after(limits.write_timeout);
    auto [hec, hn] = co_await http::async_write_header(stream, sr, use_nothrow);
    if (hec)
        co_return false;
    // The retry hint first: a browser that loses the stream comes back after 2 s, not 3.
    std::string text = "retry: 2000\n\n";
    for (;;) {
        tcp_layer.expires_after(feed_write_timeout);
        auto [ec, n] = co_await boost::asio::async_write(stream, boost::asio::buffer(text), use_nothrow);
        tcp_layer.expires_never(); // waiting for the next event is not a stalled write
        if (ec) {
            if (ec == beast::error::timeout)
                feed.write_failed();
            co_return true;
        }
        text = co_await feed.next();
        if (text.empty())
            co_return true;
    }
}

} // namespace beastchain::net::detail
