// The peer network end to end: five real nodes in a line converge, partitions heal onto the most
// work, bootstrap peers and announcements, and no acknowledged transaction is lost or doubled.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;
using std::chrono::steady_clock;

namespace {

std::string tip_of(const node_process& n)
{
    return std::string(status_of(n).at("tip_hash").as_string());
}

using nodes = std::vector<std::unique_ptr<node_process>>;

nodes start_nodes(std::size_t count, const std::vector<std::string>& extra = {})
{
    nodes out;
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(std::make_unique<node_process>(quick_node(extra)));
    return out;
}

/// Links node i to node j (the registration is announced back, so the link is two-way).
void link(const nodes& ns, std::size_t i, std::size_t j)
{
    register_peer(*ns[i], ns[j]->url());
}

/// Cumulative work as /status prints it (a decimal string), comparable as a number.
std::pair<std::size_t, std::string> work_of(const node_process& n)
{
    std::string w(status_of(n).at("cumulative_work").as_string());
    return {w.size(), w};
}

/// Each node's height and tip, for a failure message.
std::string describe(const nodes& ns)
{
    std::string out;
    for (const auto& n : ns) {
        const auto st = status_of(*n);
        out += " [" + std::to_string(st.at("height").to_number<long long>()) + " " +
               std::string(st.at("tip_hash").as_string()).substr(0, 12) + "]";
    }
    return out;
}

bool same_tip(const nodes& ns)
{
    const std::string first = tip_of(*ns.front());
    for (const auto& n : ns)
        if (tip_of(*n) != first)
            return false;
    return true;
}

/// Mines wherever transactions are pending until no node has any, letting the network settle
/// after each block. What this cannot drain was lost.
void drain(const nodes& ns)
{
    for (int round = 0; round < 20; ++round) {
        BOOST_TEST_REQUIRE(wait_until([&] { return same_tip(ns); }, std::chrono::seconds(20)));
        bool any = false;
        for (const auto& n : ns)
            if (status_of(*n).at("pending_transactions").to_number<int>() > 0) {
                mine(*n);
                any = true;
                break;
            }
        if (!any)
            return;
    }
    BOOST_TEST_FAIL("pending transactions never drained");
}

/// All nodes hold the same chain, and it holds every acknowledged transaction exactly once.
void expect_same_chain_with_each_once(const nodes& ns, const std::vector<std::string>& acked)
{
    const auto chain = chain_of(*ns.front());
    for (const auto& n : ns)
        BOOST_TEST(chain_of(*n) == chain);
    expect_each_exactly_once(chain, acked);
}

} // namespace

BOOST_AUTO_TEST_SUITE(network_tests)

BOOST_AUTO_TEST_CASE(five_nodes_in_a_line_converge_and_lose_nothing)
{
    const nodes ns = start_nodes(5);
    for (std::size_t i = 0; i + 1 < ns.size(); ++i)
        link(ns, i, i + 1);

    // A transaction accepted anywhere reaches every node, and relay does not loop.
    std::vector<std::string> acked{submit(*ns[0], "first", "last", 1)};
    BOOST_TEST(wait_until([&] {
        for (const auto& n : ns)
            if (status_of(*n).at("pending_transactions").to_number<int>() != 1)
                return false;
        return true;
    }));

    // Transactions to random nodes while several nodes mine, two of them at once (a fork).
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> pick(0, ns.size() - 1);
    for (int round = 0; round < 6; ++round) {
        for (int i = 0; i < 10; ++i)
            acked.push_back(
                submit(*ns[pick(rng)], "s" + std::to_string(round), "r" + std::to_string(i), i + 1)
            );
        std::thread left([&] { http_get(ns[0]->port(), "/mine"); });
        std::thread right([&] { http_get(ns[4]->port(), "/mine"); });
        left.join();
        right.join();
        if (round % 2 == 1)
            mine(*ns[2]);
    }

    // One block on the middle node settles any tie, once the middle node holds the most work: the
    // last round's blocks may still be on their way to it, and a block on an older tip could only
    // tie a branch (equal work keeps each node on the branch it saw first, until the next block).
    BOOST_TEST_REQUIRE(
        wait_until([&] {
            const auto mid = work_of(*ns[2]);
            return std::all_of(ns.begin(), ns.end(), [&](const auto& n) { return work_of(*n) <= mid; });
        }),
        "the middle node never caught up:" << describe(ns)
    );
    mine(*ns[2]);
    const auto t0 = steady_clock::now();
    BOOST_TEST(
        wait_until([&] { return same_tip(ns); }, std::chrono::seconds(20)), "tips differ:" << describe(ns)
    );
    BOOST_TEST_MESSAGE(
        "tips equal " << std::chrono::duration<double>(steady_clock::now() - t0).count()
                      << " s after the last block"
    );

    // How long one block takes to reach the far end of the line.
    const std::string before = tip_of(*ns[4]);
    const auto t1 = steady_clock::now();
    const std::string mined = std::string(mine(*ns[0]).at("hash").as_string());
    BOOST_TEST(wait_until([&] { return tip_of(*ns[4]) == mined; }));
    const double reach_ms = std::chrono::duration<double, std::milli>(steady_clock::now() - t1).count();
    BOOST_TEST_MESSAGE("a block mined on node 1 reached node 5 within " << reach_ms << " ms (incl. mining)");
    BOOST_TEST(before != mined);

    drain(ns);
    expect_same_chain_with_each_once(ns, acked);
}

