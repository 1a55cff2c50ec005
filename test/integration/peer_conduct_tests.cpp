// How a node judges its peers: non-peers are failures, clocks are not crimes, orphans do not
// drive sync, announced peers cannot crowd out the operator's.
#include <beastchain/core/pow.hpp>
#include <beastchain/json/conversions.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <random>
#include <thread>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain;
using namespace beastchain::test;
namespace bj = boost::json;

namespace {

std::uint64_t wall_ms()
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()
    )
                                          .count());
}

/// A block at `index` on `previous`, holding only its reward, solved at `difficulty`.
core::block solved_block(
    std::uint64_t index, const core::hash256& previous, std::uint64_t timestamp_ms, std::uint32_t difficulty
)
{
    core::block b;
    b.index = index;
    b.previous_hash = previous;
    b.timestamp_ms = timestamp_ms;
    b.difficulty = difficulty;
    b.transactions = {core::make_transaction("0", "someone", core::reward_amount, index)};
    std::atomic<bool> stop{false};
    b.proof = core::pow_search(b).search(0, 1, stop).value();
    return b;
}

std::string block_json(const core::block& b)
{
    return bj::serialize(bj::value_from(core::chain_entry{b, core::block_hash(b), 0}));
}

std::uint32_t difficulty_of(const node_process& n)
{
    return static_cast<std::uint32_t>(status_of(n).at("difficulty").to_number<int>());
}

bj::array nodes_of(const node_process& n)
{
    return http_get(n.port(), "/nodes").json().at("nodes").as_array();
}

const bj::object* find_node(const bj::array& nodes, const std::string& url)
{
    for (const auto& p : nodes)
        if (p.at("address").as_string() == url)
            return &p.as_object();
    return nullptr;
}

/// A peer announcing itself: POST /announce naming its own address in the origin header.
unsigned announce(const node_process& n, const std::string& url)
{
    const std::string body = bj::serialize(bj::object{{"address", url}});
    const std::string reply = raw_exchange(
        n.port(),
        "POST /announce HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
        "application/json\r\n"
        "X-Beastchain-Origin: " +
            url + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body
    );
    return status_code(reply);
}

} // namespace

BOOST_AUTO_TEST_SUITE(peer_conduct_tests)

BOOST_AUTO_TEST_CASE(a_url_answering_404_is_not_a_peer_and_relay_to_it_backs_off)
{
    // No announcement (--advertise-url none): the relay alone must notice the 404.
    node_process node(quick_node({"--sync-interval", "0", "--advertise-url", "none"}));
    fake_peer web(fake_peer::mode::serve, "<html>Not Found</html>", 404);
    register_peer(node, web.url());
    submit(node, "alice", "bob", 1); // relayed to it as POST /transactions
    BOOST_TEST(wait_until([&] {
        const auto nodes = nodes_of(node);
        const auto* p = find_node(nodes, web.url());
        return p != nullptr && p->at("failures").to_number<int>() > 0;
    }));
    const auto nodes = nodes_of(node);
    const auto* p = find_node(nodes, web.url());
    BOOST_TEST_REQUIRE(p != nullptr); // the operator registered it: backed off, never evicted
    BOOST_TEST(p->at("state").as_string() != "ok", *p);
    BOOST_TEST(std::string(p->at("last_error").as_string()).find("HTTP 404") != std::string::npos, *p);
}

BOOST_AUTO_TEST_CASE(an_announced_url_that_does_not_answer_as_a_node_is_refused_at_admission)
{
    node_process node(quick_node({"--sync-interval", "0", "--peer-response-timeout-ms", "500"}));
    fake_peer web(fake_peer::mode::serve, "<html>Not Found</html>", 404);
    fake_peer shapeless(fake_peer::mode::serve, R"({"height":"tall"})");
    fake_peer silent(fake_peer::mode::silent);
    for (const auto* f : {&web, &shapeless, &silent}) {
        const auto r =
            http_post_json(node.port(), "/announce", bj::serialize(bj::object{{"address", f->url()}}));
        BOOST_TEST(r.status == 403u, r.body);
        // One answer for every kind of non-node: the refusal is no port scanner.
        BOOST_TEST(
            r.json().at("detail").as_string() ==
                "the address did not answer as a reachable public beastchain node",
            r.body
        );
    }
    // A refused address is remembered: announcing it again costs no second probe.
    const auto again =
        http_post_json(node.port(), "/announce", bj::serialize(bj::object{{"address", web.url()}}));
    BOOST_TEST(again.status == 403u, again.body);
    BOOST_TEST(web.requests_to("GET /status") == 1); // one probe, and nothing after it
    BOOST_TEST(web.requests_seen() == 1);
    BOOST_TEST(nodes_of(node).empty());
}

