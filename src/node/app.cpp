// Process lifetime: configuration, then listen, then load, then serve, then layered shutdown.
#include <beastchain/log.hpp>
#include <beastchain/net/server.hpp>
#include <beastchain/net/tls.hpp>
#include <beastchain/node/api.hpp>
#include <beastchain/node/app.hpp>
#include <beastchain/node/cookie.hpp>
#include <beastchain/node/node.hpp>
#include <beastchain/node/shutdown.hpp>
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
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <vector>

namespace beastchain::node {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Every connection costs a descriptor: raise the soft limit to the hard one, and keep the
/// connection limit below it (with room for the log, peers and the listener) so an accept flood
/// meets a 503, never EMFILE.
void fit_connections_to_descriptors(config& cfg)
{
    rlimit nofile{};
    if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0)
        return;
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    const std::size_t room = nofile.rlim_cur > 256 ? static_cast<std::size_t>(nofile.rlim_cur) - 128 : 128;
    if (cfg.server.max_connections > room) {
        log::warning(
            "max-connections " + std::to_string(cfg.server.max_connections) +
            " exceeds the descriptor limit; using " + std::to_string(room)
        );
        cfg.server.max_connections = room;
    }
}

std::string url_host(const tcp::endpoint& ep)
{
    const auto a = ep.address();
    return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

/// Resolves and binds the listener. Exit code 2 (after one line on stderr) if either fails.
int listen(asio::io_context& ioc, const config& cfg, net::http_server& server, tcp::endpoint& bound)
{
    try {
        tcp::resolver resolver(ioc);
        bound = *resolver.resolve(cfg.host, std::to_string(cfg.port), tcp::resolver::passive).begin();
    } catch (const boost::system::system_error& e) {
        std::cerr << "beastchain-node: cannot resolve host '" << cfg.host << "': " << e.code().message()
                  << "\n";
        return 2;
    }
    try {
        bound = server.listen(bound);
    } catch (const boost::system::system_error& e) {
        std::cerr << "beastchain-node: cannot listen on " << url_host(bound) << ":" << bound.port() << ": "
                  << e.code().message() << "\n";
        return 2;
    }
    return 0;
}

/// Without --data-dir, each port gets its own directory (known once the port is bound, for -p 0).
/// Nothing is moved: an earlier version's ./beastchain-data stays where it is, and is port 5000's.
void choose_data_dir(config& cfg, std::uint16_t port)
{
    if (!cfg.data_dir_defaulted || cfg.in_memory)
        return;
    cfg.data_dir = default_data_dir(port);
    std::error_code ec;
    if (port != 5000 && !std::filesystem::exists(cfg.data_dir, ec) &&
        std::filesystem::exists(default_data_dir(5000), ec))
        log::warning(
            "creating " + cfg.data_dir + " for port " + std::to_string(port) + "; " + default_data_dir(5000) +
            " is left as it is (it belongs to port 5000; pass --data-dir to use another directory)"
        );
}

/// What peers are told to call us back on. A wildcard listener has no such address: then only
/// --advertise-url can say it, and without one the node does not announce itself.
std::string advertised_address(const config& cfg, const tcp::endpoint& ep)
{
    if (!cfg.advertise_url.empty())
        return cfg.advertise_url == "none" ? std::string() : cfg.advertise_url;
    if (!ep.address().is_unspecified())
        return (cfg.tls_cert.empty() ? "http://" : "https://") + url_host(ep) + ":" +
               std::to_string(ep.port());
    log::warning(
        "listening on a wildcard address without --advertise-url: peers will not learn this node's address"
    );
    return {};
}

/// Metrics by route pattern (raw paths never become labels) and the access log.
net::http_server::request_observer
make_observer(const net::router& routes, const std::atomic<node*>& live, bool access_log)
{
    return [&routes, &live, access_log](
               const net::request& req, const net::response& res, std::chrono::steady_clock::duration took
           ) {
        const auto m = routes.find(req.target(), req.method());
        if (node* const n = live.load(std::memory_order_acquire); n != nullptr)
            n->stats().observe_request(m.pattern.empty() ? "unmatched" : m.pattern, res.result_int(), took);
        if (access_log && log::enabled(log::level::info))
            log::info(
                "access " + std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                std::to_string(res.result_int()) + " " + std::to_string(res.body().size()) + "B " +
                std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count()) + "us"
            );
    };
}

