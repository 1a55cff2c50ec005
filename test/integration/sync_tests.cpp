// Sync: the tutorial's two-node scenario, most-work choice, incremental fetches, and peers that are down,
// slow, dying or lying.
#include <chrono>
#include <csignal>
#include <thread>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;
using std::chrono::steady_clock;

namespace {

bj::object sync(const node_process& n)
{
    const auto r = http_get(n.port(), "/sync-chain");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().as_object();
}

/// What a real node serves for a chain of `blocks` mined blocks: its /status, its first
/// /headers page and its first /blocks page, so a fake peer can replay (or tamper with) a real
/// exchange.
struct served_chain
{
    std::string status;
    std::string page;
    std::string headers;
};

served_chain real_chain(int blocks)
{
    node_process source(quick_node());
    submit(source, "alice", "bob", 5);
    for (int i = 0; i < blocks; ++i)
        mine(source);
    return {
        http_get(source.port(), "/status").body,
        http_get(source.port(), "/blocks?from=1&limit=500").body,
        http_get(source.port(), "/headers?from=1").body};
}

} // namespace

BOOST_AUTO_TEST_SUITE(sync_tests)

BOOST_AUTO_TEST_CASE(tutorial_two_node_scenario)
{
    node_process server1(quick_node()), server2(quick_node());
    register_peer(server1, server2.url()); // register_node(server2, server1)
    submit(server2, "I", "you", 3);        // create_transaction(server2, ...)
    mine(server2);                         // mine_block(server2)
    BOOST_TEST(chain_of(server2).size() == 2u);
    // The tutorial needed sync_chain(server1) here; now the block is pushed to server1 by itself.
    BOOST_TEST(wait_until([&] { return chain_of(server1).size() == 2u; }));

    const auto synced = sync(server1); // sync_chain(server1) keeps the tutorial's reply
    BOOST_TEST(synced.at("message").as_string() == "Chain is already up to date");
    BOOST_TEST(synced.at("chain").as_array().size() == 2u);
    BOOST_TEST(synced.at("peers_failed").as_array().empty());
    BOOST_TEST(http_get(server1.port(), "/chain").body == http_get(server2.port(), "/chain").body);
    // Registration was announced back: the link is two-way.
    BOOST_TEST(peer_entry(server2, server1.url()).at("state").as_string() != "banned");
}

BOOST_AUTO_TEST_CASE(divergent_chains_sync_to_the_most_work)
{
    node_process a(quick_node()), b(quick_node());
    mine(a);
    mine(b);
    mine(b);
    // The new link makes a compare chains at once (no /sync-chain, no timer): it switches.
    register_peer(a, b.url());
    BOOST_TEST(wait_until([&] { return chain_of(a) == chain_of(b); }));
    BOOST_TEST(chain_of(a).size() == 3u);
    BOOST_TEST(sync(a).at("message").as_string() == "Chain is already up to date");
    // b learned a's address from the announcement; a had less work, so b kept its chain.
    BOOST_TEST(sync(b).at("message").as_string() == "Chain is already up to date");
}

BOOST_AUTO_TEST_CASE(sync_chain_replaces_a_chain_that_fell_behind_after_the_link)
{
    // The tutorial's explicit step: a links to b (b is not told: no announcements), b mines on,
    // and a's /sync-chain answers that its chain was replaced.
    node_process a(quick_node({"--advertise-url", "none"})), b(quick_node());
    register_peer(a, b.url());
    BOOST_TEST(sync(a).at("message").as_string() == "Chain is already up to date");
    mine(b);
    mine(b);
    const auto r = sync(a);
    BOOST_TEST(r.at("message").as_string() == "Chain was replaced");
    BOOST_TEST(r.at("chain").as_array().size() == 3u);
    BOOST_TEST(http_get(a.port(), "/chain").body == http_get(b.port(), "/chain").body);
}

