// Private to net/: the Boost 1.81 spelling of "awaitable ops that return error codes instead of throwing".
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace beastchain::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

// Expected network outcomes (EOF, timeouts, resets) are values; Boost 1.81 has no default-token
// co_await, so the token is spelled out once here.
using use_nothrow_t = asio::as_tuple_t<asio::use_awaitable_t<>>;
inline constexpr use_nothrow_t use_nothrow{};

using tcp_stream =
    beast::tcp_stream::rebind_executor<use_nothrow_t::executor_with_default<asio::any_io_executor>>::other;

} // namespace beastchain::net::detail
