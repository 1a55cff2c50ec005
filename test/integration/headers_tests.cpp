// Headers-first sync against lying peers: work claimed but not delivered, chains already found
// invalid, and the per-round byte budget.
#include <beastchain/core/pow.hpp>
#include <beastchain/json/conversions.hpp>

#include <chrono>
#include <thread>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain;
using namespace beastchain::test;
namespace bj = boost::json;

namespace {

/// Block 1 on genesis with sound proof of work and an invalid body (two rewards): its header
/// passes every header check, so only its body gives it away.
core::block invalid_block(std::uint32_t difficulty)
{
    core::block b;
    b.index = 1;
    b.previous_hash = core::genesis_hash();
    b.timestamp_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch()
    )
                                                    .count());
    b.difficulty = difficulty;
    b.transactions = {
        core::make_transaction("0", "mallory", core::reward_amount, 1),
        core::make_transaction("0", "mallory", core::reward_amount, 2)};
    std::atomic<bool> stop{false};
    b.proof = core::pow_search(b).search(0, 1, stop).value();
    return b;
}

std::string status_json(std::uint64_t height, const std::string& tip, const std::string& work)
{
    return bj::serialize(bj::object{
        {"height", height}, {"tip_hash", tip}, {"cumulative_work", work}, {"protocol", 4}});
}