BOOST_AUTO_TEST_CASE(no_peers_means_no_neighbour_chain)
{
    node_process node(quick_node());
    const auto r = sync(node);
    BOOST_TEST(r.at("message").as_string() == "No neighbour chain is available");
    BOOST_TEST(r.at("chain").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(shorter_or_equal_peer_chain_leaves_ours)
{
    node_process a(quick_node()), b(quick_node());
    mine(a);
    mine(a);
    mine(b);
    register_peer(a, b.url());
    const auto before = chain_of(a);
    const auto r = sync(a);
    BOOST_TEST(r.at("message").as_string() == "Chain is already up to date");
    BOOST_TEST(chain_of(a) == before);
}

BOOST_AUTO_TEST_CASE(a_longer_chain_with_less_work_never_wins)
{
    // 8 blocks at difficulty 12 (8 * 2^12 work) against 2 blocks at difficulty 15 (2 * 2^15).
    node_process light(quick_node({"--difficulty", "12"}));
    node_process heavy(quick_node({"--difficulty", "15", "--min-difficulty", "12"}));
    for (int i = 0; i < 8; ++i)
        mine(light);
    mine(heavy);
    mine(heavy);
    register_peer(heavy, light.url());
    // The other way round, the shorter but heavier chain replaces the longer one: the link
    // (heavy announces itself to light, and pushes its tip to the peer that is behind) does it.
    BOOST_TEST(wait_until([&] { return chain_of(light) == chain_of(heavy); }));
    BOOST_TEST(sync(heavy).at("message").as_string() == "Chain is already up to date");
    BOOST_TEST(chain_of(heavy).size() == 3u);
    BOOST_TEST(sync(light).at("message").as_string() == "Chain is already up to date");
}

BOOST_AUTO_TEST_CASE(sync_fetches_only_what_is_missing)
{
    node_process a(quick_node()), b(quick_node());
    for (int i = 0; i < 30; ++i)
        mine(a);
    register_peer(b, a.url()); // the link's own round catches b up
    BOOST_TEST(wait_until([&] { return status_of(b).at("height").to_number<int>() == 30; }));
    const auto bytes = [&] {
        return metric_value(http_get(b.port(), "/metrics").body, "beastchain_sync_received_bytes_total");
    };
    const double caught_up = bytes();
    // Up to date: one /status reply, whatever the chain's length. The least of five syncs: a
    // round the link's aftermath started (a's push, its retries) may overlap one of them.
    double idle = 1e18;
    for (int i = 0; i < 5; ++i) {
        const double before = bytes();
        BOOST_TEST(sync(b).at("message").as_string() == "Chain is already up to date");
        idle = std::min(idle, bytes() - before);
    }
    BOOST_TEST_MESSAGE(
        "catch-up of 30 blocks: " << caught_up << " bytes; up-to-date sync: " << idle << " bytes"
    );
    BOOST_TEST(idle > 0);
    BOOST_TEST(idle < 1000);
    BOOST_TEST(caught_up > 30 * idle);
}

BOOST_AUTO_TEST_CASE(tampered_block_is_rejected_and_its_peer_banned)
{
    served_chain real = real_chain(2);
    // Change the amount 5 of block 1 to 500: every other byte stays the same.
    const auto at = real.page.find("\"amount\":5,");
    BOOST_REQUIRE(at != std::string::npos);
    real.page.replace(at, 11, "\"amount\":500,");
    fake_peer liar(fake_peer::mode::serve, "{}", 404);
    liar.route("/status", 200, real.status);
    liar.route("/headers", 200, real.headers); // true headers: the tampering shows only in the body
    liar.route("/blocks", 200, real.page);

    node_process node(quick_node({"--ban-seconds", "300", "--advertise-url", "none"}));
    register_peer(node, liar.url());
    const auto r = sync(node);
    BOOST_TEST(r.at("message").as_string() == "No neighbour chain is available");
    BOOST_TEST(r.at("chain").as_array().size() == 1u);
    const auto failed = r.at("peers_failed").as_array();
    BOOST_REQUIRE(failed.size() == 1u);
    BOOST_TEST(failed[0].at("address").as_string() == liar.url());
    BOOST_TEST(
        std::string(failed[0].at("reason").as_string()).find("hash_mismatch") != std::string::npos, failed[0]
    );

    // The ban shows in /nodes, lasts --ban-seconds, and the next sync does not contact the liar.
    const auto entry = peer_entry(node, liar.url());
    BOOST_TEST(entry.at("state").as_string() == "banned", entry);
    const auto until = entry.at("banned_until_ms").to_number<double>();
    const auto now_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch()
    )
                                                .count());
    BOOST_TEST(until > now_ms + 290'000);
    BOOST_TEST(until < now_ms + 310'000);
    const int seen = liar.requests_seen();
    const auto again = sync(node);
    BOOST_TEST(liar.requests_seen() == seen);
    BOOST_TEST(bj::serialize(again.at("peers_failed")).find("banned") != std::string::npos, again);
}

BOOST_AUTO_TEST_CASE(garbage_errors_and_foreign_chains_are_rejected)
{
    fake_peer garbage(fake_peer::mode::serve, "this is not json");
    fake_peer error500(fake_peer::mode::serve, "{}", 500);
    // Claims more work, but none of our blocks is on its chain: another network's genesis.
    const served_chain real = real_chain(1);
    fake_peer foreign(fake_peer::mode::serve, R"({"error":"no_common_block"})", 404);
    foreign.route("/status", 200, real.status);

    node_process node(quick_node({"--advertise-url", "none"})); // only sync talks to the fakes
    for (auto* p : {&garbage, &error500, &foreign})
        register_peer(node, p->url());
    const auto r = sync(node);
    BOOST_TEST(r.at("peers_failed").as_array().size() == 3u, r);
    const std::string all = bj::serialize(r.at("peers_failed"));
    BOOST_TEST(all.find("invalid /status reply") != std::string::npos, all);
    BOOST_TEST(all.find("HTTP 500") != std::string::npos, all);
    BOOST_TEST(all.find("different genesis") != std::string::npos, all);
    BOOST_TEST(chain_of(node).size() == 1u);
    // Garbage and errors back off; the foreign chain is banned.
    BOOST_TEST(peer_entry(node, garbage.url()).at("state").as_string() == "backoff");
    BOOST_TEST(peer_entry(node, error500.url()).at("failures").to_number<int>() == 1);
    BOOST_TEST(peer_entry(node, foreign.url()).at("state").as_string() == "banned");
}

BOOST_AUTO_TEST_CASE(a_peer_dying_mid_sync_changes_nothing)
{
    const served_chain real = real_chain(3);
    fake_peer dying(fake_peer::mode::serve, "{}", 404);
    dying.route("/status", 200, real.status);
    dying.route("/headers", 200, real.headers);
    dying.route("/blocks", 0, {}); // hangs up instead of sending the blocks
    node_process node(quick_node({"--advertise-url", "none"}));
    const std::string tx = submit(node, "a", "b", 1);
    register_peer(node, dying.url());
    const auto r = sync(node);
    BOOST_TEST(r.at("message").as_string() == "No neighbour chain is available");
    BOOST_TEST(r.at("peers_failed").as_array().size() == 1u, r);
    BOOST_TEST(chain_of(node).size() == 1u);
    BOOST_TEST(dying.requests_seen() == 3); // /status, /headers, then the /blocks it died on
    const auto entry = peer_entry(node, dying.url());
    BOOST_TEST(entry.at("state").as_string() == "backoff", entry);
    BOOST_TEST(!entry.at("last_error").is_null());
    // Nothing was lost: the pending transaction is mined as usual.
    mine(node);
    BOOST_TEST(count_in_chain(chain_of(node), tx) == 1);
}

BOOST_AUTO_TEST_CASE(oversized_peer_reply_is_cut_off)
{
    std::string huge = "{\"height\":\"" + std::string(3 * 1024 * 1024, 'x') + "\"}";
    fake_peer big(fake_peer::mode::serve, huge);
    node_process node(quick_node({"--max-peer-response-bytes", "1048576"}));
    register_peer(node, big.url());
    const auto r = sync(node);
    BOOST_TEST(bj::serialize(r.at("peers_failed")).find("exceeds") != std::string::npos, r);
}

BOOST_AUTO_TEST_CASE(dead_and_silent_peers_cannot_hang_sync)
{
    fake_peer silent(fake_peer::mode::silent);
    node_process good(quick_node());
    mine(good);
    node_process node(quick_node(
        {"--peer-connect-timeout-ms", "500", "--peer-response-timeout-ms", "1500", "--advertise-url", "none"}
    ));
    register_peer(node, "http://127.0.0.1:1"); // nothing listens on port 1
    register_peer(node, silent.url());
    register_peer(node, good.url());

    const auto start = steady_clock::now();
    const auto r = sync(node);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
    BOOST_TEST_MESSAGE("sync with a dead and a silent peer took " << took.count() << " ms");
    BOOST_TEST(took.count() < 4000); // bounded by the 1.5 s response timeout, peers fetched concurrently
    BOOST_TEST(silent.requests_seen() >= 1);
    BOOST_TEST(r.at("message").as_string() == "Chain was replaced"); // the good peer still counts
    const std::string failed = bj::serialize(r.at("peers_failed"));
    BOOST_TEST(r.at("peers_failed").as_array().size() == 2u, failed);
    BOOST_TEST(failed.find("connect failed") != std::string::npos);
    BOOST_TEST(failed.find("timed out") != std::string::npos);

    // Failing peers back off: an immediate second sync skips them instead of waiting again.
    const auto t1 = steady_clock::now();
    const auto again = sync(node);
    BOOST_TEST(std::chrono::duration<double>(steady_clock::now() - t1).count() < 1.0);
    BOOST_TEST(bj::serialize(again.at("peers_failed")).find("backing off") != std::string::npos, again);

    // The node stayed responsive throughout and afterwards.
    BOOST_TEST(http_get(node.port(), "/chain", std::chrono::seconds(2)).status == 200u);
}

BOOST_AUTO_TEST_CASE(a_peer_dripping_pages_cannot_hold_a_sync_round)
{
    // 1,600 real blocks are four /blocks pages. A proxy sits on every reply for 250 ms, so the
    // download from it outlasts a 1 s deadline however fast the machine is.
    temp_data_dir source_dir;
    node_process source(generated_chain_node(source_dir, 1600));
    fake_peer drip(fake_peer::mode::serve);
    drip.forward_slowly(source.port(), std::chrono::milliseconds(250));

    // No background sync: whatever happens after the first round is the node carrying on by itself.
    const auto catching_up_node = [](const char* deadline_ms) {
        return quick_node(
            {"--difficulty",
             "1",
             "--peer-download-timeout-ms",
             deadline_ms,
             "--sync-interval",
             "0",
             "--advertise-url",
             "none"}
        );
    };
    // Under sanitizers each hop is slower: 1.5 s still cannot fit all four pages (the delays
    // alone add up to 1.5 s with the /status and /headers replies).
    node_process node(catching_up_node(sanitized ? "1500" : "1000"));
    const auto runs = [&] {
        return metric_value(http_get(node.port(), "/metrics").body, "beastchain_sync_runs_total");
    };
    const auto start = steady_clock::now();
    register_peer(node, drip.url()); // the new link starts the first round
    // Read the height as soon as that round ends: the next one adopts nothing for 500 ms (a
    // status and a page, each held 250 ms).
    BOOST_TEST_REQUIRE(wait_until([&] { return runs() >= 1; }));
    const auto first = status_of(node).at("height").as_int64();
    const double took = std::chrono::duration<double>(steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE("first round: height " << first << " after " << took << " s");
    // The round ended at the deadline with what had arrived, whole pages, and adopted it.
    BOOST_TEST(first > 0);
    BOOST_TEST(first < 1600);
    BOOST_TEST(first % 500 == 0);
    BOOST_TEST(peer_entry(node, drip.url()).at("state").as_string() == "ok"); // slow is no fault

    // Further rounds continue from the new tip until the node has the peer's whole chain.
    BOOST_TEST(wait_until([&] { return status_of(node).at("height").as_int64() == 1600; }));
    BOOST_TEST(status_of(node).at("tip_hash") == status_of(source).at("tip_hash"));
    BOOST_TEST(peer_entry(node, drip.url()).at("state").as_string() == "ok");

    // A peer too slow to deliver a single page within the deadline is a failure and backs off.
    fake_peer crawl(fake_peer::mode::serve);
    crawl.forward_slowly(source.port(), std::chrono::milliseconds(600));
    node_process behind(catching_up_node("500"));
    register_peer(behind, crawl.url());
    const auto slow = sync(behind);
    BOOST_TEST(slow.at("message").as_string() == "No neighbour chain is available", slow);
    const std::string failed = bj::serialize(slow.at("peers_failed"));
    BOOST_TEST(failed.find("download deadline") != std::string::npos, failed);
    BOOST_TEST(status_of(behind).at("height").as_int64() == 0);
    BOOST_TEST(peer_entry(behind, crawl.url()).at("state").as_string() == "backoff");
}

BOOST_AUTO_TEST_CASE(sync_callers_queued_at_shutdown_still_get_an_answer)
{
    // A round waits out a silent peer; a second caller queues behind it; then SIGTERM.
    fake_peer silent(fake_peer::mode::silent);
    node_process node(quick_node({"--peer-response-timeout-ms", "1500", "--advertise-url", "none"}));
    register_peer(node, silent.url());
    unsigned first = 0, second = 0; // written by the caller threads, read after join
    std::thread a([&] {
        try {
            first = http_get(node.port(), "/sync-chain", std::chrono::seconds(10)).status;
        } catch (const std::exception&) {
        }
    });
    BOOST_TEST(wait_until([&] { return silent.requests_seen() >= 1; })); // the round is running
    std::thread b([&] {
        try {
            second = http_get(node.port(), "/sync-chain", std::chrono::seconds(10)).status;
        } catch (const std::exception&) {
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto t0 = steady_clock::now();
    BOOST_TEST(node.stop(SIGTERM) == 0);
    a.join();
    b.join();
    BOOST_TEST(first == 200u);
    BOOST_TEST(second == 200u); // answered with the last round's result, not dropped at the deadline
    BOOST_TEST(std::chrono::duration<double>(steady_clock::now() - t0).count() < 4.5);
}

BOOST_AUTO_TEST_CASE(chain_switch_loses_no_transaction)
{
    node_process a(quick_node()), b(quick_node());
    // a mines t1 into its own block 1; b mines more work without it.
    const std::string t1 = submit(a, "a", "b", 1);
    mine(a);
    const std::string t2 = submit(a, "a", "b", 2); // pending on a only
    const std::string t3 = submit(b, "c", "d", 3);
    mine(b);
    mine(b);
    register_peer(a, b.url()); // the link's round switches a to b's chain
    BOOST_TEST(wait_until([&] { return chain_of(a) == chain_of(b); }));

    const auto after = chain_of(a);
    BOOST_TEST(count_in_chain(after, t1) == 0); // its block was abandoned...
    BOOST_TEST(count_in_chain(after, t3) == 1);
    mine(a); // ...and it went back to pending, with t2
    const auto final_chain = chain_of(a);
    for (const auto& id : {t1, t2, t3})
        BOOST_TEST(count_in_chain(final_chain, id) == 1, id);
}

BOOST_AUTO_TEST_SUITE_END()
