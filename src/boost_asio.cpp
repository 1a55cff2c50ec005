// Compiles Asio once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
// And Asio's TLS layer, for the server's HTTPS and the peer client's https:// links.
#include <boost/asio/ssl/impl/src.hpp>
