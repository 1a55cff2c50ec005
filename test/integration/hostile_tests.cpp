// Hostile clients and peers against a real node: every case must leave it responsive, unchanged and bounded
// in memory.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <fstream>
#include <future>
#include <sys/resource.h>
#include <thread>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain::test;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using std::chrono::steady_clock;

namespace {

long rss_kib(int pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

/// The node's observable state: chain and pending count must not move under bad input.
struct snapshot
{
    std::string chain;
    std::int64_t pending = 0;
    explicit snapshot(const node_process& n)
        : chain(http_get(n.port(), "/chain").body)
        , pending(http_get(n.port(), "/status").json().at("pending_transactions").as_int64())
    {}
};

/// How much RSS may grow across one hostile case. The bound is for the real build; sanitizer
/// builds keep freed memory in quarantine and add redzones (ASan turned the 1,000,000-block
/// peer's transient 33 MiB into 190 MiB), so there the check only guards against runaway growth.
constexpr long rss_growth_limit_kib = sanitized ? 512 * 1024 : 64 * 1024;

/// After a hostile case: /health answers within a second, state is unchanged, RSS stays bounded.
void expect_unharmed(const node_process& n, const snapshot& before, long rss_before_kib, const char* what)
{
    const auto t0 = steady_clock::now();
    const auto h = http_get(n.port(), "/health", std::chrono::seconds(2));
    const double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - t0).count();
    const long rss = rss_kib(n.pid());
    BOOST_TEST_MESSAGE(
        what << ": /health " << h.status << " in " << ms << " ms; RSS " << rss_before_kib << " -> " << rss
             << " KiB"
    );
    BOOST_TEST(h.status == 200u, what);
    BOOST_TEST(ms < (sanitized ? 5000.0 : 1000.0), what);
    const snapshot after(n);
    BOOST_TEST(after.chain == before.chain, what);
    BOOST_TEST(after.pending == before.pending, what);
    BOOST_TEST(
        rss < rss_before_kib + rss_growth_limit_kib,
        what << ": RSS grew by " << (rss - rss_before_kib) << " KiB"
    );
}

/// A raw client connection for byte-level abuse.
struct raw_client
{
    asio::io_context ioc;
    tcp::socket sock{ioc};
    explicit raw_client(std::uint16_t port) { sock.connect({asio::ip::make_address("127.0.0.1"), port}); }
    bool send(const std::string& bytes)
    {
        boost::system::error_code ec;
        asio::write(sock, asio::buffer(bytes), ec);
        return !ec;
    }
    /// Reads until the server closes (or `timeout`); returns what it sent.
    std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        const timeval tv{
            static_cast<long>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000)};
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string out;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(sock.native_handle(), buf, sizeof buf, 0);
            if (n <= 0)
                return out;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
};

/// Short read deadlines so slow clients are cut off quickly; `extra` may override them.
/// Opens `count` connections to the node that never send a byte.
std::vector<tcp::socket> open_idle_connections(asio::io_context& ioc, std::uint16_t port, int count)
{
    std::vector<tcp::socket> idle;
    for (int i = 0; i < count; ++i) {
        idle.emplace_back(ioc);
        idle.back().connect({asio::ip::make_address("127.0.0.1"), port});
    }
    return idle;
}

std::vector<std::string> hostile_node(std::vector<std::string> extra = {})
{
    for (const char* flag : {"--header-timeout-ms", "--body-timeout-ms"})
        if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
            extra.push_back(flag);
            extra.push_back("1000");
        }
    extra.push_back("--log-level");
    extra.push_back("error");
    return quick_node(extra);
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_tests)

