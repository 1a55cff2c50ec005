// Layered shutdown on SIGINT/SIGTERM: stop accepting, stop the node, drain requests, stop the loop.
#pragma once

#include <beastchain/net/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>

namespace beastchain::node {

/**
 * On the first signal: tells systemd STOPPING=1, stops the server (idle keep-alive connections
 * close at once, busy ones finish their request), calls `stop_node` (mining stops, waiting /mine
 * callers get 503), then stops the loop when no session is left or after `grace`. A second
 * signal stops the loop at once. Storage is flushed afterwards, as the node is destroyed.
 *
 * @par Thread Safety
 * Construct before the I/O threads run. Its handlers share a strand, so a second signal never
 * races the drain; `stop_node` runs there too and must only post to other owners' executors.
 */
class signal_shutdown
{
public:
    signal_shutdown(
        boost::asio::io_context& ioc,
        net::http_server& server,
        std::function<void()> stop_node,
        std::chrono::steady_clock::duration grace = std::chrono::seconds(5)
    );

private:
    void on_signal(const boost::system::error_code& ec, int sig);
    void wait_for_sessions(const boost::system::error_code& ec);

    boost::asio::io_context& ioc_;
    net::http_server& server_;
    std::function<void()> stop_node_;
    std::chrono::steady_clock::duration grace_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer drain_;
    std::chrono::steady_clock::time_point deadline_{};
    bool stopping_ = false;
};

} // namespace beastchain::node