bool last_error_has(const node_process& n, const std::string& address, const std::string& text)
{
    const auto e = peer_entry(n, address);
    const auto* err = e.if_contains("last_error");
    return err != nullptr && err->is_string() &&
           std::string(err->as_string()).find(text) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(headers_sync_tests)

BOOST_AUTO_TEST_CASE(a_peer_claiming_more_work_than_its_headers_carry_fails_before_any_body)
{
    node_process source(quick_node());
    mine(source);
    mine(source);
    bj::object claim = status_of(source);
    claim["cumulative_work"] = "999999999999"; // far more than its two blocks
    fake_peer inflated(fake_peer::mode::serve);
    inflated.route("/status", 200, bj::serialize(claim));
    inflated.route("/headers", 200, http_get(source.port(), "/headers?from=1").body);
    inflated.route("/blocks", 200, http_get(source.port(), "/blocks?from=1&limit=500").body);

    node_process node(quick_node({"--advertise-url", "none", "--sync-interval", "0"}));
    register_peer(node, inflated.url()); // the link's round
    BOOST_TEST(wait_until([&] { return last_error_has(node, inflated.url(), "less work"); }));
    BOOST_TEST(inflated.requests_to("GET /headers") == 1);
    BOOST_TEST(inflated.requests_to("GET /blocks") == 0); // no body for a chain short of its claim
    BOOST_TEST(peer_entry(node, inflated.url()).at("state").as_string() == "backoff"); // no ban
    BOOST_TEST(chain_of(node).size() == 1u);

    // While it claims the same tip, a round costs one /status: its headers are not fetched again.
    BOOST_TEST_REQUIRE(wait_until([&] { return peer_entry(node, inflated.url()).at("state") != "backoff"; }));
    const auto again = http_get(node.port(), "/sync-chain").json();
    BOOST_TEST(bj::serialize(again.at("peers_failed")).find("still claims") != std::string::npos, again);
    BOOST_TEST(inflated.requests_to("GET /headers") == 1);

    // Once its claim is true, it is synced from like any peer.
    inflated.route("/status", 200, http_get(source.port(), "/status").body);
    BOOST_TEST_REQUIRE(wait_until([&] { return peer_entry(node, inflated.url()).at("state") != "backoff"; }));
    const auto synced = http_get(node.port(), "/sync-chain").json();
    BOOST_TEST(synced.at("message").as_string() == "Chain was replaced", synced);
    BOOST_TEST(chain_of(node) == chain_of(source));
}

BOOST_AUTO_TEST_CASE(a_chain_found_invalid_is_not_downloaded_again_from_anyone)
{
    node_process node(quick_node({"--advertise-url", "none", "--sync-interval", "0", "--ban-seconds", "1"}));
    const auto difficulty = static_cast<std::uint32_t>(status_of(node).at("difficulty").to_number<int>());
    const core::block bad = invalid_block(difficulty);
    const std::string bad_hash = core::to_hex(core::block_hash(bad));
    const std::string work = core::work_to_string(core::block_work(0) + core::block_work(difficulty));
    const auto serve = [&](fake_peer& p, const std::string& tip) {
        p.route("/status", 200, status_json(1, tip, work));
        p.route("/headers", 200, headers_page({bad}, 1, 1));
        p.route(
            "/blocks",
            200,
            "{\"blocks\":[" +
                bj::serialize(bj::value_from(core::chain_entry{bad, core::block_hash(bad), 0})) +
                "],\"from\":1,\"height\":1}"
        );
    };

    // The first peer's body is checked, found invalid, and the peer banned.
    fake_peer first(fake_peer::mode::serve);
    serve(first, bad_hash);
    register_peer(node, first.url());
    BOOST_TEST(wait_until([&] { return peer_entry(node, first.url()).at("state") == "banned"; }));
    BOOST_TEST(last_error_has(node, first.url(), "multiple_rewards"));
    BOOST_TEST(first.requests_to("GET /blocks") == 1);

    // Another peer naming that tip is refused from its /status alone: a failure, not a ban (it
    // may only have been fooled).
    fake_peer second(fake_peer::mode::serve);
    serve(second, bad_hash);
    register_peer(node, second.url());
    BOOST_TEST(wait_until([&] { return last_error_has(node, second.url(), "found invalid"); }));
    BOOST_TEST(second.requests_to("GET /headers") == 0);
    BOOST_TEST(second.requests_to("GET /blocks") == 0);
    BOOST_TEST(peer_entry(node, second.url()).at("state") == "backoff");

    // A peer naming another tip whose headers run through the invalid block stops at its headers.
    fake_peer third(fake_peer::mode::serve);
    serve(third, std::string(64, 'a'));
    register_peer(node, third.url());
    BOOST_TEST(wait_until([&] { return last_error_has(node, third.url(), "already refused"); }));
    BOOST_TEST(third.requests_to("GET /headers") == 1);
    BOOST_TEST(third.requests_to("GET /blocks") == 0);

    // The first liar, its ban over, costs one /status too.
    BOOST_TEST_REQUIRE(wait_until([&] { return peer_entry(node, first.url()).at("state") != "banned"; }));
    http_get(node.port(), "/sync-chain");
    BOOST_TEST(first.requests_to("GET /headers") == 1);
    BOOST_TEST(first.requests_to("GET /blocks") == 1);
    BOOST_TEST(chain_of(node).size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_honest_block_served_out_of_place_is_not_remembered_as_invalid)
{
    // A liar shows an honest chain's headers, then serves its block 3 where block 2 belongs.
    // Block 3 fails there (bad_index) through no fault of its own: the liar is banned, and the
    // honest chain through block 3 must still be synced from the next peer that serves it.
    node_process source(quick_node({"--advertise-url", "none"}));
    for (int i = 0; i < 3; ++i)
        mine(source);
    bj::value page = bj::parse(http_get(source.port(), "/blocks?from=1&limit=500").body);
    auto& blocks = page.at("blocks").as_array();
    blocks.erase(blocks.begin() + 1);
    fake_peer liar(fake_peer::mode::serve);
    liar.route("/status", 200, http_get(source.port(), "/status").body);
    liar.route("/headers", 200, http_get(source.port(), "/headers?from=1").body);
    liar.route("/blocks", 200, bj::serialize(page));

    node_process node(quick_node({"--advertise-url", "none", "--sync-interval", "0"}));
    register_peer(node, liar.url());
    BOOST_TEST(wait_until([&] { return peer_entry(node, liar.url()).at("state") == "banned"; }));
    BOOST_TEST(last_error_has(node, liar.url(), "bad_index"));
    register_peer(node, source.url());
    BOOST_TEST(wait_until([&] { return chain_of(node) == chain_of(source); }));
    BOOST_TEST(!last_error_has(node, source.url(), "invalid"));
}

BOOST_AUTO_TEST_CASE(a_sync_round_reads_about_its_byte_budget_and_the_next_carries_on)
{
    temp_data_dir source_dir;
    node_process source(generated_chain_node(source_dir, 3000));
    constexpr double budget = 256 * 1024;
    node_process node(quick_node(
        {"--difficulty",
         "1",
         "--advertise-url",
         "none",
         "--sync-interval",
         "0",
         "--sync-round-bytes",
         "262144"}
    ));
    register_peer(node, source.url());
    BOOST_TEST(wait_until([&] { return status_of(node).at("height").to_number<int>() == 3000; }));
    BOOST_TEST(status_of(node).at("tip_hash") == status_of(source).at("tip_hash"));
    const std::string metrics = http_get(node.port(), "/metrics").body;
    const double rounds = metric_value(metrics, "beastchain_sync_runs_total");
    const double bytes = metric_value(metrics, "beastchain_sync_received_bytes_total");
    BOOST_TEST_MESSAGE(
        "3,000 blocks under a 256 KiB round budget: " << rounds << " rounds, " << bytes << " bytes"
    );
    // Each round stops at the budget, past it by at most the headers page in flight (2,000
    // headers, 390 KB) and the one page of bodies every round may fetch (500 of these blocks,
    // about 190 KB), and the next carries on from the new tip by itself: no /sync-chain, no timer.
    BOOST_TEST(bytes <= rounds * (budget + 400 * 1024 + 200 * 1024));
    BOOST_TEST(rounds >= 3);
    BOOST_TEST(peer_entry(node, source.url()).at("state") == "ok"); // a budget is nobody's fault
}

BOOST_AUTO_TEST_CASE(headers_route_serves_checked_pages)
{
    node_process node(quick_node());
    mine(node);
    mine(node);
    const auto all = http_get(node.port(), "/headers").json();
    BOOST_TEST(all.at("from").to_number<int>() == 0);
    BOOST_TEST(all.at("height").to_number<int>() == 2);
    const auto& headers = all.at("headers").as_array();
    BOOST_REQUIRE(headers.size() == 3u);
    // Each header hashes to its block's hash.
    const auto chain = chain_of(node);
    for (std::size_t i = 0; i < headers.size(); ++i) {
        core::header_bytes bytes{};
        BOOST_REQUIRE(core::bytes_from_hex(headers[i].as_string(), bytes));
        BOOST_TEST(core::to_hex(core::sha256(bytes)) == chain[i].at("hash").as_string());
    }
    // After a locator, from a height, and the refusals.
    const std::string tip = std::string(chain[1].at("hash").as_string());
    const auto after = http_get(node.port(), "/headers?locator=1:" + tip).json();
    BOOST_TEST(after.at("from").to_number<int>() == 2);
    BOOST_TEST(after.at("headers").as_array().size() == 1u);
    BOOST_TEST(http_get(node.port(), "/headers?from=1&limit=1").json().at("headers").as_array().size() == 1u);
    BOOST_TEST(http_get(node.port(), "/headers?limit=2001").status == 400u);
    BOOST_TEST(http_get(node.port(), "/headers?locator=1:" + std::string(64, '0')).status == 404u);
    BOOST_TEST(http_get(node.port(), "/headers?from=99").json().at("headers").as_array().empty());
}

BOOST_AUTO_TEST_SUITE_END()
