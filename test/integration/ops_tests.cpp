// Operations: health, status and metrics endpoints, systemd notifications, graceful shutdown under load.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;
using std::chrono::steady_clock;

namespace {

/// A loopback port free right now, for tests that must probe a node before it announces itself.
std::uint16_t free_port()
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

/// Whether a connection to `port` on loopback is refused (nothing listens there).
bool refused(std::uint16_t port)
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return ec == boost::asio::error::connection_refused;
}

/// Whether process `pid` (our child) is still running: not exited, not a zombie.
bool running(int pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    return static_cast<bool>(stat >> pid_field >> comm >> state) && state != "Z";
}

/// A unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class notify_listener
{
public:
    notify_listener()
    {
        path_ = "/tmp/beastchain-notify-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++);
        ::unlink(path_.c_str());
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        const timeval tv{0, 200'000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~notify_listener()
    {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    std::string env() const { return "NOTIFY_SOCKET=" + path_; }
    /// Everything received until `want` shows up or the deadline passes.
    std::string
    wait_for(const std::string& want, std::chrono::milliseconds deadline = std::chrono::seconds(5))
    {
        const auto end = steady_clock::now() + deadline;
        while (steady_clock::now() < end && got_.find(want) == std::string::npos) {
            char buf[1024];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0)
                got_.append(buf, static_cast<std::size_t>(n)).push_back('|');
        }
        return got_;
    }

private:
    static inline int counter_ = 0;
    std::string path_;
    int fd_ = -1;
    std::string got_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(ops_tests)

BOOST_AUTO_TEST_CASE(health_status_and_metrics_reflect_the_node)
{
    node_process node(quick_node({"--log-level", "info"}));
    BOOST_TEST(http_get(node.port(), "/health").json().at("status").as_string() == "ok");
    submit(node, "a", "b", 1);
    mine(node);
    submit(node, "c", "d", 2);
    http_get(node.port(), "/no-such-path-1");
    http_get(node.port(), "/no-such-path-2");

    const auto st = http_get(node.port(), "/status").json().as_object();
    BOOST_TEST(st.at("height").as_int64() == 1);
    BOOST_TEST(st.at("pending_transactions").as_int64() == 1);
    BOOST_TEST(st.at("difficulty").as_int64() == 12);
    BOOST_TEST(st.at("tip_hash").as_string().size() == 64u);
    BOOST_TEST(st.at("node_address").as_string().size() == 32u);
    BOOST_TEST(st.at("storage").as_string() == "ok");
    BOOST_TEST(st.at("hash_rate").as_double() > 0);
    BOOST_TEST(st.at("version").as_string() == "0.1.0");

    const auto m = http_get(node.port(), "/metrics");
    BOOST_TEST(m.headers.at("content-type").starts_with("text/plain; version=0.0.4"));
    for (const char* line :
         {"beastchain_http_requests_total{route=\"/create-transaction\",status=\"201\"} 2",
          "beastchain_http_requests_total{route=\"/mine\",status=\"200\"} 1",
          "beastchain_http_requests_total{route=\"unmatched\",status=\"404\"} 2",
          "beastchain_chain_height 1",
          "beastchain_pending_transactions 1",
          "beastchain_blocks_mined_total 1",
          "# TYPE beastchain_http_request_duration_seconds histogram"})
        BOOST_TEST(m.body.find(line) != std::string::npos, line);
    BOOST_TEST(m.body.find("no-such-path") == std::string::npos); // raw 404 paths never become labels

    // The access log has one line per request.
    BOOST_TEST(node.log().find("access POST /create-transaction 201") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_label_by_route_pattern_so_series_stay_bounded)
{
    node_process node(quick_node());
    const auto series = [&] {
        const std::string body = http_get(node.port(), "/metrics").body;
        std::size_t n = 0;
        for (std::size_t at = body.find("\nbeastchain_http_"); at != std::string::npos;
             at = body.find("\nbeastchain_http_", at + 1))
            ++n;
        return std::pair{n, body};
    };
    // A request is counted once its reply is written, so with several I/O threads a scrape can
    // miss the request just before it: wait until /blocks/0 and /metrics itself are counted.
    http_get(node.port(), "/blocks/0");
    std::size_t baseline = 0;
    BOOST_TEST(wait_until([&] {
        const auto [n, body] = series();
        baseline = n;
        return has(body, "route=\"/metrics\",status=\"200\"}") &&
               has(body, "route=\"/blocks/{}\",status=\"200\"} 1");
    }));
    // 200 distinct block paths (most of them 404s) and a few bad methods on one pattern.
    for (int i = 0; i < 200; ++i)
        http_get(node.port(), "/blocks/" + std::to_string(i));
    http_call(node.port(), "DELETE", "/blocks/7");
    std::pair<std::size_t, std::string> last;
    BOOST_TEST(wait_until([&] {
        last = series();
        return has(last.second, "status=\"405\"} 1") && has(last.second, "status=\"404\"} 199");
    }));
    const auto& [after, body] = last;
    BOOST_TEST_MESSAGE("http series: " << baseline << " -> " << after);
    BOOST_TEST(body.find("route=\"/blocks/{}\",status=\"200\"} 2") != std::string::npos, body);
    BOOST_TEST(body.find("route=\"/blocks/{}\",status=\"404\"} 199") != std::string::npos, body);
    BOOST_TEST(body.find("route=\"/blocks/{}\",status=\"405\"} 1") != std::string::npos, body);
    BOOST_TEST(body.find("route=\"/blocks/1") == std::string::npos);
    // Two new status codes on a known route add two request counters, nothing else grows.
    BOOST_TEST(after <= baseline + 2);
}

BOOST_AUTO_TEST_CASE(sigterm_under_load_exits_0_and_keeps_every_acknowledged_transaction)
{
    temp_data_dir dir;
    std::vector<std::string> acked;
    double shutdown_seconds = 0;
    {
        node_process node(quick_node({"--data-dir", dir.path}));
        std::atomic<bool> stop{false};
        std::mutex m;
        std::vector<std::thread> clients;
        for (int t = 0; t < 8; ++t)
            clients.emplace_back([&, t] {
                for (int i = 0; !stop; ++i) {
                    try {
                        const auto r = http_post_json(
                            node.port(), "/create-transaction", tx_json("c" + std::to_string(t), "r", i + 1)
                        );
                        if (r.status == 201) {
                            const std::lock_guard lock(m);
                            acked.emplace_back(r.json().at("transaction_id").as_string());
                        }
                    } catch (const std::exception&) {
                        if (stop)
                            return;
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    }
                }
            });
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        const auto t0 = steady_clock::now();
        const int code = node.stop(SIGTERM);
        shutdown_seconds = std::chrono::duration<double>(steady_clock::now() - t0).count();
        stop = true;
        for (auto& c : clients)
            c.join();
        BOOST_TEST(code == 0);
    }
    BOOST_TEST_MESSAGE(
        "SIGTERM under load: exited in " << shutdown_seconds << " s with " << acked.size() << " acknowledged"
    );
    BOOST_TEST(shutdown_seconds < 3.0);
    BOOST_REQUIRE(acked.size() > 50u);
    node_process node(quick_node({"--data-dir", dir.path}));
    bj::array chain;
    for (int i = 0; i < 100; ++i)
        if (mine(node).at("transactions").as_array().size() == 1)
            break;
    chain = chain_of(node);
    for (const auto& id : acked)
        BOOST_TEST_REQUIRE(count_in_chain(chain, id) == 1, id);
}

BOOST_AUTO_TEST_CASE(metrics_count_what_slow_readers_hold)
{
    // A reader that asks for the whole chain and never reads: its reply stays in writing, and
    // /metrics counts it, exactly, until the reader goes away.
    temp_data_dir dir;
    const auto gen = run_program(
        BEASTCHAIN_GEN_CHAIN_BINARY,
        {"--data-dir", dir.path, "--blocks", "2000", "--transactions-per-block", "20"},
        std::chrono::seconds(120)
    );
    BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
    node_process node(quick_node({"--data-dir", dir.path, "--difficulty", "1"}));
    const std::size_t chain_bytes = http_get(node.port(), "/chain").body.size();
    BOOST_TEST_REQUIRE(chain_bytes > 6'000'000u); // more than the kernel buffers take (4 MiB send)
    const auto writing = [&] {
        const std::string m = http_get(node.port(), "/metrics").body;
        return std::pair{
            metric_value(m, "beastchain_http_replies_writing"),
            metric_value(m, "beastchain_http_reply_bytes_writing")};
    };
    BOOST_TEST(writing().first == 0.0);

    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket slow(ioc);
    slow.open(boost::asio::ip::tcp::v4());
    slow.set_option(boost::asio::socket_base::receive_buffer_size(4096));
    slow.connect({boost::asio::ip::make_address("127.0.0.1"), node.port()});
    const std::string req = "GET /chain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    boost::asio::write(slow, boost::asio::buffer(req));
    BOOST_TEST(wait_until([&] { return writing().first == 1.0; }), "replies writing: " << writing().first);
    BOOST_TEST(writing().second == static_cast<double>(chain_bytes));

    slow.close();
    BOOST_TEST(
        wait_until([&] {
            return writing() == std::pair{0.0, 0.0};
        }),
        "after close: " << writing().second
    );
}

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_do_not_delay_shutdown)
{
    node_process node(quick_node());
    // Open connections that finish one request and then sit idle (idle timeout is 60 s).
    std::vector<std::thread> idle;
    for (int i = 0; i < 5; ++i)
        idle.emplace_back([port = node.port()] {
            raw_exchange(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", std::chrono::seconds(10));
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto t0 = steady_clock::now();
    BOOST_TEST(node.stop(SIGTERM) == 0);
    const double took = std::chrono::duration<double>(steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("SIGTERM with 5 idle keep-alive connections: " << took << " s");
    BOOST_TEST(took < 1.0);
    for (auto& t : idle)
        t.join();
}

BOOST_AUTO_TEST_CASE(systemd_is_told_ready_status_and_stopping)
{
    notify_listener systemd;
    node_process::options opts;
    opts.env.push_back(systemd.env());
    node_process node(quick_node(), opts);
    const std::string ready = systemd.wait_for("READY=1");
    BOOST_TEST(ready.find("READY=1") != std::string::npos, ready);
    BOOST_TEST(systemd.wait_for("STATUS=height 0").find("STATUS=height 0, 0 peers") != std::string::npos);
    BOOST_TEST(node.stop(SIGTERM) == 0);
    BOOST_TEST(systemd.wait_for("STOPPING=1").find("STOPPING=1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(health_says_starting_while_the_chain_loads)
{
    // A data directory big enough that loading it takes a noticeable moment.
    temp_data_dir dir;
    const int blocks = sanitized ? 20000 : 60000; // instrumented builds load several times slower
    write_chain(dir, blocks);

    // A free port, chosen up front so we can probe before the node announces itself.
    const std::uint16_t port = free_port();
    std::unique_ptr<node_process> node;
    std::thread starter([&] {
        node_process::options slow_start;
        slow_start.startup = std::chrono::seconds(120);
        node = std::make_unique<node_process>(
            std::vector<std::string>{
                "-p",
                std::to_string(port),
                "--difficulty",
                "1",
                "--data-dir",
                dir.path,
                "--log-level",
                "warning"},
            slow_start
        );
    });
    bool saw_starting = false;
    for (int i = 0; i < 500 && !saw_starting; ++i) {
        try {
            const auto r = http_get(port, "/health", std::chrono::seconds(2));
            saw_starting = r.status == 503 && r.body.find("starting") != std::string::npos;
            if (r.status == 200)
                break; // loaded already
        } catch (const std::exception&) {
            // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    starter.join();
    BOOST_TEST(saw_starting);
    const auto ready = http_get(port, "/health");
    BOOST_TEST(ready.status == 200u);
    BOOST_TEST(ready.json().at("height").as_int64() == blocks);
}

BOOST_AUTO_TEST_CASE(sigterm_while_loading_refuses_new_connections_at_once)
{
    // Stopping a node that is still loading waits for the load (storage must close cleanly), but
    // its port must refuse clients at once, not hold them in the listen backlog until the end.
    temp_data_dir dir;
    const int blocks = sanitized ? 20000 : 60000;
    write_chain(dir, blocks);
    const std::uint16_t port = free_port();
    node_process::options early;
    early.wait_until_serving = false;
    early.startup = std::chrono::seconds(120);
    // One I/O thread: the stop then always ends the loop before a close posted to the listener's
    // strand could run, so only a close after the loop keeps this test green.
    node_process node(
        {"-p",
         std::to_string(port),
         "--io-threads",
         "1",
         "--difficulty",
         "1",
         "--data-dir",
         dir.path,
         "--reverify",
         "--log-level",
         "warning"},
        early
    );
    const bool starting = wait_until([&] {
        try {
            return http_get(port, "/health", std::chrono::seconds(2)).status == 503u;
        } catch (const std::exception&) {
            return false; // not listening yet
        }
    });
    BOOST_TEST_REQUIRE(starting, "the node never answered 503 starting");
    const auto signalled = steady_clock::now();
    BOOST_TEST_REQUIRE(::kill(node.pid(), SIGTERM) == 0);
    // The load goes on after the signal, and the process exits only once it is done. Refused
    // long before that exit is what tells a prompt close from the close at the very end.
    std::optional<steady_clock::duration> refused_after;
    while (running(node.pid())) {
        if (!refused_after && refused(port))
            refused_after = steady_clock::now() - signalled;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const auto exited_after = steady_clock::now() - signalled;
    const auto ms = [](steady_clock::duration d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    BOOST_TEST_REQUIRE(refused_after.has_value());
    BOOST_TEST(
        *refused_after < exited_after / 2,
        "refused " << ms(*refused_after) << " ms after SIGTERM, exited after " << ms(exited_after) << " ms"
    );
    BOOST_TEST(node.stop(0, std::chrono::seconds(120)) == 0); // signal 0: only waits for the exit
}

BOOST_AUTO_TEST_SUITE_END()