BOOST_AUTO_TEST_CASE(a_healed_partition_ends_on_the_most_work_and_loses_nothing)
{
    // The background sync (every 30 s) plays no part: the new link starts the exchange.
    const nodes ns = start_nodes(5);
    link(ns, 0, 1);
    link(ns, 2, 3);
    link(ns, 3, 4);

    std::vector<std::string> acked;
    for (int i = 0; i < 8; ++i) {
        acked.push_back(submit(*ns[i % 2], "left", "x", i + 1));
        acked.push_back(submit(*ns[2 + i % 3], "right", "y", i + 1));
    }
    // The left group mines 2 blocks, the right group 4: the right has more work. Each block
    // settles in its group before the next, so neither group forks (a tie would stay a tie).
    const auto mine_settled = [&](std::size_t i, std::size_t first, std::size_t last) {
        mine(*ns[i]);
        BOOST_TEST_REQUIRE(wait_until([&] {
            for (std::size_t j = first; j <= last; ++j)
                if (tip_of(*ns[j]) != tip_of(*ns[i]))
                    return false;
            return true;
        }));
    };
    mine_settled(0, 0, 1);
    mine_settled(1, 0, 1);
    for (std::size_t i = 0; i < 4; ++i)
        mine_settled(2 + i % 3, 2, 4);
    const std::string right_tip = tip_of(*ns[2]);
    BOOST_TEST(tip_of(*ns[0]) != right_tip);
    // Transactions keep arriving on both sides while the groups are apart.
    acked.push_back(submit(*ns[0], "late", "x", 1));
    acked.push_back(submit(*ns[4], "late", "y", 1));

    link(ns, 1, 2);
    const auto t0 = steady_clock::now();
    BOOST_TEST(wait_until([&] { return same_tip(ns); }, std::chrono::seconds(20)));
    BOOST_TEST_MESSAGE(
        "partition healed in " << std::chrono::duration<double>(steady_clock::now() - t0).count() << " s"
    );
    BOOST_TEST(tip_of(*ns[0]) == right_tip); // the most-work chain won everywhere
    BOOST_TEST(status_of(*ns[0]).at("height").to_number<int>() == 4);

    drain(ns);
    expect_same_chain_with_each_once(ns, acked);
}

BOOST_AUTO_TEST_CASE(four_nodes_heal_within_a_second_of_the_link)
{
    // Two pairs mine apart, with the background sync at its default (30 s). Whichever pair has
    // more work, linking one node of each converges all four at once: the new link makes both
    // ends compare chains, the behind end syncs, and relay carries the switch to the far nodes.
    for (const bool linker_ahead : {false, true}) {
        const nodes ns = start_nodes(4);
        link(ns, 0, 1);
        link(ns, 2, 3);
        const auto mine_settled = [&](std::size_t i, std::size_t other) {
            mine(*ns[i]);
            BOOST_TEST_REQUIRE(wait_until([&] { return tip_of(*ns[other]) == tip_of(*ns[i]); }));
        };
        // Node 1 registers node 2: the left pair mines 3 blocks when the linker should be ahead.
        for (int i = 0; i < (linker_ahead ? 3 : 1); ++i)
            mine_settled(i % 2, 1 - i % 2);
        for (int i = 0; i < (linker_ahead ? 1 : 3); ++i)
            mine_settled(2 + i % 2, 3 - i % 2);
        const std::string heavy_tip = tip_of(*ns[linker_ahead ? 0 : 2]);
        BOOST_TEST_REQUIRE(tip_of(*ns[0]) != tip_of(*ns[3]));

        const auto t0 = steady_clock::now();
        link(ns, 1, 2);
        BOOST_TEST(wait_until([&] { return same_tip(ns); }));
        const double took = std::chrono::duration<double>(steady_clock::now() - t0).count();
        BOOST_TEST_MESSAGE(
            "four nodes converged " << took << " s after the link (linker "
                                    << (linker_ahead ? "ahead" : "behind") << ")"
        );
        BOOST_TEST(took < (sanitized ? 5.0 : 1.0));
        BOOST_TEST(tip_of(*ns[3]) == heavy_tip);
    }
}