BOOST_AUTO_TEST_CASE(an_announced_peer_that_stops_answering_as_a_peer_is_evicted_for_good)
{
    temp_data_dir dir;
    const auto args = quick_node({"--sync-interval", "0", "--data-dir", dir.path});
    // It passes the admission probe, then answers our announcement with a 404.
    fake_peer web(fake_peer::mode::serve, "<html>Not Found</html>", 404);
    web.route("/status", 200, status_reply());
    {
        node_process node(args);
        BOOST_TEST(announce(node, web.url()) == 201u);
        // The node announces itself back; the 404 shows it is no peer, so it loses its slot.
        BOOST_TEST(wait_until([&] { return nodes_of(node).empty(); }));
        BOOST_TEST(node.stop(SIGTERM) == 0);
    }
    node_process node(args);
    BOOST_TEST(nodes_of(node).empty()); // the eviction was stored
}

BOOST_AUTO_TEST_CASE(the_operators_peers_always_get_a_slot_from_announced_ones)
{
    temp_data_dir dir;
    fake_peer a(fake_peer::mode::serve, "{}"), b(fake_peer::mode::serve, "{}"),
        c(fake_peer::mode::serve, "{}"), d(fake_peer::mode::serve, "{}");
    for (auto* f : {&a, &b, &c, &d})
        f->route("/status", 200, status_reply());
    const auto args = quick_node({"--sync-interval", "0", "--max-peers", "2", "--data-dir", dir.path});
    {
        node_process node(args);
        BOOST_TEST(announce(node, a.url()) == 201u);
        BOOST_TEST(announce(node, b.url()) == 201u);
        BOOST_TEST(announce(node, c.url()) == 409u); // announcements never displace anyone
        const auto r =
            http_post_json(node.port(), "/register-node", bj::serialize(bj::object{{"address", c.url()}}));
        BOOST_TEST(r.status == 201u, r.body); // the operator's peer takes an announced slot
        const auto nodes = nodes_of(node);
        BOOST_TEST(nodes.size() == 2u);
        BOOST_TEST(find_node(nodes, c.url()) != nullptr);
        BOOST_TEST(node.stop(SIGTERM) == 0);
    }
    // A --peer at start gets a slot too, from the announced peer that is left.
    node_process node([&] {
        auto with_peer = args;
        with_peer.push_back("--peer");
        with_peer.push_back(d.url());
        return with_peer;
    }());
    const auto nodes = nodes_of(node);
    BOOST_TEST(nodes.size() == 2u, nodes);
    BOOST_TEST(find_node(nodes, c.url()) != nullptr, nodes);
    BOOST_TEST(find_node(nodes, d.url()) != nullptr, nodes);
    // With only the operator's peers left, a further one is refused, not silently dropped.
    const auto r =
        http_post_json(node.port(), "/register-node", bj::serialize(bj::object{{"address", a.url()}}));
    BOOST_TEST(r.status == 409u, r.body);
}

BOOST_AUTO_TEST_CASE(the_first_request_served_sees_every_peer_given_at_start)
{
    // "Running on" promises a started node: with several I/O threads a request answered right
    // after it must not overtake the start-up that adds the --peer flags (it did, about one start
    // in five under load, before the peers were started ahead of publishing the node).
    std::vector<std::unique_ptr<fake_peer>> fakes;
    std::vector<std::string> args = quick_node({"--in-memory", "--sync-interval", "0", "--io-threads", "4"});
    for (int i = 0; i < 8; ++i) {
        fakes.push_back(std::make_unique<fake_peer>(fake_peer::mode::serve, "{}"));
        fakes.back()->route("/status", 200, status_reply());
        args.push_back("--peer");
        args.push_back(fakes.back()->url());
    }
    for (int start = 0; start < 5; ++start) {
        node_process node(args);
        const auto nodes = nodes_of(node);
        BOOST_TEST(nodes.size() == fakes.size(), "start " << start << ": " << nodes);
    }
}

