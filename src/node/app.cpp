// Process lifetime: configuration, listening, the single I/O thread, and layered shutdown.
#include <beastchain/log.hpp>
#include <beastchain/net/server.hpp>
#include <beastchain/node/api.hpp>
#include <beastchain/node/app.hpp>
#include <beastchain/node/node.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <iostream>

namespace beastchain::node {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string url_host(const tcp::endpoint& ep)
{
    const auto a = ep.address();
    return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

} // namespace

int run(int argc, const char* const argv[])
{
    parse_outcome parsed = parse_command_line(argc, argv);
    if (!parsed.cfg) {
        (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << std::flush;
        return parsed.exit_code;
    }
    const config cfg = std::move(*parsed.cfg);
    log::set_threshold(cfg.log_level);

    // One io_context on one thread drives the server, the peer clients and the node's strand.
    asio::io_context ioc(1);

    tcp::endpoint endpoint;
    try {
        tcp::resolver resolver(ioc);
        endpoint = *resolver.resolve(cfg.host, std::to_string(cfg.port), tcp::resolver::passive).begin();
    } catch (const boost::system::system_error& e) {
        std::cerr << "beastchain-node: cannot resolve host '" << cfg.host << "': " << e.code().message()
                  << "\n";
        return 2;
    }

    // A write past RLIMIT_FSIZE must fail with EFBIG (and become a 503), not kill the process.
    std::signal(SIGXFSZ, SIG_IGN);

    // Bind before loading storage: a port conflict fails at once, not after reading a long chain.
    // Connections that arrive while the chain loads wait in the listen backlog.
    net::router routes; // filled once the node exists; read only after server.start()
    net::http_server server(ioc.get_executor(), routes, cfg.server);
    try {
        endpoint = server.listen(endpoint);
    } catch (const boost::system::system_error& e) {
        std::cerr << "beastchain-node: cannot listen on " << url_host(endpoint) << ":" << endpoint.port()
                  << ": " << e.code().message() << "\n";
        return 2;
    }

    std::unique_ptr<node> owned;
    try {
        owned = std::make_unique<node>(ioc, cfg);
    } catch (const storage::storage_error& e) {
        std::cerr << "beastchain-node: " << e.what() << "\n";
        return 1;
    }
    node& n = *owned;
    routes = make_api(n);
    server.start();

    // The tutorial's Flask server announces itself like this; scripts wait for the line.
    std::cout << " * Running on http://" << url_host(endpoint) << ":" << endpoint.port()
              << "/ (Press CTRL+C to quit)" << std::endl;
    log::info(
        "node address " + n.address() + ", difficulty " + std::to_string(cfg.difficulty) + ", " +
        std::to_string(cfg.miner_threads) + " miner threads"
    );

    // Shutdown: stop accepting and mining, give in-flight requests a moment, then stop the loop.
    // A second signal stops at once.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer grace(ioc);
    bool stopping = false;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        if (stopping) {
            log::warning("second signal: stopping now");
            ioc.stop();
            return;
        }
        stopping = true;
        log::info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
        server.stop();
        n.shutdown();
        grace.expires_after(std::chrono::milliseconds(200));
        grace.async_wait([&](const boost::system::error_code&) { ioc.stop(); });
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    ioc.run();
    log::info("stopped");
    return 0;
}

} // namespace beastchain::node