BOOST_AUTO_TEST_CASE(a_node_pushes_its_tip_to_a_peer_that_is_behind)
{
    // A peer whose /status shows less work than ours gets our tip as soon as the link exists,
    // so it can sync with us; it gets that tip once, not at every round.
    node_process a(quick_node({"--advertise-url", "none"}));
    mine(a);
    mine(a);
    fake_peer behind(fake_peer::mode::serve, R"({"message":"ok"})");
    behind.route(
        "/status",
        200,
        R"({"height":0,"tip_hash":")" + std::string(64, '0') + R"(","cumulative_work":"1","protocol":4})"
    );
    register_peer(a, behind.url());
    BOOST_TEST(wait_until([&] { return behind.requests_to("POST /blocks") == 1; }));
    const auto synced = http_get(a.port(), "/sync-chain");
    BOOST_TEST(synced.status == 200u, synced.body);
    BOOST_TEST(behind.requests_to("GET /status") >= 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(behind.requests_to("POST /blocks") == 1); // same tip: not pushed again
    // A peer with as much work as ours gets nothing.
    fake_peer level(fake_peer::mode::serve, R"({"message":"ok"})");
    level.route("/status", 200, bj::serialize(status_of(a)));
    register_peer(a, level.url());
    BOOST_TEST(http_get(a.port(), "/sync-chain").status == 200u);
    BOOST_TEST(level.requests_to("GET /status") >= 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    BOOST_TEST(level.requests_to("POST /blocks") == 0);
}

BOOST_AUTO_TEST_CASE(a_burst_larger_than_the_relay_queue_still_reaches_a_slow_peer)
{
    // b sits behind a proxy that holds every request 100 ms, so a's queue for it (10) overflows
    // many times over. What falls out is announced by id once the queue drains, and b asks for
    // what it lacks: every transaction arrives, with no block mined to carry them.
    node_process a(quick_node({"--relay-queue", "10", "--advertise-url", "none", "--sync-interval", "0"}));
    node_process b(quick_node({"--advertise-url", "none"}));
    fake_peer slow(fake_peer::mode::serve);
    slow.forward_slowly(b.port(), std::chrono::milliseconds(100));
    register_peer(a, slow.url());
    for (int i = 0; i < 200; ++i)
        submit(a, "burst", "r" + std::to_string(i), i + 1);
    const auto entry = http_get(a.port(), "/nodes").json().at("nodes").at(0);
    BOOST_TEST(entry.at("dropped").to_number<int>() > 0, entry);
    BOOST_TEST(
        wait_until([&] { return status_of(b).at("pending_transactions").to_number<int>() == 200; }),
        "b has " << status_of(b).at("pending_transactions")
                 << " of 200; a: " << http_get(a.port(), "/nodes").body
    );
    BOOST_TEST(slow.requests_to("POST /inventory") >= 1);
    BOOST_TEST(http_get(a.port(), "/nodes").json().at("nodes").at(0).at("queued_inventory") == 0);
}

BOOST_AUTO_TEST_CASE(bootstrap_peers_catch_up_and_learn_of_each_other)
{
    node_process a(quick_node());
    for (int i = 0; i < 5; ++i)
        mine(a);
    node_process b(quick_node({"--peer", a.url()}));
    // b syncs with its --peer at start and announces itself.
    BOOST_TEST(wait_until([&] { return status_of(b).at("height").to_number<int>() == 5; }));
    BOOST_TEST(wait_until([&] {
        const auto r = http_get(a.port(), "/nodes");
        return r.body.find(b.url()) != std::string::npos;
    }));
    // Registering again is idempotent on both sides.
    register_peer(b, a.url());
    register_peer(a, b.url());
    BOOST_TEST(http_get(a.port(), "/nodes").json().at("node_count").to_number<int>() == 1);
    BOOST_TEST(http_get(b.port(), "/nodes").json().at("node_count").to_number<int>() == 1);
    // A node refuses to register itself.
    const auto self =
        http_post_json(a.port(), "/register-node", bj::serialize(bj::object{{"address", a.url()}}));
    BOOST_TEST(self.status == 400u, self.body);
}

BOOST_AUTO_TEST_CASE(a_slow_peer_does_not_slow_the_api_or_other_peers)
{
    // A peer that accepts and never answers, and a dead one: relay to them waits out timeouts
    // and back-off on their own queues.
    fake_peer silent(fake_peer::mode::silent);
    node_process a(quick_node({"--peer-response-timeout-ms", "3000"})), c(quick_node());
    register_peer(a, silent.url());
    register_peer(a, "http://127.0.0.1:1");
    register_peer(a, c.url());
    std::vector<std::string> ids;
    const auto t0 = steady_clock::now();
    for (int i = 0; i < 50; ++i)
        ids.push_back(submit(a, "a", "b", i + 1));
    const double took = std::chrono::duration<double>(steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("50 submissions with a silent and a dead peer registered: " << took << " s");
    BOOST_TEST(took < (sanitized ? 10.0 : 2.0));
    // The live peer got all of them regardless.
    BOOST_TEST(wait_until([&] { return status_of(c).at("pending_transactions").to_number<int>() == 50; }));
    const auto listed = http_get(a.port(), "/nodes").body;
    BOOST_TEST(listed.find("\"backoff\"") != std::string::npos, listed);
}

BOOST_AUTO_TEST_SUITE_END()
