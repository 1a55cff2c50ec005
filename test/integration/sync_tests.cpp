// The tutorial's two-node scenario, and peers that are down, silent or lying.
#include <chrono>

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

/// A valid chain of `blocks` mined blocks, as a /chain reply body from a real node.
std::string real_chain_body(int blocks)
{
    node_process source(quick_node());
    submit(source, "alice", "bob", 5);
    for (int i = 0; i < blocks; ++i)
        mine(source);
    return http_get(source.port(), "/chain").body;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sync_tests)

BOOST_AUTO_TEST_CASE(tutorial_two_node_scenario)
{
    node_process server1(quick_node()), server2(quick_node());
    register_peer(server1, server2.url());      // register_node(server2, server1)
    submit(server2, "I", "you", 3);             // create_transaction(server2, ...)
    mine(server2);                              // mine_block(server2)
    BOOST_TEST(chain_of(server1).size() == 1u); // get_server_chain(server1)
    BOOST_TEST(chain_of(server2).size() == 2u); // get_server_chain(server2)

    const auto synced = sync(server1); // sync_chain(server1)
    BOOST_TEST(synced.at("message").as_string() == "Chain was replaced");
    BOOST_TEST(synced.at("chain").as_array().size() == 2u);
    BOOST_TEST(synced.at("peers_failed").as_array().empty());
    BOOST_TEST(http_get(server1.port(), "/chain").body == http_get(server2.port(), "/chain").body);

    BOOST_TEST(sync(server1).at("message").as_string() == "Chain is already up to date");
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

BOOST_AUTO_TEST_CASE(tampered_chain_is_rejected_and_reported)
{
    std::string body = real_chain_body(2);
    // Change the amount 5 of block 1 to 500: every other byte stays the same.
    const auto at = body.find("\"amount\":5,");
    BOOST_REQUIRE(at != std::string::npos);
    body.replace(at, 11, "\"amount\":500,");
    fake_peer liar(fake_peer::mode::serve, body);

    node_process node(quick_node());
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
}

BOOST_AUTO_TEST_CASE(garbage_and_foreign_chains_are_rejected)
{
    fake_peer garbage(fake_peer::mode::serve, "this is not json");
    fake_peer error500(fake_peer::mode::serve, "{}", 500);
    // A well-formed chain whose genesis is not ours.
    std::string foreign = real_chain_body(1);
    foreign.replace(foreign.find("1.515310711279E9"), 16, "1.515310711278E9");
    fake_peer other_genesis(fake_peer::mode::serve, foreign);

    node_process node(quick_node());
    for (auto* p : {&garbage, &error500, &other_genesis})
        register_peer(node, p->url());
    const auto r = sync(node);
    BOOST_TEST(r.at("peers_failed").as_array().size() == 3u, r);
    const std::string all = bj::serialize(r.at("peers_failed"));
    BOOST_TEST(all.find("invalid reply") != std::string::npos);
    BOOST_TEST(all.find("HTTP 500") != std::string::npos);
    BOOST_TEST(all.find("bad_genesis") != std::string::npos);
    BOOST_TEST(chain_of(node).size() == 1u);
}

BOOST_AUTO_TEST_CASE(oversized_peer_reply_is_cut_off)
{
    std::string huge = "{\"chain\":[\"" + std::string(3 * 1024 * 1024, 'x') + "\"]}";
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
    node_process node(quick_node({"--peer-connect-timeout-ms", "500", "--peer-response-timeout-ms", "1500"}));
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

    // The node stayed responsive throughout and afterwards.
    BOOST_TEST(http_get(node.port(), "/chain", std::chrono::seconds(2)).status == 200u);
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
    register_peer(a, b.url());
    BOOST_TEST(sync(a).at("message").as_string() == "Chain was replaced");

    const auto after = chain_of(a);
    BOOST_TEST(count_in_chain(after, t1) == 0); // its block was abandoned...
    BOOST_TEST(count_in_chain(after, t3) == 1);
    mine(a); // ...and it went back to pending, with t2
    const auto final_chain = chain_of(a);
    for (const auto& id : {t1, t2, t3})
        BOOST_TEST(count_in_chain(final_chain, id) == 1, id);
}

BOOST_AUTO_TEST_SUITE_END()
