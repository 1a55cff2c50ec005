// Private to net/: the TLS stream type over the nothrow TCP stream.
#pragma once

#include <boost/beast/ssl/ssl_stream.hpp>

#include "stream.hpp"

namespace beastchain::net::detail {

using tls_stream = boost::beast::ssl_stream<tcp_stream>;

} // namespace beastchain::net::detail
