// Process lifetime: configuration, listening, the single I/O thread, and layered shutdown.
#include <beastchain/log.hpp>
#include <beastchain/net/server.hpp>
#include <beastchain/node/api.hpp>
#include <beastchain/node/app.hpp>
#include <beastchain/node/node.hpp>
#include <beastchain/node/systemd.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <iostream>
#include <sys/resource.h>
#include <thread>

namespace beastchain::node {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// How long in-flight requests get to finish after SIGTERM before the loop stops.
constexpr std::chrono::seconds shutdown_grace{5};

/// Tells systemd the height and peer count every 10 seconds (shown by `systemctl status`).
asio::awaitable<void> report_status(node& n, asio::steady_timer& timer)
{
    for (;;) {
        const node_status st = co_await n.status();
        notify_systemd(
            "STATUS=height " + std::to_string(st.height) + ", " + std::to_string(st.peers) + " peers, " +
            std::to_string(st.pending) + " pending" + (st.storage_ok ? "" : ", STORAGE FAILING")
        );
        timer.expires_after(std::chrono::seconds(10));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
    }
}

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
    config cfg = std::move(*parsed.cfg);
    log::set_threshold(cfg.log_level);

    // Every connection costs a descriptor: raise the soft limit to the hard one, and keep the
    // connection limit below it (with room for the log, peers and the listener) so an accept
    // flood meets a 503, never EMFILE.
    if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
        nofile.rlim_cur = nofile.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &nofile);
        ::getrlimit(RLIMIT_NOFILE, &nofile);
        const std::size_t room =
            nofile.rlim_cur > 256 ? static_cast<std::size_t>(nofile.rlim_cur) - 128 : 128;
        if (cfg.server.max_connections > room) {
            log::warning(
                "max-connections " + std::to_string(cfg.server.max_connections) +
                " exceeds the descriptor limit; using " + std::to_string(room)
            );
            cfg.server.max_connections = room;
        }
    }

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
    // While the chain loads (on a loader thread) the server already answers, from a start-up
    // table: /health and the API say 503 "starting", so probes get an answer instead of a hang.
    net::router routes = make_startup_api();
    node* live = nullptr; // set on the I/O thread once loaded; only the I/O thread reads it
    auto observe =
        [&routes, &live, access_log = cfg.access_log](
            const net::request& req, const net::response& res, std::chrono::steady_clock::duration took
        ) {
            // Label by route, not by raw path: arbitrary 404 paths must not grow the metric set.
            const auto m = routes.find(req.target(), req.method());
            if (live != nullptr)
                live->stats().observe_request(
                    m.pattern.empty() ? "unmatched" : m.pattern, res.result_int(), took
                );
            if (access_log && log::enabled(log::level::info))
                log::info(
                    "access " + std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                    std::to_string(res.result_int()) + " " + std::to_string(res.body().size()) + "B " +
                    std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count()) + "us"
                );
        };
    net::http_server server(ioc.get_executor(), routes, cfg.server, observe);
    try {
        endpoint = server.listen(endpoint);
    } catch (const boost::system::system_error& e) {
        std::cerr << "beastchain-node: cannot listen on " << url_host(endpoint) << ":" << endpoint.port()
                  << ": " << e.code().message() << "\n";
        return 2;
    }
    server.start();

    // What peers are told to call us back on. A wildcard listener has no such address: then only
    // --advertise-url can say it, and without one the node does not announce itself.
    std::string advertise = cfg.advertise_url == "none" ? std::string() : cfg.advertise_url;
    if (cfg.advertise_url.empty() && !endpoint.address().is_unspecified())
        advertise = "http://" + url_host(endpoint) + ":" + std::to_string(endpoint.port());
    if (advertise.empty() && cfg.advertise_url.empty())
        log::warning("listening on a wildcard address without --advertise-url: peers will not learn this "
                     "node's address");

    int exit_code = 0;
    asio::steady_timer status_timer(ioc);
    std::unique_ptr<node> owned; // written by the loader thread, then handed over by a post
    std::string load_error;
    auto on_loaded = [&] {
        if (!load_error.empty()) {
            std::cerr << "beastchain-node: " << load_error << "\n";
            exit_code = 1;
            ioc.stop();
            return;
        }
        live = owned.get();
        routes = make_api(*live);
        // The tutorial's Flask server announces itself like this; scripts wait for the line.
        std::cout << " * Running on http://" << url_host(endpoint) << ":" << endpoint.port()
                  << "/ (Press CTRL+C to quit)" << std::endl;
        log::info(
            "node address " + live->address() + ", difficulty " + std::to_string(cfg.difficulty) + ", " +
            std::to_string(cfg.miner_threads) + " miner threads, data " +
            (cfg.in_memory ? std::string("in memory") : cfg.data_dir)
        );
        notify_systemd(
            "READY=1\nSTATUS=serving on " + url_host(endpoint) + ":" + std::to_string(endpoint.port())
        );
        asio::co_spawn(ioc, report_status(*live, status_timer), asio::detached);
        live->start_network(advertise);
    };
    std::thread loader([&] {
        try {
            owned = std::make_unique<node>(ioc, cfg);
        } catch (const storage::storage_error& e) {
            load_error = e.what();
        }
        asio::post(ioc, on_loaded); // the post orders these writes before the I/O thread's reads
    });

    // Shutdown in layers: stop accepting and close idle connections, stop mining, let in-flight
    // requests finish (bounded), then stop the loop; storage flushes as the node is destroyed.
    // A second signal stops at once.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer drain(ioc);
    const auto drain_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
    bool stopping = false;
    std::function<void(const boost::system::error_code&)> wait_for_sessions =
        [&](const boost::system::error_code& ec) {
            if (ec)
                return;
            if (server.active_sessions() == 0 || std::chrono::steady_clock::now() >= *drain_deadline) {
                if (server.active_sessions() != 0)
                    log::warning(
                        std::to_string(server.active_sessions()) +
                        " connections still busy at the shutdown deadline"
                    );
                ioc.stop();
                return;
            }
            drain.expires_after(std::chrono::milliseconds(10));
            drain.async_wait(wait_for_sessions);
        };
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec)
                return;
            if (stopping) {
                log::warning("second signal: stopping now");
                ioc.stop();
                return;
            }
            stopping = true;
            log::info(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
            notify_systemd("STOPPING=1");
            server.stop();
            if (live != nullptr)
                live->shutdown();
            status_timer.cancel();
            *drain_deadline = std::chrono::steady_clock::now() + shutdown_grace;
            wait_for_sessions({});
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);

    ioc.run();
    loader.join(); // a signal during a long load waits for it, so storage closes cleanly
    if (exit_code != 0)
        return exit_code;
    log::info("stopped");
    return 0;
}

} // namespace beastchain::node
