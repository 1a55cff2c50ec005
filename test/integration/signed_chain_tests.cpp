// The signed chain on real nodes: a wallet paying from mined coins, balances enforced at submit
// and in pushed blocks, a double spend across a partition, restarts after kill -9, eviction.
#include <beastchain/core/address.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/json/conversions.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sys/stat.h>

#include "../support/blocks.hpp"
#include "../support/fake_peer.hpp"
#include "helpers.hpp"

namespace bj = boost::json;
namespace core = beastchain::core;
using namespace beastchain::test;

namespace {

constexpr std::uint64_t reward = 1000;

/// A signed test network: reward 1000, minimum difficulty 12, 100 transactions a block.
struct signed_spec
{
    temp_data_dir dir;
    std::string path;
    signed_spec()
    {
        std::filesystem::create_directories(dir.path);
        path = dir.path + "/spec.json";
        std::ofstream(path) << R"({"name": "signed-test", "transactions": "signed", "block_reward": 1000,
                  "difficulty": {"rule": "minimum", "min_difficulty": 12},
                  "limits": {"max_block_transactions": 100, "max_future_seconds": 7200}})";
    }
};

struct party
{
    core::secret_key key = core::secret_key::generate();
    std::string address = core::address_of(core::public_key_of(key));
};

core::hash256 chain_id_of(const node_process& n)
{
    return *core::hash_from_hex(std::string(status_of(n).at("chain_id").as_string()));
}

bj::object account_of(const node_process& n, const std::string& address)
{
    const auto r = http_get(n.port(), "/accounts/" + address);
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().as_object();
}

std::uint64_t balance_of(const node_process& n, const std::string& address)
{
    return account_of(n, address).at("balance").to_number<std::uint64_t>();
}

std::string status_of_tx(const node_process& n, const std::string& id)
{
    return std::string(http_get(n.port(), "/transactions/" + id).json().at("status").as_string());
}

core::chain_entry tip_of(const node_process& n)
{
    const auto chain = chain_of(n);
    auto decoded = beastchain::json::decode_block(chain.back());
    BOOST_TEST_REQUIRE(decoded.ok());
    const core::block b = decoded.value().blk;
    return {b, core::block_hash(b), 0};
}

/// A solved block on `parent` with `txs` and a reward of 1000 plus their fees to `miner`.
core::chain_entry
block_on(const core::chain_entry& parent, std::vector<core::transaction> txs, const std::string& miner)
{
    const core::block b = block_paying(parent, std::move(txs), miner, reward, 12, 1);
    return {b, core::block_hash(b), 0};
}

http_result push(const node_process& n, const core::chain_entry& e)
{
    return http_post_json(n.port(), "/blocks", bj::serialize(bj::value_from(e)));
}