BOOST_AUTO_TEST_CASE(a_block_ahead_of_our_clock_is_dropped_without_banning_anyone)
{
    node_process node(quick_node({"--sync-interval", "0"}));
    const std::uint32_t difficulty = difficulty_of(node);
    const std::uint64_t three_hours_ahead = wall_ms() + 3 * 3600 * 1000;
    const core::block future = solved_block(1, core::genesis_hash(), three_hours_ahead, difficulty);

    // Pushed: an answer that holds nothing against the sender.
    const auto pushed = http_post_json(node.port(), "/blocks", block_json(future));
    BOOST_TEST(pushed.status == 202u, pushed.body);
    BOOST_TEST(chain_of(node).size() == 1u);

    // Served in sync: the peer's clock is ahead, not its data wrong. No ban.
    fake_peer ahead(fake_peer::mode::serve);
    ahead.route(
        "/status",
        200,
        bj::serialize(bj::object{
            {"height", 1},
            {"tip_hash", core::to_hex(core::block_hash(future))},
            {"cumulative_work", "999999999"},
            {"protocol", 4}})
    );
    ahead.route("/headers", 200, headers_page({future}, 1, 1));
    ahead.route("/blocks", 200, "{\"blocks\":[" + block_json(future) + "],\"from\":1,\"height\":1}");
    register_peer(node, ahead.url());
    const auto synced = http_get(node.port(), "/sync-chain");
    BOOST_TEST(synced.status == 200u, synced.body);
    const auto nodes = nodes_of(node);
    const auto* p = find_node(nodes, ahead.url());
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(p->at("state").as_string() != "banned", *p);
    BOOST_TEST(chain_of(node).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_peer_of_another_protocol_is_refused_as_a_different_network_not_banned)
{
    // No announcements: the fake's 200 to our /announce would count as a success and race
    // with the sync's verdict (seen under ASan).
    node_process node(quick_node({"--sync-interval", "0", "--advertise-url", "none"}));
    // Its own /status names this node's protocol, for peers to check.
    BOOST_TEST(status_of(node).at("protocol").to_number<unsigned>() == beastchain::json::protocol_version);
    for (const char* version : {"2", "3", ""}) { // "" : a node from before protocol versions
        fake_peer other(fake_peer::mode::serve);
        std::string status =
            R"({"height":1,"tip_hash":")" + std::string(64, '0') + R"(","cumulative_work":"999999")";
        if (*version != '\0')
            status += std::string(R"(,"protocol":)") + version;
        other.route("/status", 200, status + "}");
        register_peer(node, other.url());
        const auto synced = http_get(node.port(), "/sync-chain");
        BOOST_TEST(synced.status == 200u, synced.body);
        const std::string failed = bj::serialize(synced.json().at("peers_failed"));
        BOOST_TEST(
            failed.find("speaks peer protocol " + std::string(*version ? version : "0")) != std::string::npos,
            failed
        );
        const auto nodes = nodes_of(node);
        const auto* p = find_node(nodes, other.url());
        BOOST_TEST_REQUIRE(p != nullptr);
        BOOST_TEST(p->at("state").as_string() == "backoff", *p); // a failure, never a ban
    }
}

BOOST_AUTO_TEST_CASE(replaying_orphan_blocks_does_not_keep_sync_rounds_running)
{
    node_process node(quick_node({"--sync-interval", "0"}));
    const std::uint32_t difficulty = difficulty_of(node);
    std::mt19937_64 rng(7);
    const auto orphan = [&](std::uint64_t index) {
        core::hash256 unknown_parent;
        for (auto& byte : unknown_parent)
            byte = static_cast<std::uint8_t>(rng());
        return solved_block(index, unknown_parent, wall_ms(), difficulty);
    };
    const auto runs = [&] {
        return metric_value(http_get(node.port(), "/metrics").body, "beastchain_sync_runs_total");
    };
    const double before = runs();
    const std::string replayed = block_json(orphan(5));
    for (int i = 0; i < 20; ++i) {
        const auto r = http_post_json(node.port(), "/blocks", replayed);
        BOOST_TEST(r.status == 202u, r.body);
    }
    for (std::uint64_t i = 0; i < 10; ++i) // fresh orphans, from the same (unnamed) sender
        BOOST_TEST(http_post_json(node.port(), "/blocks", block_json(orphan(6 + i))).status == 202u);
    // One round for the first; the fresh ones share one more when the sender's interval is over.
    BOOST_TEST(wait_until([&] { return runs() >= before + 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    BOOST_TEST(runs() == before + 2);
}

BOOST_AUTO_TEST_CASE(a_stream_of_new_links_starts_at_most_a_round_a_second)
{
    // Each new peer makes the node compare chains at once; twenty arriving 100 ms apart must not
    // become twenty rounds (each asking every peer for /status), but a few and then one a second.
    node_process node(quick_node({"--sync-interval", "0", "--advertise-url", "none"}));
    const auto runs = [&] {
        return metric_value(http_get(node.port(), "/metrics").body, "beastchain_sync_runs_total");
    };
    std::vector<std::unique_ptr<fake_peer>> fakes;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        fakes.push_back(std::make_unique<fake_peer>(fake_peer::mode::serve, "{}", 404));
        register_peer(node, fakes.back()->url());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1200)); // the last deferred round
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("20 links over " << seconds << " s started " << runs() << " sync rounds");
    BOOST_TEST(runs() >= 1);
    BOOST_TEST(runs() <= 4 + seconds + 1); // a burst of four, then one a second
}

BOOST_AUTO_TEST_SUITE_END()