BOOST_AUTO_TEST_CASE(slowloris_headers_and_body_are_cut_off)
{
    node_process n(hostile_node());
    submit(n, "a", "b", 1);
    const snapshot before(n);
    const long rss = rss_kib(n.pid());

    for (const bool body : {false, true}) {
        raw_client c(n.port());
        const std::string head =
            body ? "POST /create-transaction HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                   "application/json\r\nContent-Length: 200\r\n\r\n{"
                 : "GET /chain HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        c.send(head);
        const auto t0 = steady_clock::now();
        bool cut = false;
        for (int i = 0; i < 40 && !cut; ++i) { // would take 8 s to finish
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            cut = !c.send(body ? " " : "X");
        }
        if (!cut) // the write may still be buffered: the close shows up on read
            c.read_all(std::chrono::seconds(3));
        const double s = std::chrono::duration<double>(steady_clock::now() - t0).count();
        BOOST_TEST_MESSAGE(
            "slowloris " << (body ? "body" : "headers") << ": connection closed after " << s << " s"
        );
        BOOST_TEST(s < 4.0);
    }
    expect_unharmed(n, before, rss, "slowloris");
}

BOOST_AUTO_TEST_CASE(two_thousand_idle_connections)
{
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    BOOST_REQUIRE_MESSAGE(lim.rlim_cur > 2200, "needs 2,200 descriptors, have " << lim.rlim_cur);

    node_process n(hostile_node({"--header-timeout-ms", "60000"}));
    const snapshot before(n);
    const long rss = rss_kib(n.pid());
    asio::io_context ioc;
    const auto idle = open_idle_connections(ioc, n.port(), 2000);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    expect_unharmed(n, before, rss, "2,000 idle connections");
    BOOST_TEST(http_get(n.port(), "/metrics").status == 200u);
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_get_503)
{
    node_process n(hostile_node({"--max-connections", "50", "--header-timeout-ms", "60000"}));
    asio::io_context ioc;
    auto held = open_idle_connections(ioc, n.port(), 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    raw_client extra(n.port());
    const std::string reply = extra.read_all(std::chrono::seconds(3));
    BOOST_TEST(reply.starts_with("HTTP/1.1 503"), reply);
    BOOST_TEST(reply.find("too_many_connections") != std::string::npos);
    held.clear(); // the node frees the slots
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(http_get(n.port(), "/health").status == 200u);
}

BOOST_AUTO_TEST_CASE(hundred_megabyte_bodies_are_refused_without_being_read)
{
    node_process n(hostile_node());
    const snapshot before(n);
    const long rss = rss_kib(n.pid());
    const std::string mib(1024 * 1024, 'x');
    const auto flood = [&](const std::string& head, bool chunked) {
        raw_client c(n.port());
        c.send(head);
        std::size_t sent = 0;
        for (int i = 0; i < 100; ++i) { // up to 100 MiB, until the node stops reading
            const std::string piece = chunked ? "100000\r\n" + mib + "\r\n" : mib;
            if (!c.send(piece))
                break;
            sent += piece.size();
        }
        return std::pair{c.read_all(std::chrono::seconds(5)), sent};
    };
    const std::string post =
        "POST /create-transaction HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    const auto [with_length, s1] = flood(post + "Content-Length: 104857600\r\n\r\n", false);
    BOOST_TEST(with_length.starts_with("HTTP/1.1 413"), with_length.substr(0, 80));
    const auto [chunked, s2] = flood(post + "Transfer-Encoding: chunked\r\n\r\n", true);
    BOOST_TEST(chunked.starts_with("HTTP/1.1 413"), chunked.substr(0, 80));
    // Without a length the bytes after the headers are no body: they are read as a next request.
    const auto [no_length, s3] = flood(post + "\r\n", false);
    BOOST_TEST(
        (no_length.starts_with("HTTP/1.1 400") || no_length.find("HTTP/1.1 431") != std::string::npos),
        no_length.substr(0, 200)
    );
    BOOST_TEST_MESSAGE(
        "100 MB bodies: node stopped reading after " << s1 << ", " << s2 << ", " << s3 << " bytes"
    );
    expect_unharmed(n, before, rss, "100 MB bodies");
}

BOOST_AUTO_TEST_CASE(one_megabyte_header_and_invalid_http)
{
    node_process n(hostile_node());
    const snapshot before(n);
    const long rss = rss_kib(n.pid());
    {
        raw_client c(n.port());
        c.send(
            "GET /chain HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(1024 * 1024, 'a') + "\r\n\r\n"
        );
        BOOST_TEST(c.read_all().starts_with("HTTP/1.1 431"));
    }
    for (const char* junk :
         {"GARBAGE\r\n\r\n",
          "GET /chain HTTP/9.9\r\n\r\n",
          "GET /chain HTTP/1.1\r\nHost x\r\n\r\n",
          "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
          "POST /create-transaction HTTP/1.1\r\nContent-Length: -5\r\n\r\n"}) {
        raw_client c(n.port());
        c.send(junk);
        const std::string r = c.read_all(std::chrono::seconds(3));
        BOOST_TEST((r.empty() || r.starts_with("HTTP/1.1 400")), r.substr(0, 60));
    }
    expect_unharmed(n, before, rss, "1 MB header, invalid HTTP");
}

BOOST_AUTO_TEST_CASE(hostile_json_bodies_get_400_naming_what_is_wrong)
{
    node_process n(hostile_node());
    submit(n, "a", "b", 1);
    const snapshot before(n);
    const long rss = rss_kib(n.pid());
    const auto expect_400 = [&](const std::string& body, const std::string& field, const std::string& what) {
        const auto r = http_post_json(n.port(), "/create-transaction", body);
        BOOST_TEST(r.status == 400u, what << ": " << r.body);
        BOOST_TEST(r.json().at("field").as_string() == field, what);
        BOOST_TEST(std::string(r.json().at("detail").as_string()).find(what) != std::string::npos, r.body);
    };
    expect_400(
        "{\"sender\":\"\xc3\x28\",\"recipient\":\"b\",\"amount\":1}", "body", "not valid JSON"
    ); // bad UTF-8
    expect_400(
        std::string(1'000, '[') + std::string(1'000, ']'), "body", "too deep"
    ); // under the 16 KiB route limit
    expect_400(R"({"sender":"a","recipient":"b","amount":1,"amount":1000000})", "body", "twice");
    expect_400(R"({"sender":"a","recipient":"b","amount":1e309})", "amount", "integer");
    for (const char* amount :
         {"-1", "2.5", "\"3\"", "null", "false", "18446744073709551616", "1000000000000001"})
        expect_400(
            std::string(R"({"sender":"a","recipient":"b","amount":)") + amount + "}", "amount", "integer"
        );
    expect_400(
        R"({"sender":")" + std::string(300, 's') + R"(","recipient":"b","amount":1})", "sender", "longer than"
    );
    expect_unharmed(n, before, rss, "hostile JSON");
}

BOOST_AUTO_TEST_CASE(pathological_json_shapes_are_refused_in_linear_time_off_the_io_thread)
{
    node_process n(hostile_node());
    submit(n, "a", "b", 1);
    const snapshot before(n);
    const long rss = rss_kib(n.pid());

    // The review's body: 80,000 distinct keys, just under 1 MiB. Its duplicate-key check was
    // quadratic on the I/O thread and held /health for 8 s.
    std::string many_keys = "{";
    for (int i = 0; i < 80'000; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "\"k%06d\":0", i);
        many_keys += (i ? "," : "") + std::string(key);
    }
    many_keys += "}";
    std::string wide = "{\"transactions\":[0";
    for (int i = 0; i < 400'000; ++i)
        wide += ",0";
    wide += "]}";
    const std::string long_string = "{\"transactions\":[\"" + std::string(1000 * 1000, 'x') + "\"]}";
    const std::string deep = std::string(400'000, '[') + std::string(400'000, ']');

    // Each on the peer route (the full 1 MiB limit) while /health is polled; the client route
    // refuses the same bytes unread.
    for (const auto& [body, what] : std::vector<std::pair<std::string, std::string>>{
             {many_keys, "more than 64 members"},
             {wide, "more than 1000 elements"},
             {long_string, "longer than 4096 bytes"},
             {deep, "too deep"}}) {
        auto posted = std::async(std::launch::async, [&, b = body] {
            return http_post_json(n.port(), "/transactions", b);
        });
        double worst_ms = 0;
        int probes = 0;
        while (posted.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready || probes < 5) {
            const auto t0 = steady_clock::now();
            BOOST_TEST(http_get(n.port(), "/health", std::chrono::seconds(10)).status == 200u);
            worst_ms = std::max(
                worst_ms, std::chrono::duration<double, std::milli>(steady_clock::now() - t0).count()
            );
            ++probes;
        }
        const auto r = posted.get();
        BOOST_TEST_MESSAGE(
            what << ": " << body.size() << " bytes -> " << r.status << "; /health worst " << worst_ms
                 << " ms over " << probes << " probes"
        );
        BOOST_TEST(r.status == 400u, what << ": " << r.body.substr(0, 200));
        BOOST_TEST(r.body.find(what) != std::string::npos, r.body.substr(0, 200));
        // 50 ms is the promise; the bound leaves room for a loaded 2-core CI machine.
        BOOST_TEST(worst_ms < (sanitized ? 1000.0 : 250.0), what << ": /health took " << worst_ms << " ms");
        const auto small = http_post_json(n.port(), "/create-transaction", body);
        BOOST_TEST(small.status == 413u, what << ": " << small.status << " " << small.body);
    }
    expect_unharmed(n, before, rss, "pathological JSON shapes");
}

BOOST_AUTO_TEST_CASE(a_status_reply_is_capped_at_a_few_kib)
{
    // A /status reply is a few hundred bytes: one of 20 KiB (valid JSON) is refused unread.
    fake_peer padded(fake_peer::mode::serve, "{}", 404);
    padded.route(
        "/status",
        200,
        R"({"height":1,"tip_hash":")" + std::string(64, '0') + R"(","cumulative_work":"99","pad":")" +
            std::string(20 * 1024, 'p') + "\"}"
    );
    node_process n(hostile_node({"--advertise-url", "none"}));
    register_peer(n, padded.url());
    const auto r = http_get(n.port(), "/sync-chain", std::chrono::seconds(30));
    const std::string failed = boost::json::serialize(r.json().at("peers_failed"));
    BOOST_TEST(failed.find("exceeds 16384 bytes") != std::string::npos, failed);
}

BOOST_AUTO_TEST_CASE(endless_and_enormous_peers_cannot_exhaust_the_node)
{
    fake_peer endless(fake_peer::mode::endless);
    // Claims enormous work, then answers the headers request with a million (empty) headers.
    std::string tiny = "{\"from\":1,\"height\":1000000,\"headers\":[";
    for (int i = 0; i < 1'000'000; ++i)
        tiny += i ? ",\"\"" : "\"\"";
    tiny += "]}";
    fake_peer million(fake_peer::mode::serve, "{}", 404);
    million.route(
        "/status",
        200,
        R"({"height":1000000,"tip_hash":")" + std::string(64, '0') +
            R"(","cumulative_work":"99999999999999","protocol":4})"
    );
    million.route("/headers", 200, tiny);

    node_process n(hostile_node({"--peer-response-timeout-ms", "5000", "--advertise-url", "none"}));
    submit(n, "a", "b", 1);
    register_peer(n, endless.url());
    register_peer(n, million.url());
    const snapshot before(n);
    const long rss = rss_kib(n.pid());
    const auto t0 = steady_clock::now();
    const auto r = http_get(n.port(), "/sync-chain", std::chrono::seconds(30));
    const double s = std::chrono::duration<double>(steady_clock::now() - t0).count();
    const std::string failed = boost::json::serialize(r.json().at("peers_failed"));
    BOOST_TEST_MESSAGE("endless + 1,000,000-block peers: sync answered in " << s << " s: " << failed);
    BOOST_TEST(r.json().at("peers_failed").as_array().size() == 2u, failed);
    BOOST_TEST(failed.find("exceeds") != std::string::npos); // the endless body hit the size cap
    BOOST_TEST(
        failed.find("more than 2000 elements") != std::string::npos, failed
    ); // refused before decoding one
    BOOST_TEST(s < (sanitized ? 30.0 : 10.0));
    expect_unharmed(n, before, rss, "endless and enormous peers");
}

BOOST_AUTO_TEST_SUITE_END()
