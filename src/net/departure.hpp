// Private to the session: how a connection ends, by our choice (linger) or the client's.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "stream.hpp"

namespace beastchain::net::detail {

/// After refusing a request mid-upload, stop sending and read (and discard) what the client is
/// still sending for a bounded time. Closing with unread data makes the kernel send a reset,
/// which can destroy our error reply before the client reads it; nginx lingers the same way.
boost::asio::awaitable<void> linger_close(tcp_stream& stream);

/// Completes when the client closes or resets the connection. Bytes of a pipelined request are
/// not a departure: it then stops looking and waits until cancelled.
boost::asio::awaitable<void> wait_until_client_leaves(tcp_stream::socket_type& socket);

} // namespace beastchain::net::detail
