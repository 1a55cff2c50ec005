// The ledger on a signed chain: the pool against balances and nonces, fee-ordered blocks, blocks
// and chain switches that break the account rules, eviction, and the storage encoding.
#include <beastchain/core/ledger.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/storage/record.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/blocks.hpp"
#include "chain_fixture.hpp"

using namespace beastchain;
using core::reject_reason;
using status = core::ledger::accept_status;
using state = core::ledger::transaction_lookup::state;

namespace {

const core::hash256 chain_a = core::sha256(std::string_view("signed ledger tests"));

struct party
{
    core::secret_key key = core::secret_key::generate();
    std::string address = core::address_of(core::public_key_of(key));
};

core::consensus_params signed_params(std::size_t max_block_transactions = 10)
{
    core::consensus_params p = test::test_params();
    p.signed_transactions = true;
    p.chain_id = chain_a;
    p.block_reward = 100;
    p.max_block_transactions = max_block_transactions;
    return p;
}

core::transaction
pay(const party& from, const party& to, std::uint64_t amount, std::uint64_t fee, std::uint64_t nonce)
{
    return core::make_signed_transaction(from.key, to.address, amount, fee, nonce, chain_a);
}

std::uint64_t next_time(const core::ledger& l)
{
    return l.best_chain().tip().blk.timestamp_ms + 1000;
}

/// Mines the ledger's own template (what --mine does) and connects it.
core::block mine(core::ledger& l, const party& miner)
{
    core::block b = l.make_block_template(miner.address, test::test_difficulty, next_time(l));
    test::solve(b);
    const auto r = l.connect_block(b, next_time(l));
    BOOST_REQUIRE_MESSAGE(r.ok(), r.detail);
    return b;
}

/// A block on `parent` holding `txs` and a reward of the block reward plus their fees, solved.
core::block block_on(const core::chain_entry& parent, std::vector<core::transaction> txs, const party& miner)
{
    return test::block_paying(parent, std::move(txs), miner.address, 100, test::test_difficulty, 1000);
}

/// `blocks` validated as the continuation of `l`'s block `fork_index - 1`.
core::chain_suffix suffix_of(const core::ledger& l, std::size_t fork_index, std::vector<core::block> blocks)
{
    core::chain_suffix s;
    s.fork_index = fork_index;
    std::unordered_set<std::string> txids;
    core::chain_rejection why;
    const auto& parent = l.best_chain().entries().at(fork_index - 1);
    BOOST_REQUIRE(core::validate_extension(
        s.entries,
        parent,
        l.best_chain().timing_at(fork_index - 1),
        std::move(blocks),
        {},
        parent.blk.timestamp_ms + 60'000,
        l.best_chain().params(),
        txids,
        why
    ));
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(signed_ledger_tests)

BOOST_AUTO_TEST_CASE(the_pool_checks_each_spend_against_the_balance_less_what_is_pending)
{
    party alice, bob;
    core::ledger l(signed_params(), 100);
    mine(l, alice);
    BOOST_TEST(l.accounts().get(alice.address).balance == 100u);

    const auto first = pay(alice, bob, 60, 1, 0);
    BOOST_TEST((l.accept_transaction(first).status == status::accepted));
    BOOST_TEST((l.accept_transaction(first).status == status::duplicate));

    // 61 is pending: 41 more would overdraw the 100 although the confirmed balance covers it.
    const auto over = l.accept_transaction(pay(alice, bob, 40, 1, 1));
    BOOST_TEST((over.status == status::invalid));
    BOOST_TEST((over.detail.reason == reject_reason::overdraft));
    BOOST_TEST((l.accept_transaction(pay(alice, bob, 39, 0, 1)).status == status::accepted));

    const auto gap = l.accept_transaction(pay(alice, bob, 1, 0, 5));
    BOOST_TEST((gap.detail.reason == reject_reason::nonce_gap));
    // The same nonce spent differently is a conflict with what is pending, not a malformed request.
    const auto twice = l.accept_transaction(pay(alice, bob, 2, 0, 0));
    BOOST_TEST((twice.status == status::conflict));
    BOOST_TEST((twice.detail.reason == reject_reason::nonce_reused));
    BOOST_TEST(twice.detail.detail.find(first.transaction_id) != std::string::npos, twice.detail.detail);

    const auto unsigned_tx = l.accept_transaction(test::make_tx(alice.address, bob.address, 1));
    BOOST_TEST((unsigned_tx.detail.reason == reject_reason::unsigned_transaction));
    auto other_chain =
        core::make_signed_transaction(alice.key, bob.address, 1, 0, 2, core::sha256(std::string_view("b")));
    BOOST_TEST((l.accept_transaction(other_chain).detail.reason == reject_reason::bad_signature));
    BOOST_TEST(l.pending().size() == 2u);

    // Mined, the balances move and the fees reach the miner with the reward.
    mine(l, bob);
    BOOST_TEST(l.accounts().get(alice.address).balance == 0u);
    BOOST_TEST(l.accounts().get(alice.address).next_nonce == 2u);
    BOOST_TEST(l.accounts().get(bob.address).balance == 60u + 39u + 100u + 1u);
    BOOST_TEST(l.pending().size() == 0u);
    const auto spent = l.accept_transaction(pay(alice, bob, 1, 0, 0));
    BOOST_TEST((spent.detail.reason == reject_reason::nonce_reused));
}

BOOST_AUTO_TEST_CASE(blocks_take_the_highest_fees_first_and_keep_each_senders_nonce_order)
{
    party alice, bob, miner;
    core::ledger l(signed_params(3), 100); // two transactions and the reward per block
    mine(l, alice);
    mine(l, bob);
    const auto a0 = pay(alice, bob, 10, 1, 0);
    const auto a1 = pay(alice, bob, 10, 9, 1); // pays most, but must follow a0
    const auto b0 = pay(bob, alice, 10, 5, 0);
    for (const auto& tx : {a0, a1, b0})
        BOOST_TEST((l.accept_transaction(tx).status == status::accepted));

    const core::block b = mine(l, miner);
    BOOST_REQUIRE(b.transactions.size() == 3u);
    BOOST_TEST(b.transactions[0].transaction_id == b0.transaction_id);
    BOOST_TEST(b.transactions[1].transaction_id == a0.transaction_id);
    BOOST_TEST(b.transactions[2].amount == 100u + 5u + 1u);
    BOOST_TEST(l.pending().contains(a1.transaction_id));
    mine(l, miner);
    BOOST_TEST(l.accounts().get(miner.address).balance == 100u + 6u + 100u + 9u);
}

BOOST_AUTO_TEST_CASE(a_pushed_block_that_overdraws_is_refused_and_changes_nothing)
{
    party alice, bob, miner;
    core::ledger l(signed_params(), 100);
    mine(l, alice);
    const auto before = l.best_chain().tip().hash;
    // Signed and well-formed, but alice holds 100.
    const core::block b = block_on(l.best_chain().tip(), {pay(alice, bob, 150, 0, 0)}, miner);
    const auto r = l.connect_block(b, next_time(l));
    BOOST_TEST((r.reason == reject_reason::overdraft));
    BOOST_TEST(l.best_chain().tip().hash == before);
    BOOST_TEST(l.accounts().get(alice.address).balance == 100u);
    BOOST_TEST(l.accounts().get(miner.address).balance == 0u);

    // A reward that keeps more than the fees is refused by the block's own rules.
    core::block greedy = block_on(l.best_chain().tip(), {pay(alice, bob, 10, 2, 0)}, miner);
    greedy.transactions.back() = core::make_transaction("0", miner.address, 103, greedy.index);
    test::solve(greedy);
    BOOST_TEST((l.connect_block(greedy, next_time(l)).reason == reject_reason::bad_reward));
}

BOOST_AUTO_TEST_CASE(a_chain_switch_moves_the_balances_and_reports_the_spend_it_conflicts_with)
{
    party alice, bob, carol, miner;
    core::ledger ours(signed_params(), 100);
    mine(ours, alice);
    core::ledger theirs(signed_params(), 100);
    BOOST_REQUIRE(theirs.connect_block(ours.best_chain().tip().blk, next_time(ours)).ok());

    // Alice's nonce 0 spent twice: to bob on our side, to carol on theirs.
    const auto to_bob = pay(alice, bob, 50, 1, 0);
    const auto to_carol = pay(alice, carol, 50, 1, 0);
    BOOST_REQUIRE((ours.accept_transaction(to_bob).status == status::accepted));
    mine(ours, miner);
    const auto after_bob = pay(alice, bob, 10, 0, 1); // pending on top of the spend to bob
    BOOST_REQUIRE((ours.accept_transaction(after_bob).status == status::accepted));
    const auto b2 = block_on(theirs.best_chain().tip(), {to_carol}, miner);
    const auto b3 = block_on(core::chain_entry{b2, core::block_hash(b2), 0}, {}, miner);

    const auto out = ours.adopt_suffix_if_more_work(suffix_of(ours, 2, {b2, b3}));
    BOOST_REQUIRE(out.switched);
    BOOST_TEST(ours.accounts().get(bob.address).balance == 0u);
    BOOST_TEST(ours.accounts().get(carol.address).balance == 50u);
    BOOST_TEST(ours.accounts().get(alice.address).balance == 49u);
    BOOST_TEST(ours.accounts().get(alice.address).next_nonce == 1u);
    // The abandoned spend to bob is reported as conflicted, and never silently: its follower
    // with nonce 1 now fits after carol's and stays.
    const auto lost = ours.find_transaction(to_bob.transaction_id);
    BOOST_TEST((lost.where == state::dropped));
    BOOST_TEST(!lost.evicted);
    BOOST_TEST((lost.why.reason == reject_reason::nonce_reused));
    BOOST_TEST(ours.pending().contains(after_bob.transaction_id));
    BOOST_TEST((ours.find_transaction(to_carol.transaction_id).where == state::confirmed));
}

BOOST_AUTO_TEST_CASE(a_suffix_that_breaks_the_account_rules_is_refused_and_the_state_is_kept)
{
    party alice, bob, miner;
    core::ledger l(signed_params(), 100);
    mine(l, alice);
    const auto fork = l.best_chain().tip();
    const auto spend = pay(alice, bob, 30, 0, 0);
    BOOST_REQUIRE((l.accept_transaction(spend).status == status::accepted));
    mine(l, miner);
    const auto tip = l.best_chain().tip().hash;

    // Two blocks off block 1: the first fine, the second overdraws alice.
    const auto b2 = block_on(fork, {pay(alice, bob, 60, 0, 0)}, miner);
    const auto b3 =
        block_on(core::chain_entry{b2, core::block_hash(b2), 0}, {pay(alice, bob, 60, 0, 1)}, miner);
    core::validation_result why;
    const auto out = l.adopt_suffix_if_more_work(suffix_of(l, 2, {b2, b3}), &why);
    BOOST_TEST(!out.switched);
    BOOST_TEST((why.reason == reject_reason::overdraft));
    BOOST_TEST(why.detail.find("block 3") != std::string::npos, why.detail);
    BOOST_TEST(l.best_chain().tip().hash == tip);
    BOOST_TEST(l.accounts().get(alice.address).balance == 70u);
    BOOST_TEST(l.accounts().get(bob.address).balance == 30u);
    BOOST_TEST(l.accounts().get(miner.address).balance == 100u);
    mine(l, miner); // and the state still extends
    BOOST_TEST(l.accounts().get(miner.address).balance == 200u);
}

BOOST_AUTO_TEST_CASE(a_full_pool_evicts_the_lowest_fee_for_a_higher_one_and_says_so)
{
    party alice, bob, carol, dave;
    core::ledger l(signed_params(), 2);
    for (const party* p : {&alice, &bob, &carol, &dave})
        mine(l, *p);
    const auto cheap = pay(alice, dave, 1, 1, 0);
    BOOST_REQUIRE((l.accept_transaction(cheap).status == status::accepted));
    BOOST_REQUIRE((l.accept_transaction(pay(bob, dave, 1, 3, 0)).status == status::accepted));

    const auto dearer = pay(carol, dave, 1, 2, 0);
    BOOST_TEST((l.accept_transaction(dearer).status == status::accepted));
    BOOST_TEST(l.pending().size() == 2u);
    const auto gone = l.find_transaction(cheap.transaction_id);
    BOOST_TEST((gone.where == state::dropped));
    BOOST_TEST(gone.evicted);

    // Paying no more than the cheapest left gets no room.
    const auto refused = l.accept_transaction(pay(dave, alice, 1, 2, 0));
    BOOST_TEST((refused.status == status::pool_full));
    BOOST_TEST((refused.detail.reason == reject_reason::fee_too_low));
}

BOOST_AUTO_TEST_CASE(a_replay_keeps_one_pending_transaction_per_nonce_and_blocks_stay_valid)
{
    party alice, bob, miner;
    core::ledger live(signed_params(), 100);
    mine(live, alice);
    // What a log can hold: two spends of one nonce, both once accepted (one evicted between
    // them, its record lost in a crash), and a third that follows them.
    const auto first = pay(alice, bob, 10, 1, 0);
    const auto second = pay(alice, bob, 20, 5, 0);
    const auto next = pay(alice, bob, 30, 1, 1);
    core::ledger l(signed_params(), 100);
    BOOST_REQUIRE(
        l.replay_block(live.best_chain().tip().blk, live.best_chain().tip().hash, false, next_time(live)).ok()
    );
    for (const auto& tx : {first, second, next})
        l.replay_transaction(tx);
    l.finish_replay();
    BOOST_TEST(l.pending().size() == 2u);
    BOOST_TEST(l.pending().contains(first.transaction_id));
    BOOST_TEST(l.pending().contains(next.transaction_id));
    BOOST_TEST((l.find_transaction(second.transaction_id).where == state::dropped));
    // The next nonce after the queue is accepted, and the pool's block is valid.
    BOOST_TEST((l.accept_transaction(pay(alice, bob, 1, 0, 2)).status == status::accepted));
    const core::block b = mine(l, miner);
    BOOST_TEST(b.transactions.size() == 4u);
    BOOST_TEST(l.accounts().get(bob.address).balance == 10u + 30u + 1u);

    // A replayed eviction takes the transaction out again and says so.
    core::ledger again(signed_params(), 100);
    BOOST_REQUIRE(
        again.replay_block(live.best_chain().tip().blk, live.best_chain().tip().hash, false, next_time(live))
            .ok()
    );
    again.replay_transaction(first);
    again.replay_eviction(first.transaction_id);
    again.replay_transaction(second);
    again.finish_replay();
    BOOST_TEST(again.pending().size() == 1u);
    BOOST_TEST(again.pending().contains(second.transaction_id));
    BOOST_TEST(again.find_transaction(first.transaction_id).evicted);
}

BOOST_AUTO_TEST_CASE(no_sender_takes_more_than_a_sixteenth_of_the_pool)
{
    party alice, bob, carol;
    core::ledger l(signed_params(), 320); // a sender may hold 20
    mine(l, alice);
    mine(l, carol);
    for (std::uint64_t n = 0; n < 20; ++n)
        BOOST_REQUIRE((l.accept_transaction(pay(alice, bob, 1, 0, n)).status == status::accepted));
    const auto capped = l.accept_transaction(pay(alice, bob, 1, 50, 20));
    BOOST_TEST((capped.status == status::pool_full));
    BOOST_TEST(
        capped.detail.detail.find("the most one sender may") != std::string::npos, capped.detail.detail
    );
    BOOST_TEST((l.accept_transaction(pay(carol, bob, 1, 0, 0)).status == status::accepted));
}

BOOST_AUTO_TEST_CASE(an_open_chain_refuses_signed_transactions)
{
    party alice, bob;
    core::ledger l(test::test_params(), 100);
    const auto r = l.accept_transaction(pay(alice, bob, 1, 0, 0));
    BOOST_TEST((r.status == status::invalid));
    BOOST_TEST((r.detail.reason == reject_reason::bad_signature));
    core::block b = test::next_block(l.best_chain().tip(), {pay(alice, bob, 1, 0, 0)});
    BOOST_TEST((l.connect_block(b, next_time(l)).reason == reject_reason::bad_signature));
}

BOOST_AUTO_TEST_CASE(storage_keeps_fee_and_signature_and_reads_unsigned_records_as_before)
{
    party alice, bob;
    storage::record r;
    r.type = storage::record_type::transaction_accepted;
    r.tx = pay(alice, bob, 7, 3, 11);
    const auto back = storage::decode_payload(r.type, storage::encode_payload(r));
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST((back->tx == r.tx));
    BOOST_TEST(core::check_signed_transaction(back->tx, chain_a).ok());

    r.tx = test::make_tx("a", "b", 5);
    const std::string open_bytes = storage::encode_payload(r);
    const auto open_back = storage::decode_payload(r.type, open_bytes);
    BOOST_REQUIRE(open_back.has_value());
    BOOST_TEST((open_back->tx == r.tx));
    // The unsigned layout is unchanged: id length 64, then the id.
    BOOST_TEST(open_bytes.substr(0, 4) == std::string("\x40\0\0\0", 4));

    // A signed record cut short is refused, not read with a zero signature.
    r.tx = pay(alice, bob, 7, 3, 12);
    const std::string bytes = storage::encode_payload(r);
    BOOST_TEST(!storage::decode_payload(r.type, bytes.substr(0, bytes.size() - 1)).has_value());
}

BOOST_AUTO_TEST_CASE(preverified_signatures_are_remembered_and_bad_ones_never_are)
{
    party alice, bob;
    std::vector<core::transaction> txs;
    for (std::uint64_t i = 0; i < 300; ++i)
        txs.push_back(pay(alice, bob, 1, 0, i));
    BOOST_TEST(core::preverify_signatures(txs, chain_a, 4)); // four lanes of 75
    for (const auto& tx : txs)
        BOOST_TEST(core::signature_cache_contains(tx, chain_a));
    // Remembered for this chain only.
    BOOST_TEST(!core::signature_cache_contains(txs[7], core::sha256(std::string_view("other"))));

    // One signature of another message in the last lane: the batch fails, and that one is
    // neither remembered nor accepted later.
    auto forged = pay(alice, bob, 2, 0, 400);
    forged.sig = txs[0].sig;
    forged.transaction_id = core::transaction_id_of(forged);
    txs.push_back(forged);
    BOOST_TEST(!core::preverify_signatures(txs, chain_a, 4));
    BOOST_TEST(!core::signature_cache_contains(forged, chain_a));
    BOOST_TEST((core::check_signed_transaction(forged, chain_a).reason == reject_reason::bad_signature));
}

BOOST_AUTO_TEST_SUITE_END()
