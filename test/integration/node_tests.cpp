// Process-level behaviour: responsiveness while mining, flags, port conflicts and clean shutdown.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <csignal>
#include <future>
#include <sys/resource.h>

#include "helpers.hpp"

using namespace beastchain::test;
using std::chrono::steady_clock;

namespace {

/// A client connection that sends raw bytes and can leave without reading the reply.
struct raw_connection
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket sock{ioc};
    explicit raw_connection(std::uint16_t port)
    {
        sock.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    }
    void send(const std::string& bytes) { boost::asio::write(sock, boost::asio::buffer(bytes)); }
    void close()
    {
        boost::system::error_code ignored;
        sock.close(ignored);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(node_tests)

BOOST_AUTO_TEST_CASE(chain_stays_responsive_while_mining)
{
    // Difficulty 40 (about 2^40 hashes) keeps both miner threads busy for the whole test: at 28 a
    // lucky nonce within the first second (a few percent of runs on a 2-core CI machine) left too
    // few samples. The node is killed at the end, so the search never has to finish.
    node_process node({"--difficulty", "40", "--miner-threads", "2", "--log-level", "warning"});
    for (int i = 0; i < 10; ++i)
        submit(node, "a", "b", i + 1);
    auto mining = std::async(std::launch::async, [&node] {
        try {
            return http_get(node.port(), "/mine", std::chrono::seconds(120)).status;
        } catch (const std::exception&) {
            return 0u; // the node is stopped at the end of the test
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200)); // let the miners spin up

    std::vector<double> ms;
    for (int i = 0; i < 40 && mining.wait_for(std::chrono::seconds(0)) != std::future_status::ready; ++i) {
        const auto t0 = steady_clock::now();
        const auto r = http_get(node.port(), "/chain", std::chrono::seconds(5));
        ms.push_back(std::chrono::duration<double, std::milli>(steady_clock::now() - t0).count());
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(submit(node, "c", "d", 1).size() == 64u); // writes are served too
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const bool still_mining = mining.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    BOOST_REQUIRE_MESSAGE(
        ms.size() >= 10, "mining finished too soon to measure (" << ms.size() << " samples)"
    );
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2], worst = ms.back();
    BOOST_TEST_MESSAGE(
        "/chain while mining: " << ms.size() << " samples, median " << median << " ms, max " << worst
                                << " ms, still mining at end: " << still_mining
    );
    // Generous bounds for a loaded 2-core machine: a blocked I/O thread would take seconds.
    BOOST_TEST(median < 50.0);
    BOOST_TEST(worst < 500.0);
    node.stop(SIGKILL);
}

BOOST_AUTO_TEST_CASE(port_in_use_exits_2_with_one_line)
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = std::to_string(taken.local_endpoint().port());
    const auto r = run_node_to_exit({"-p", port});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("cannot listen on 127.0.0.1:" + port) != std::string::npos, r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

BOOST_AUTO_TEST_CASE(bad_flags_exit_2_help_and_version_exit_0)
{
    const auto bad = run_node_to_exit({"--no-such-flag"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(std::count(bad.err.begin(), bad.err.end(), '\n') == 1, bad.err);
    BOOST_TEST(run_node_to_exit({"--port", "99999"}).exit_code == 2);
    const auto help = run_node_to_exit({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("--host") != std::string::npos);
    const auto version = run_node_to_exit({"--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(version.out.starts_with("beastchain-node "));
}

BOOST_AUTO_TEST_CASE(sigterm_while_mining_exits_0_promptly)
{
    node_process node({"--difficulty", "40", "--miner-threads", "2", "--log-level", "warning"});
    auto mining = std::async(std::launch::async, [&node] {
        try {
            return http_get(node.port(), "/mine", std::chrono::seconds(30)).status;
        } catch (const std::exception&) {
            return 0u;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto t0 = steady_clock::now();
    BOOST_TEST(node.stop(SIGTERM, std::chrono::seconds(5)) == 0);
    BOOST_TEST(std::chrono::duration<double>(steady_clock::now() - t0).count() < 3.0);
    const unsigned status = mining.get();
    BOOST_TEST((status == 503u || status == 0u)); // told "shutting down", or the connection closed
}

BOOST_AUTO_TEST_CASE(a_queued_mine_whose_client_left_is_dropped_before_its_search)
{
    // Difficulty 40 never finishes here: the first caller's search runs for the whole test.
    node_process node({"--difficulty", "40", "--miner-threads", "1", "--log-level", "warning"});
    raw_connection first(node.port()), second(node.port()), third(node.port());
    const auto waiting = [&] {
        return status_of(node).at("mine_requests").to_number<int>();
    };
    // The first caller's search must be the running one: its request goes in alone (sent
    // together, the three could be served in any order, and a later one's search would run).
    first.send("GET /mine HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    BOOST_TEST_REQUIRE(wait_until([&] { return waiting() == 1; }));
    for (auto* c : {&second, &third})
        c->send("GET /mine HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    BOOST_TEST_REQUIRE(wait_until([&] { return waiting() == 3; }));
    second.close();
    third.close();
    // The two that left were queued behind a running search: they must not each force a block.
    BOOST_TEST(wait_until([&] { return waiting() == 1; }), "still waiting: " << waiting());
    BOOST_TEST(status_of(node).at("mining").as_bool());
    // The caller whose search started keeps it; a client that leaves then costs only that search.
    first.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(waiting() == 1);
    BOOST_TEST(node.stop(SIGTERM, std::chrono::seconds(5)) == 0);
}

BOOST_AUTO_TEST_CASE(a_sync_round_that_fails_as_it_finishes_costs_one_request_not_all_later_syncs)
{
    node_process peer(quick_node());
    mine(peer);
    mine(peer);
    node_process node(quick_node({"--fail-point", "sync-finish", "--sync-interval", "0"}));
    register_peer(node, peer.url());
    // The first round's completion throws: its caller gets a 500 rather than silence.
    const auto failed = http_get(node.port(), "/sync-chain", std::chrono::seconds(10));
    BOOST_TEST(failed.status == 500u, failed.body);
    // And the next round still runs (it used to wait forever behind a "sync running" flag).
    const auto synced = http_get(node.port(), "/sync-chain", std::chrono::seconds(10));
    BOOST_TEST(synced.status == 200u, synced.body);
    BOOST_TEST(chain_of(node) == chain_of(peer));
}

BOOST_AUTO_TEST_CASE(with_mine_a_node_mines_on_its_own_to_its_mining_address)
{
    // Difficulty 16: a few milliseconds a block, so the chain grows steadily but not absurdly.
    node_process node(quick_node({"--mine", "--difficulty", "16", "--mining-address", "miner-7"}));
    BOOST_TEST(wait_until([&] { return status_of(node).at("height").to_number<int>() >= 3; }));
    // A transaction is confirmed with nobody calling /mine.
    const std::string id = submit(node, "addr1", "addr2", 4);
    BOOST_TEST(wait_until([&] {
        return http_get(node.port(), "/transactions/" + id).json().at("status").as_string() == "confirmed";
    }));
    // /mine still answers with a block of its own while the node mines.
    const auto block = mine(node);
    BOOST_TEST(block.at("index").to_number<int>() >= 1);
    // Every reward went to --mining-address, none to the node's own address.
    for (const auto& b : chain_of(node)) {
        const auto& txs = b.at("transactions").as_array();
        if (b.at("index").to_number<int>() > 0)
            BOOST_TEST(txs.back().at("recipient").as_string() == "miner-7");
    }
    // And it stops promptly, mid-search or not.
    BOOST_TEST(node.stop(SIGTERM, std::chrono::seconds(5)) == 0);
}

BOOST_AUTO_TEST_CASE(without_mine_a_node_mines_only_for_mine_callers)
{
    node_process node(quick_node());
    submit(node, "addr1", "addr2", 4);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    BOOST_TEST(status_of(node).at("height").to_number<int>() == 0);
    mine(node);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(status_of(node).at("height").to_number<int>() == 1); // no search runs on for nobody
    const auto bad = run_node_to_exit({"--mining-address", std::string(300, 'a')});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(has(bad.err, "mining-address"), bad.err);
}

BOOST_AUTO_TEST_CASE(with_mine_a_full_disk_pauses_mining_and_room_resumes_it)
{
    // No sync rounds and no callers: only the miner's own blocks can notice the failed write.
    node_process::options small_disk;
    small_disk.file_size_limit = 48 * 1024;
    node_process node(quick_node({"--mine", "--difficulty", "14", "--sync-interval", "0"}), small_disk);
    BOOST_TEST_REQUIRE(wait_until(
        [&] { return node.log().find("refusing writes until storage recovers") != std::string::npos; },
        std::chrono::seconds(30)
    ));
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    BOOST_TEST_REQUIRE(::prlimit(node.pid(), RLIMIT_FSIZE, &unlimited, nullptr) == 0);
    const int at_room = status_of(node).at("height").to_number<int>();
    BOOST_TEST(
        wait_until(
            [&] { return status_of(node).at("height").to_number<int>() >= at_room + 5; },
            std::chrono::seconds(20)
        ),
        node.log()
    );
    BOOST_TEST(status_of(node).at("storage").as_string() == "ok");
}

BOOST_AUTO_TEST_SUITE_END()