http_result submit_signed(const node_process& n, const core::transaction& tx)
{
    return http_post_json(n.port(), "/create-transaction", bj::serialize(bj::value_from(tx)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(signed_chain_tests)

BOOST_AUTO_TEST_CASE(a_wallet_pays_from_mined_coins_and_the_node_holds_it_to_its_balance)
{
    signed_spec spec;
    temp_data_dir keys;
    std::filesystem::create_directories(keys.path);
    const std::string alice_file = keys.path + "/alice.json";
    const std::string bob_file = keys.path + "/bob.json";
    const std::string alice = trimmed(wallet({"--wallet", alice_file, "new"}).out);
    const std::string bob = trimmed(wallet({"--wallet", bob_file, "new"}).out);
    node_process node(quick_node({"--chain", spec.path, "--mining-address", alice}));
    const auto st = status_of(node);
    BOOST_TEST(st.at("transactions").as_string() == "signed");
    BOOST_TEST(st.at("chain").as_string() == "signed-test");

    // The tutorial's client shape: refused, naming what is missing.
    const auto open = http_post_json(node.port(), "/create-transaction", tx_json(alice, bob, 5));
    BOOST_TEST(open.status == 400u, open.body);
    BOOST_TEST(open.json().at("error").as_string() == "unsigned_transaction", open.body);
    BOOST_TEST(open.json().at("field").as_string() == "signature", open.body);

    mine(node);
    BOOST_TEST(balance_of(node, alice) == reward);
    const auto shown = wallet({"--wallet", alice_file, "--node", node.url(), "balance"});
    BOOST_TEST(shown.exit_code == 0, shown.err);
    BOOST_TEST(has(shown.out, R"("balance":1000)"), shown.out);

    const std::string node_flag = "--node=" + node.url();
    const auto sent = wallet({"--wallet", alice_file, node_flag, "--fee", "5", "send", bob, "600"});
    BOOST_TEST_REQUIRE(sent.exit_code == 0, sent.err);
    const std::string id = trimmed(sent.out);
    BOOST_TEST(has(sent.err, "signing for chain \"signed-test\""), sent.err);
    // A send whose reply is lost names the transaction, so a retry does not pay twice.
    const auto lost = wallet(
        {"--wallet",
         alice_file,
         "--node",
         "http://127.0.0.1:1",
         "--chain-id",
         std::string(st.at("chain_id").as_string()),
         "--nonce",
         "7",
         "send",
         bob,
         "1"}
    );
    BOOST_TEST(lost.exit_code == 1);
    BOOST_TEST(has(lost.err, "the transaction was "), lost.err);
    BOOST_TEST(has(lost.err, "--nonce 7"), lost.err);
    BOOST_TEST(status_of_tx(node, id) == "pending");
    BOOST_TEST(account_of(node, alice).at("pending").at("available").to_number<int>() == 395);

    // 500 more would overdraw what the pending 605 leaves.
    const auto over = wallet({"--wallet", alice_file, node_flag, "send", bob, "500"});
    BOOST_TEST(over.exit_code == 1);
    BOOST_TEST(has(over.err, "overdraft"), over.err);
    // Nonce 0 again, spent differently: a conflict with what is pending.
    const auto again = wallet({"--wallet", alice_file, node_flag, "--nonce", "0", "send", bob, "1"});
    BOOST_TEST(again.exit_code == 1);
    BOOST_TEST(has(again.err, "conflicting_transaction"), again.err);

    mine(node);
    BOOST_TEST(status_of_tx(node, id) == "confirmed");
    BOOST_TEST(balance_of(node, bob) == 600u);
    BOOST_TEST(balance_of(node, alice) == reward - 605 + reward + 5); // fees go to the miner
    BOOST_TEST(account_of(node, alice).at("nonce").to_number<int>() == 1);

    // sign prints the transaction without sending it; it can be submitted once.
    const auto signed_tx = wallet({"--wallet", bob_file, node_flag, "--fee", "1", "sign", alice, "100"});
    BOOST_TEST_REQUIRE(signed_tx.exit_code == 0, signed_tx.err);
    const bj::value tx = bj::parse(signed_tx.out);
    BOOST_TEST(tx.at("sender").as_string() == bob);
    BOOST_TEST(tx.at("signature").as_string().size() == 128u);
    BOOST_TEST(status_of_tx(node, std::string(tx.at("transaction_id").as_string())) == "unknown");
    const auto first = http_post_json(node.port(), "/create-transaction", signed_tx.out);
    BOOST_TEST(first.status == 201u, first.body);
    BOOST_TEST(first.json().at("transaction_id") == tx.at("transaction_id"));
    BOOST_TEST(http_post_json(node.port(), "/create-transaction", signed_tx.out).status == 409u);
    // An edited amount no longer matches the signature.
    bj::value edited = tx;
    edited.as_object()["amount"] = 99;
    const auto forged = http_post_json(node.port(), "/create-transaction", bj::serialize(edited));
    BOOST_TEST(forged.status == 400u);
    BOOST_TEST(forged.json().at("error").as_string() == "bad_signature", forged.body);
}

BOOST_AUTO_TEST_CASE(a_pushed_block_that_overdraws_is_refused)
{
    signed_spec spec;
    party alice, bob, miner;
    node_process node(quick_node({"--chain", spec.path, "--mining-address", miner.address}));
    const core::hash256 id = chain_id_of(node);
    const auto funded = block_on(tip_of(node), {}, alice.address);
    BOOST_TEST_REQUIRE(push(node, funded).status == 200u);

    const auto tx = core::make_signed_transaction(alice.key, bob.address, reward + 1, 0, 0, id);
    const auto r = push(node, block_on(funded, {tx}, miner.address));
    BOOST_TEST(r.status == 400u, r.body);
    BOOST_TEST(r.json().at("error").as_string() == "invalid_block");
    BOOST_TEST(has(r.body, "overdraft"), r.body);
    BOOST_TEST(status_of(node).at("height").to_number<int>() == 1);
    BOOST_TEST(balance_of(node, alice.address) == reward);
    BOOST_TEST(balance_of(node, bob.address) == 0u);
    // The same spend within the balance is accepted in a block.
    const auto fits = core::make_signed_transaction(alice.key, bob.address, reward, 0, 0, id);
    BOOST_TEST(push(node, block_on(funded, {fits}, miner.address)).status == 200u);
    BOOST_TEST(balance_of(node, bob.address) == reward);

    // Junk signatures in a block without its proof of work: refused for the work, before any
    // signature is verified (a verification costs far more than a hash).
    auto junk = core::make_signed_transaction(alice.key, bob.address, 1, 0, 1, id);
    junk.sig->fill(0x42);
    junk.transaction_id = core::transaction_id_of(junk);
    core::chain_entry lazy = block_on(tip_of(node), {junk}, miner.address);
    while (core::meets_difficulty(core::block_hash(lazy.blk), 12))
        ++lazy.blk.proof;
    lazy.hash = core::block_hash(lazy.blk);
    const auto refused = push(node, lazy);
    BOOST_TEST(refused.status == 400u);
    BOOST_TEST(has(refused.body, "insufficient_work"), refused.body);
}

BOOST_AUTO_TEST_CASE(a_nonce_spent_on_both_sides_of_a_partition_is_confirmed_once_everywhere)
{
    signed_spec spec;
    party alice, bob, carol, miner;
    node_process left(quick_node({"--chain", spec.path, "--mining-address", miner.address}));
    node_process right(quick_node({"--chain", spec.path, "--mining-address", miner.address}));
    // One funding block on both, then the two never hear of each other.
    const auto funded = block_on(tip_of(left), {}, alice.address);
    BOOST_TEST_REQUIRE(push(left, funded).status == 200u);
    BOOST_TEST_REQUIRE(push(right, funded).status == 200u);
    const core::hash256 id = chain_id_of(left);
    const auto to_bob = core::make_signed_transaction(alice.key, bob.address, 700, 1, 0, id);
    const auto to_carol = core::make_signed_transaction(alice.key, carol.address, 700, 1, 0, id);
    BOOST_TEST_REQUIRE(submit_signed(left, to_bob).status == 201u);
    BOOST_TEST_REQUIRE(submit_signed(right, to_carol).status == 201u);
    mine(left);
    mine(right);
    mine(right); // more work on the right

    register_peer(left, right.url());
    register_peer(right, left.url());
    BOOST_TEST(http_get(left.port(), "/sync-chain").status == 200u);
    BOOST_TEST(wait_until([&] { return tip_of(left).hash == tip_of(right).hash; }));
    for (const node_process* n : {&left, &right}) {
        BOOST_TEST(status_of_tx(*n, to_carol.transaction_id) == "confirmed");
        BOOST_TEST(balance_of(*n, alice.address) == reward - 701);
        BOOST_TEST(balance_of(*n, carol.address) == 700u);
        BOOST_TEST(balance_of(*n, bob.address) == 0u);
    }
    BOOST_TEST(status_of_tx(right, to_bob.transaction_id) == "unknown"); // never seen there
    // Where it had been confirmed, the losing spend is reported, not silently forgotten.
    const auto lost = http_get(left.port(), "/transactions/" + to_bob.transaction_id).json();
    BOOST_TEST(lost.at("status").as_string() == "conflicted", bj::serialize(lost));
    BOOST_TEST(lost.at("reason").as_string() == "nonce_reused", bj::serialize(lost));
    BOOST_TEST(
        has(http_get(left.port(), "/metrics").body,
            "\nbeastchain_transactions_dropped_total{reason=\"conflicted\"} 1\n")
    );
}

BOOST_AUTO_TEST_CASE(a_peer_serving_a_chain_that_overdraws_is_charged_not_followed)
{
    signed_spec spec;
    party alice, bob, miner;
    node_process node(quick_node({"--chain", spec.path, "--mining-address", miner.address}));
    const core::hash256 id = chain_id_of(node);
    const auto genesis = tip_of(node);
    // More work than ours, every block sound on its own: alice is paid, then spends twice that.
    const auto b1 = block_on(genesis, {}, alice.address);
    const auto b2 = block_on(
        b1, {core::make_signed_transaction(alice.key, bob.address, 2 * reward, 0, 0, id)}, miner.address
    );
    const auto b3 = block_on(b2, {}, miner.address);
    fake_peer liar(fake_peer::mode::serve);
    bj::object st = bj::parse(status_reply(
                                  3,
                                  core::to_hex(b3.hash),
                                  core::work_to_string(core::block_work(0) + 3 * core::block_work(12))
                              ))
                        .as_object();
    st["genesis_hash"] = core::to_hex(genesis.hash);
    liar.route("/status", 200, bj::serialize(st));
    liar.route("/headers", 200, headers_page({b1.blk, b2.blk, b3.blk}, 1, 3));
    bj::array blocks;
    for (const auto* e : {&b1, &b2, &b3})
        blocks.push_back(bj::value_from(*e));
    liar.route("/blocks", 200, bj::serialize(bj::object{{"blocks", blocks}, {"from", 1}, {"height", 3}}));

    register_peer(node, liar.url());
    BOOST_TEST(http_get(node.port(), "/sync-chain").status == 200u);
    BOOST_TEST(
        wait_until([&] {
            const auto entry = peer_entry(node, liar.url());
            const auto* error = entry.if_contains("last_error");
            return error != nullptr && error->is_string() &&
                   std::string(error->as_string()).find("overdraft") != std::string::npos;
        }),
        bj::serialize(peer_entry(node, liar.url()))
    );
    BOOST_TEST(status_of(node).at("height").to_number<int>() == 0);
    BOOST_TEST(balance_of(node, bob.address) == 0u);
}

BOOST_AUTO_TEST_CASE(balances_and_the_node_key_survive_kill_9)
{
    signed_spec spec;
    temp_data_dir dir;
    const std::vector<std::string> args = quick_node({"--chain", spec.path, "--data-dir", dir.path});
    std::string miner;
    {
        node_process node(args);
        mine(node);
        miner =
            std::string(chain_of(node).back().at("transactions").as_array().back().at("recipient").as_string()
            );
        BOOST_TEST(core::public_key_from_address(miner).has_value(), miner);
        BOOST_TEST(balance_of(node, miner) == reward);
        node.stop(9);
    }
    struct stat st
    {};
    BOOST_TEST_REQUIRE(::stat((dir.path + "/node-key.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    node_process again(args);
    BOOST_TEST(balance_of(again, miner) == reward);
    mine(again); // the same key, so the same address is paid
    BOOST_TEST(balance_of(again, miner) == 2 * reward);
}

BOOST_AUTO_TEST_CASE(a_full_pool_evicts_the_lowest_fee_and_a_restart_keeps_it_evicted)
{
    signed_spec spec;
    temp_data_dir dir;
    party a, b, c, d, miner;
    const auto args = quick_node(
        {"--chain",
         spec.path,
         "--max-pending",
         "2",
         "--mining-address",
         miner.address,
         "--data-dir",
         dir.path}
    );
    auto node = std::make_unique<node_process>(args);
    const core::hash256 id = chain_id_of(*node);
    core::chain_entry tip = tip_of(*node);
    for (const party* p : {&a, &b, &c, &d}) {
        tip = block_on(tip, {}, p->address);
        BOOST_TEST_REQUIRE(push(*node, tip).status == 200u);
    }
    const auto pay = [&](const party& from, std::uint64_t fee, std::uint64_t nonce = 0) {
        return core::make_signed_transaction(from.key, miner.address, 10, fee, nonce, id);
    };
    const auto cheap = pay(a, 1);
    const auto from_b = pay(b, 3);
    BOOST_TEST_REQUIRE(submit_signed(*node, cheap).status == 201u);
    BOOST_TEST_REQUIRE(submit_signed(*node, from_b).status == 201u);
    const auto dearer = pay(c, 2);
    BOOST_TEST(submit_signed(*node, dearer).status == 201u);
    const auto evicted = http_get(node->port(), "/transactions/" + cheap.transaction_id).json();
    BOOST_TEST(evicted.at("status").as_string() == "evicted", bj::serialize(evicted));
    const auto refused = submit_signed(*node, pay(d, 2));
    BOOST_TEST(refused.status == 503u, refused.body);
    BOOST_TEST(has(refused.body, "cheapest"), refused.body);
    // The evicted sender bids again for the same nonce, and evicts the next cheapest.
    const auto bump = pay(a, 4);
    BOOST_TEST_REQUIRE(submit_signed(*node, bump).status == 201u);
    BOOST_TEST(status_of_tx(*node, dearer.transaction_id) == "evicted");
    BOOST_TEST(
        has(http_get(node->port(), "/metrics").body,
            "\nbeastchain_transactions_dropped_total{reason=\"evicted\"} 2\n")
    );

    // kill -9: the pool comes back as it was, not with both of a's nonce-0 spends.
    node->stop(9);
    node = std::make_unique<node_process>(args);
    BOOST_TEST(status_of(*node).at("pending_transactions").to_number<int>() == 2);
    BOOST_TEST(status_of_tx(*node, bump.transaction_id) == "pending");
    BOOST_TEST(status_of_tx(*node, from_b.transaction_id) == "pending");
    BOOST_TEST(status_of_tx(*node, cheap.transaction_id) == "evicted");
    BOOST_TEST(account_of(*node, a.address).at("pending").at("next_nonce").to_number<int>() == 1);
    mine(*node);
    BOOST_TEST(status_of_tx(*node, bump.transaction_id) == "confirmed");
    BOOST_TEST(status_of_tx(*node, from_b.transaction_id) == "confirmed");
    BOOST_TEST(balance_of(*node, a.address) == reward - 14);
    BOOST_TEST(submit_signed(*node, pay(a, 0, 1)).status == 201u); // a's next nonce
}

BOOST_AUTO_TEST_SUITE_END()