/// The access rules for this listener (docs/api.md, "Access"). The token is the operator's file,
/// or, on a node reachable beyond loopback, a fresh random one for the cookie (`cookie_token`).
net::access_policy make_access(const config& cfg, const tcp::endpoint& bound, std::string& cookie_token)
{
    net::access_settings s;
    const bool loopback_only = bound.address().is_loopback();
    s.extra_hosts = cfg.allow_hosts;
    if (!cfg.auth_token.empty()) {
        s.token = cfg.auth_token;
        s.token_on_loopback = true;
        struct stat st
        {};
        if (::stat(cfg.auth_token_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
            log::warning(
                "--auth-token-file " + cfg.auth_token_file + " is readable by every user (chmod o-r)"
            );
    } else if (!loopback_only) {
        s.token = cookie_token = net::random_token();
    }
    return net::access_policy(std::move(s));
}

/// Publishes the cookie once the data directory is ours (its lock is held), never before: a
/// second node refused for a directory in use must not overwrite the first one's cookie.
bool publish_cookie(const config& cfg, const std::string& token)
{
    if (token.empty())
        return false;
    if (cfg.in_memory) {
        log::warning("in memory there is no data directory for a .cookie: operator routes answer loopback "
                     "clients only (give --auth-token-file to open them to other hosts)");
        return false;
    }
    try {
        write_cookie(cfg.data_dir, token);
    } catch (const std::system_error& e) {
        log::error(std::string("operator routes answer loopback clients only: ") + e.what());
        return false;
    }
    log::info("operator token for other hosts written to " + cfg.data_dir + "/.cookie");
    return true;
}

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

/// The loaded node takes over: peers, its routes, the tutorial's "Running on" line, READY=1.
void serve(
    node& n,
    const config& cfg,
    const tcp::endpoint& ep,
    std::atomic<node*>& live,
    const std::atomic<bool>& quitting,
    asio::steady_timer& status,
    const std::string& cookie_token,
    bool& cookie_written
)
{
    if (quitting.load())
        return; // a signal came while loading: the node never serves
    cookie_written = publish_cookie(cfg, cookie_token);
    // Peers start on the chain strand before any route reaches the node: the strand runs in
    // order, so a request another I/O thread answers after "Running on" finds them started.
    n.start_network(advertised_address(cfg, ep));
    live.store(&n); // every I/O thread's routes now reach the node
    // A signal handled on another thread between the check above and the store saw no node to
    // stop. The stop sets `quitting` before it reads `live` (both sequentially consistent), so
    // one side always sees the other; node::shutdown runs once however often it is called.
    if (quitting.load()) {
        n.shutdown();
        return;
    }
    // The tutorial's Flask server announces itself like this; scripts wait for the line.
    std::cout << " * Running on http://" << url_host(ep) << ":" << ep.port() << "/ (Press CTRL+C to quit)"
              << std::endl;
    log::info(
        "node address " + n.address() + ", difficulty " +
        (cfg.consensus.asert ? std::string("set by the chain (asert)") : std::to_string(cfg.difficulty)) +
        ", " + std::to_string(cfg.miner_threads) + " miner threads, data " +
        (cfg.in_memory ? std::string("in memory") : cfg.data_dir)
    );
    notify_systemd("READY=1\nSTATUS=serving on " + url_host(ep) + ":" + std::to_string(ep.port()));
    asio::co_spawn(status.get_executor(), report_status(n, status), asio::detached);
}

/// SIGHUP (systemd's ExecReload) swaps in the certificate and key from their files for new
/// connections; open ones keep theirs. Without TLS it only keeps HUP from killing the node.
class reload_on_hangup
{
public:
    reload_on_hangup(asio::io_context& ioc, net::server_tls* tls)
        : tls_(tls)
        , signals_(ioc, SIGHUP)
    {
        wait();
    }

private:
    void wait()
    {
        signals_.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec)
                return;
            if (tls_ == nullptr)
                log::info("SIGHUP: nothing to reload (no --tls-cert)");
            else if (const std::string why = tls_->reload(); why.empty())
                log::info("SIGHUP: TLS certificate reloaded");
            else
                log::error("SIGHUP: keeping the old TLS certificate: " + why);
            wait();
        });
    }

    net::server_tls* tls_;
    asio::signal_set signals_;
};

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
    fit_connections_to_descriptors(cfg);
    std::signal(SIGXFSZ, SIG_IGN); // a write past RLIMIT_FSIZE must fail with EFBIG (a 503), not kill us

    std::unique_ptr<net::server_tls> tls;
    try {
        if (!cfg.tls_cert.empty())
            tls = std::make_unique<net::server_tls>(cfg.tls_cert, cfg.tls_key);
        cfg.peer.tls = net::make_client_tls(cfg.tls_ca);
    } catch (const std::runtime_error& e) {
        std::cerr << "beastchain-node: " << e.what() << "\n";
        return 2;
    }

    // Listen before loading: a port conflict fails at once, and while the chain loads the
    // start-up table answers /health and the API with 503 "starting" instead of a hang.
    // --io-threads threads drive the server, the peer clients and the chain strand; each
    // connection and the strand run on one of them at a time (node.hpp has the table).
    asio::io_context ioc(static_cast<int>(cfg.io_threads));
    std::atomic<node*> live{nullptr};  // published once loaded; read by handlers on every I/O thread
    std::atomic<bool> quitting{false}; // a stop signal was handled; see serve()
    const net::router routes = make_api(live);
    net::access_policy access; // set below, once the bound address is known, before serving
    net::http_server server(
        ioc.get_executor(), routes, cfg.server, access, make_observer(routes, live, cfg.access_log), tls.get()
    );
    reload_on_hangup reload(ioc, tls.get());
    tcp::endpoint endpoint;
    if (const int code = listen(ioc, cfg, server, endpoint); code != 0)
        return code;
    std::string cookie_token;
    bool cookie_written = false;
    access = make_access(cfg, endpoint, cookie_token);
    server.start();
    choose_data_dir(cfg, endpoint.port());

    // Load on a loader thread, then serve from an I/O thread (the post orders the writes).
    std::unique_ptr<node> owned;
    std::string load_error;
    int exit_code = 0;
    asio::steady_timer status_timer(asio::make_strand(ioc)); // its loop and its cancel share a strand
    std::thread loader([&] {
        try {
            owned = std::make_unique<node>(ioc, cfg);
        } catch (const storage::storage_error& e) {
            load_error = e.what();
        }
        asio::post(ioc, [&] {
            if (!load_error.empty()) {
                std::cerr << "beastchain-node: " << load_error << "\n";
                exit_code = 1;
                ioc.stop();
                return;
            }
            owned->stats().watch_writes(&server.writing());
            serve(*owned, cfg, endpoint, live, quitting, status_timer, cookie_token, cookie_written);
        });
    });

    // Shutdown in layers; storage flushes as the node is destroyed after the loop.
    signal_shutdown shutdown(ioc, server, [&] {
        quitting.store(true);
        if (node* const n = live.load(); n != nullptr)
            n->shutdown();
        asio::post(status_timer.get_executor(), [&status_timer] { status_timer.cancel(); });
    });
    std::atomic<bool> io_failed{false};
    // A handler that throws ends the loop on every thread and the process with exit 1, as it
    // did with one thread; a session's own failures never get here (they cost one connection).
    auto run_io = [&ioc, &io_failed] {
        try {
            ioc.run();
        } catch (const std::exception& e) {
            log::error(std::string("I/O thread failed: ") + e.what());
            io_failed.store(true);
            ioc.stop();
        }
    };
    std::vector<std::thread> io_threads;
    io_threads.reserve(cfg.io_threads - 1);
    try {
        for (unsigned i = 1; i < cfg.io_threads; ++i)
            io_threads.emplace_back(run_io);
    } catch (const std::system_error& e) {
        log::warning(
            "serving on " + std::to_string(io_threads.size() + 1) +
            " I/O threads: cannot start more: " + e.what()
        );
    }
    run_io();
    for (auto& t : io_threads)
        t.join(); // ioc.stop() returns every run(): the node is destroyed with no handler running
    // A stop may have ended the loop before the listener's close ran on its strand; new clients
    // must be refused now, not wait in the backlog through a long load or the final flush.
    server.close_listener();
    loader.join(); // a signal during a long load waits for it, so storage closes cleanly
    if (io_failed.load() && exit_code == 0)
        exit_code = 1;
    if (cookie_written)
        remove_cookie(cfg.data_dir);
    if (exit_code == 0)
        log::info("stopped");
    return exit_code;
}

} // namespace beastchain::node
