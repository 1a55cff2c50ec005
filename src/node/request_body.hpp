// Reading a JSON request body: content type, the message kind's shape caps, and large bodies parsed off the
// I/O thread.
#pragma once

#include <beastchain/json/parse.hpp>
#include <beastchain/net/http.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <variant>

namespace beastchain::node {

/// Bodies up to this size are parsed where they arrive (microseconds); larger ones go to the
/// worker pool, so no large parse ever runs on the I/O thread.
inline constexpr std::size_t inline_parse_bytes = 16 * 1024;

/// The decoded body, or the 4xx reply that explains why there is none.
template <class T> using body_or_reply = std::variant<T, net::response>;

namespace detail {

template <class T, class Decode>
body_or_reply<T>
parse_and_decode(const net::request& req, const json::parse_limits& shape, std::size_t depth, Decode& decode)
{
    auto parsed = json::parse_body(req.body(), shape, depth);
    if (!parsed.ok())
        return net::error_response(
            net::http::status::bad_request, "invalid_json", parsed.error().detail, "body"
        );
    json::decoded<T> d = decode(parsed.value());
    if (!d.ok())
        return net::error_response(
            net::http::status::bad_request,
            "invalid_field",
            d.error().field + " " + d.error().detail,
            d.error().field
        );
    return std::move(d.value());
}

} // namespace detail

/// Checks the content type, then parses `req`'s body under `shape` and decodes it with `decode`
/// (a `json::decoded<T>(const boost::json::value&)` callable, safe to run on any thread). 415 or
/// 400 replies name what was wrong.
template <class T, class Decode>
boost::asio::awaitable<body_or_reply<T>> read_body(
    const net::request& req,
    json::parse_limits shape,
    std::size_t max_depth,
    boost::asio::any_io_executor worker,
    Decode decode
)
{
    if (auto bad = net::require_json_content(req))
        co_return std::move(*bad);
    if (req.body().size() <= inline_parse_bytes)
        co_return detail::parse_and_decode<T>(req, shape, max_depth, decode);
    // The request outlives this wait: its session is suspended here until the reply is built.
    auto work = [&req, shape, max_depth, decode]() mutable -> boost::asio::awaitable<body_or_reply<T>> {
        co_return detail::parse_and_decode<T>(req, shape, max_depth, decode);
    };
    co_return co_await boost::asio::co_spawn(worker, std::move(work), boost::asio::use_awaitable);
}

} // namespace beastchain::node
