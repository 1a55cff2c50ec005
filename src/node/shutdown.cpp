// signal_shutdown: the layers of a graceful stop, and the second signal that cuts it short.
#include <beastchain/log.hpp>
#include <beastchain/node/shutdown.hpp>
#include <beastchain/node/systemd.hpp>

#include <csignal>

namespace beastchain::node {

signal_shutdown::signal_shutdown(
    boost::asio::io_context& ioc,
    net::http_server& server,
    std::function<void()> stop_node,
    std::chrono::steady_clock::duration grace
)
    : ioc_(ioc)
    , server_(server)
    , stop_node_(std::move(stop_node))
    , grace_(grace)
    , strand_(boost::asio::make_strand(ioc))
    , signals_(strand_, SIGINT, SIGTERM)
    , drain_(strand_)
{
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) { on_signal(ec, sig); });
}

void signal_shutdown::on_signal(const boost::system::error_code& ec, int sig)
{
    if (ec)
        return;
    if (stopping_) {
        log::warning("second signal: stopping now");
        ioc_.stop();
        return;
    }
    stopping_ = true;
    log::info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
    notify_systemd("STOPPING=1");
    server_.stop();
    stop_node_();
    deadline_ = std::chrono::steady_clock::now() + grace_;
    wait_for_sessions({});
    signals_.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });
}

void signal_shutdown::wait_for_sessions(const boost::system::error_code& ec)
{
    if (ec)
        return;
    const std::size_t busy = server_.active_sessions();
    if (busy == 0 || std::chrono::steady_clock::now() >= deadline_) {
        if (busy != 0)
            log::warning(std::to_string(busy) + " connections still busy at the shutdown deadline");
        ioc_.stop();
        return;
    }
    drain_.expires_after(std::chrono::milliseconds(10));
    drain_.async_wait([this](const boost::system::error_code& e) { wait_for_sessions(e); });
}

} // namespace beastchain::node
