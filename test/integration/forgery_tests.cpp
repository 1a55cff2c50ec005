// Ids bound to content: a peer cannot confirm another payment under an acknowledged transaction's id.
#include <beastchain/core/pow.hpp>
#include <beastchain/json/conversions.hpp>

#include "../support/fake_peer.hpp"
#include "helpers.hpp"

using namespace beastchain;
using namespace beastchain::test;
namespace bj = boost::json;

namespace {

/// The node's tip, decoded from its /chain reply.
core::chain_entry tip_of(const node_process& n)
{
    const auto chain = chain_of(n);
    auto decoded = json::decode_block(chain.back());
    BOOST_TEST_REQUIRE(decoded.ok());
    core::chain_entry e;
    e.blk = std::move(decoded.value().blk);
    e.hash = core::block_hash(e.blk);
    return e;
}

/// A valid-looking block on `parent` that pays mallory under `stolen_id`, solved at `difficulty`:
/// everything about it is right except that the id is not the hash of the payment.
core::block
forged_block(const core::chain_entry& parent, const std::string& stolen_id, std::uint32_t difficulty)
{
    core::block b;
    b.index = parent.blk.index + 1;
    b.previous_hash = parent.hash;
    b.timestamp_ms = parent.blk.timestamp_ms + 1000;
    b.difficulty = difficulty;
    core::transaction forged = core::make_transaction("mallory", "mallory", 1, 1);
    forged.transaction_id = stolen_id;
    b.transactions = {forged, core::make_transaction("0", "mallory", core::reward_amount, b.index)};
    std::atomic<bool> stop{false};
    b.proof = core::pow_search(b).search(0, 1, stop).value();
    return b;
}

std::string block_json(const core::block& b)
{
    return bj::serialize(bj::value_from(core::chain_entry{b, core::block_hash(b), 0}));
}

} // namespace

BOOST_AUTO_TEST_SUITE(forgery_tests)

BOOST_AUTO_TEST_CASE(a_pushed_block_reusing_an_acknowledged_id_is_refused_and_the_payment_is_mined)
{
    node_process node(quick_node());
    const std::string id = submit(node, "alice", "bob", 5);
    BOOST_TEST(id.size() == 64u);
    const auto difficulty = static_cast<std::uint32_t>(status_of(node).at("difficulty").to_number<int>());

    const auto pushed =
        http_post_json(node.port(), "/blocks", block_json(forged_block(tip_of(node), id, difficulty)));
    BOOST_TEST(pushed.status == 400u, pushed.body);
    BOOST_TEST(pushed.json().at("error").as_string() == "invalid_block");
    BOOST_TEST(
        std::string(pushed.json().at("detail").as_string()).find("transaction_id_mismatch") !=
        std::string::npos
    );
    BOOST_TEST(chain_of(node).size() == 1u);
    BOOST_TEST(status_of(node).at("pending_transactions").to_number<int>() == 1);

    // A relayed copy of the forgery is refused too, with its own reason.
    const bj::object forged_tx =
        bj::value_from(forged_block(tip_of(node), id, difficulty).transactions[0]).as_object();
    const auto relayed = http_post_json(
        node.port(), "/transactions", bj::serialize(bj::object{{"transactions", bj::array{forged_tx}}})
    );
    BOOST_TEST(relayed.status == 400u, relayed.body);
    BOOST_TEST(
        std::string(relayed.json().at("detail").as_string()).find("transaction_id_mismatch") !=
        std::string::npos
    );

    // alice -> bob is mined, exactly once, under the id the node acknowledged.
    mine(node);
    const auto chain = chain_of(node);
    BOOST_TEST(count_in_chain(chain, id) == 1);
    for (const auto& tx : chain.back().at("transactions").as_array())
        if (tx.at("transaction_id").as_string() == id) {
            BOOST_TEST(tx.at("sender").as_string() == "alice");
            BOOST_TEST(tx.at("recipient").as_string() == "bob");
        }
}

BOOST_AUTO_TEST_CASE(a_peer_serving_a_forged_id_in_sync_is_banned_and_the_payment_survives)
{
    node_process node(quick_node());
    const std::string id = submit(node, "alice", "bob", 5);
    const auto difficulty = static_cast<std::uint32_t>(status_of(node).at("difficulty").to_number<int>());
    const core::block forged = forged_block(tip_of(node), id, difficulty);

    // A peer that claims far more work and serves the forged block as the next page.
    fake_peer liar(fake_peer::mode::serve);
    liar.route(
        "/status",
        200,
        bj::serialize(bj::object{
            {"height", 1},
            {"tip_hash", core::to_hex(core::block_hash(forged))},
            {"cumulative_work", core::work_to_string(core::block_work(0) + core::block_work(difficulty))},
            {"protocol", 4}})
    );
    liar.route("/headers", 200, headers_page({forged}, 1, 1)); // its header is sound: the work is real
    liar.route("/blocks", 200, "{\"blocks\":[" + block_json(forged) + "],\"from\":1,\"height\":1}");
    register_peer(node, liar.url());
    const auto synced = http_get(node.port(), "/sync-chain");
    BOOST_TEST(synced.status == 200u, synced.body);
    BOOST_TEST(wait_until([&] {
        const auto nodes = http_get(node.port(), "/nodes").json().at("nodes").as_array();
        return !nodes.empty() && nodes[0].at("state").as_string() == "banned";
    }));
    const auto peer = http_get(node.port(), "/nodes").json().at("nodes").as_array().at(0);
    BOOST_TEST(
        std::string(peer.at("last_error").as_string()).find("transaction_id_mismatch") != std::string::npos,
        peer
    );

    BOOST_TEST(chain_of(node).size() == 1u);
    mine(node);
    BOOST_TEST(count_in_chain(chain_of(node), id) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
