// Ledger transitions: accepting, mining templates, connecting blocks and switching chains without losing a
// transaction.
#include <beastchain/core/ledger.hpp>

#include <boost/test/unit_test.hpp>

#include <map>

#include "chain_fixture.hpp"

using namespace beastchain::core;
using namespace beastchain::test;

namespace {

/// Solves a ledger's template and connects it; returns the block.
block mine_on(ledger& l, const std::string& miner, std::uint64_t now)
{
    block b = l.make_block_template(miner, test_difficulty, now);
    solve(b);
    const auto r = l.connect_block(b, now);
    BOOST_TEST_REQUIRE(r.ok(), r.detail);
    return b;
}

/// How often each transaction id occurs across the chain and the pool.
std::map<std::string, int> occurrences(const ledger& l)
{
    std::map<std::string, int> n;
    for (const auto& e : l.best_chain().entries())
        for (const auto& tx : e.blk.transactions)
            if (!tx.is_reward())
                ++n[tx.transaction_id];
    for (const auto& tx : l.pending().transactions())
        ++n[tx.transaction_id];
    return n;
}

/// Offers `theirs`'s whole best chain to `ours`, as a sync that found `theirs` would.
ledger::adopt_result adopt_if_more_work(ledger& ours, const ledger& theirs)
{
    return ours.adopt_suffix_if_more_work(
        beastchain::test::suffix_against(ours.best_chain(), theirs.best_chain().entries())
    );
}

} // namespace

BOOST_AUTO_TEST_SUITE(ledger_tests)

BOOST_AUTO_TEST_CASE(accept_refuses_invalid_duplicates_rewards_and_overflow)
{
    ledger l(test_params(), 2);
    const auto tx = make_tx("a", "b", 1);
    BOOST_TEST((l.accept_transaction(tx).status == ledger::accept_status::accepted));
    BOOST_TEST((l.accept_transaction(tx).status == ledger::accept_status::duplicate));
    BOOST_TEST((l.accept_transaction(make_tx("a", "b", 0)).status == ledger::accept_status::invalid));
    BOOST_TEST((l.accept_transaction(make_reward()).status == ledger::accept_status::invalid));
    BOOST_TEST((l.accept_transaction(make_tx("c", "d", 1)).status == ledger::accept_status::accepted));
    BOOST_TEST((l.accept_transaction(make_tx("e", "f", 1)).status == ledger::accept_status::pool_full));
    BOOST_TEST(l.pending().size() == 2u);
}

BOOST_AUTO_TEST_CASE(template_takes_oldest_pending_up_to_the_cap_and_ends_with_the_reward)
{
    ledger l(test_params(), 100); // 10 per block: 9 transactions and the reward
    std::vector<std::string> ids;
    for (int i = 0; i < 12; ++i) {
        auto tx = make_tx("s", "r", static_cast<std::uint64_t>(i + 1));
        ids.push_back(tx.transaction_id);
        l.accept_transaction(tx);
    }
    const block b = l.make_block_template("me", test_difficulty, 2'000'000'000'000ULL);
    BOOST_TEST(b.transactions.size() == 10u);
    for (int i = 0; i < 9; ++i)
        BOOST_TEST(
            b.transactions[static_cast<std::size_t>(i)].transaction_id == ids[static_cast<std::size_t>(i)]
        );
    BOOST_TEST(b.transactions.back().is_reward());
    BOOST_TEST(b.transactions.back().recipient == "me");
    BOOST_TEST(b.index == 1u);
}

BOOST_AUTO_TEST_CASE(connecting_a_block_confirms_its_transactions)
{
    ledger l(test_params(), 100);
    const auto tx = make_tx("a", "b", 5);
    l.accept_transaction(tx);
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000;
    mine_on(l, "me", now);
    BOOST_TEST(l.pending().size() == 0u);
    BOOST_TEST(l.best_chain().find_transaction(tx.transaction_id).value() == 1u);
    // Re-submitting a confirmed transaction is a duplicate.
    BOOST_TEST((l.accept_transaction(tx).status == ledger::accept_status::duplicate));
    // A stale block (built on the old tip) does not connect.
    block stale = l.make_block_template("me", test_difficulty, now);
    stale.index = 1;
    stale.previous_hash = genesis_hash();
    solve(stale);
    BOOST_TEST((l.connect_block(stale, now).reason == reject_reason::bad_index));
}

BOOST_AUTO_TEST_CASE(chain_switch_returns_abandoned_transactions_and_drops_confirmed_ones)
{
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    ledger ours(test_params(), 100), theirs(test_params(), 100);

    // Both know `shared`; ours mines `mine_only` into a block; theirs mines `shared` and more work.
    const auto shared = make_tx("s", "t", 1), mine_only = make_tx("m", "n", 2),
               pending_only = make_tx("p", "q", 3);
    ours.accept_transaction(mine_only);
    mine_on(ours, "us", now); // block 1 on ours holds mine_only
    ours.accept_transaction(shared);
    ours.accept_transaction(pending_only);
    theirs.accept_transaction(shared);
    mine_on(theirs, "them", now);
    mine_on(theirs, "them", now);

    // Equal work does not switch.
    ledger same(test_params(), 100);
    mine_on(same, "x", now);
    BOOST_TEST(!adopt_if_more_work(ours, same).switched);

    const auto r = adopt_if_more_work(ours, theirs);
    BOOST_TEST(r.switched);
    BOOST_TEST(r.fork_index == 1u);
    BOOST_TEST(r.abandoned_blocks == 1u);
    BOOST_TEST(r.returned_to_pending == 1u);
    BOOST_TEST(ours.best_chain().size() == 3u);
    BOOST_TEST(!ours.pending().contains(shared.transaction_id));   // confirmed by their chain
    BOOST_TEST(ours.pending().contains(mine_only.transaction_id)); // back from our abandoned block
    BOOST_TEST(ours.pending().contains(pending_only.transaction_id));
    // The abandoned transaction is first in line.
    BOOST_TEST(ours.pending().transactions().front().transaction_id == mine_only.transaction_id);

    // Every transaction ever accepted is present exactly once.
    const auto n = occurrences(ours);
    for (const auto* tx : {&shared, &mine_only, &pending_only})
        BOOST_TEST(n.at(tx->transaction_id) == 1);

    // Mining on the new tip confirms what came back.
    mine_on(ours, "us", now);
    BOOST_TEST(ours.pending().size() == 0u);
    BOOST_TEST(ours.best_chain().find_transaction(mine_only.transaction_id).has_value());
}

BOOST_AUTO_TEST_CASE(a_reorg_keeps_the_pool_cap_for_foreign_transactions_and_never_drops_acknowledged_ones)
{
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    constexpr std::size_t cap = 3;
    ledger ours(test_params(), cap), junk(test_params(), 100), honest(test_params(), 100);

    // A peer's fork full of transactions this node never acknowledged; we adopt it.
    std::vector<transaction> foreign;
    for (int i = 0; i < 5; ++i) {
        foreign.push_back(make_tx("junk", "junk", static_cast<std::uint64_t>(i + 1)));
        junk.accept_transaction(foreign.back());
    }
    mine_on(junk, "j", now);
    // One payment of ours that got mined into the junk chain after we adopted it.
    BOOST_TEST_REQUIRE(adopt_if_more_work(ours, junk).switched);
    const auto ours_mined = make_tx("alice", "bob", 9);
    BOOST_TEST_REQUIRE((ours.accept_transaction(ours_mined).status == ledger::accept_status::accepted));
    mine_on(ours, "us", now); // block 2: ours_mined
    // The pool fills up to its cap with acknowledged payments.
    std::vector<transaction> pending;
    for (int i = 0; i < 3; ++i) {
        pending.push_back(make_tx("carol", "dan", static_cast<std::uint64_t>(i + 1)));
        BOOST_TEST_REQUIRE((ours.accept_transaction(pending.back()).status == ledger::accept_status::accepted)
        );
    }

    // A heavier chain without any of it: everything above genesis is abandoned.
    for (int i = 0; i < 3; ++i)
        mine_on(honest, "h", now);
    const auto r = adopt_if_more_work(ours, honest);
    BOOST_TEST_REQUIRE(r.switched);
    BOOST_TEST(r.abandoned_blocks == 2u);
    // The acknowledged ones all stay, even past the cap; no foreign one is let in beyond it.
    BOOST_TEST(ours.pending().contains(ours_mined.transaction_id));
    for (const auto& tx : pending)
        BOOST_TEST(ours.pending().contains(tx.transaction_id));
    for (const auto& tx : foreign)
        BOOST_TEST(!ours.pending().contains(tx.transaction_id));
    BOOST_TEST(r.dropped_unacknowledged == foreign.size());
    BOOST_TEST(r.returned_to_pending == 1u);
    BOOST_TEST(ours.pending().size() == cap + 1);
    // Over the cap, new transactions wait until mining drains the pool.
    BOOST_TEST((ours.accept_transaction(make_tx("eve", "fay", 1)).status == ledger::accept_status::pool_full)
    );
}

BOOST_AUTO_TEST_CASE(foreign_transactions_of_abandoned_blocks_fill_only_the_room_left)
{
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    ledger ours(test_params(), 4), junk(test_params(), 100), honest(test_params(), 100);
    std::vector<transaction> foreign;
    for (int i = 0; i < 5; ++i) {
        foreign.push_back(make_tx("x", "y", static_cast<std::uint64_t>(i + 1)));
        junk.accept_transaction(foreign.back());
    }
    mine_on(junk, "j", now);
    BOOST_TEST_REQUIRE(adopt_if_more_work(ours, junk).switched);
    const auto mine = make_tx("alice", "bob", 1);
    ours.accept_transaction(mine);
    mine_on(honest, "h", now);
    mine_on(honest, "h", now);
    const auto r = adopt_if_more_work(ours, honest);
    BOOST_TEST_REQUIRE(r.switched);
    // One acknowledged pending, so three foreign ones fit, oldest first, ahead of it.
    BOOST_TEST(r.returned_to_pending == 3u);
    BOOST_TEST(r.dropped_unacknowledged == 2u);
    BOOST_TEST(ours.pending().size() == 4u);
    BOOST_TEST(ours.pending().transactions().front().transaction_id == foreign[0].transaction_id);
    BOOST_TEST(ours.pending().contains(mine.transaction_id));
    BOOST_TEST(!ours.pending().contains(foreign[4].transaction_id));
}

/// The blocks of `source` from height `from` on, as incremental sync would fetch them.
chain_suffix suffix_from(const ledger& source, std::size_t from)
{
    chain_suffix s;
    s.fork_index = from;
    const auto& e = source.best_chain().entries();
    s.entries.assign(e.begin() + static_cast<std::ptrdiff_t>(from), e.end());
    return s;
}

BOOST_AUTO_TEST_CASE(an_extension_suffix_reports_the_old_height_as_its_fork)
{
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    ledger ours(test_params(), 100), theirs(test_params(), 100);
    mine_on(theirs, "them", now);
    adopt_if_more_work(ours, theirs); // ours = theirs, height 1
    const auto tx = make_tx("a", "b", 5);
    ours.accept_transaction(tx);
    theirs.accept_transaction(tx);
    mine_on(theirs, "them", now);
    mine_on(theirs, "them", now);

    // Storage records the suffix from fork_index on: it must be the first new block.
    const auto r = ours.adopt_suffix_if_more_work(suffix_from(theirs, 2));
    BOOST_TEST(r.switched);
    BOOST_TEST(r.fork_index == 2u);
    BOOST_TEST(r.abandoned_blocks == 0u);
    BOOST_TEST(ours.best_chain().size() == 4u);
    BOOST_TEST(ours.best_chain().tip().hash == theirs.best_chain().tip().hash);
    BOOST_TEST(ours.pending().size() == 0u); // confirmed by the new blocks
    BOOST_TEST(ours.best_chain().find_transaction(tx.transaction_id).value() == 2u);

    // Whole-chain adoption of a pure extension reports the same fork index.
    ledger fresh(test_params(), 100);
    BOOST_TEST(adopt_if_more_work(fresh, theirs).fork_index == 1u);
}

BOOST_AUTO_TEST_CASE(a_suffix_that_does_not_hang_off_us_or_repeats_our_prefix_is_refused)
{
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    ledger ours(test_params(), 100), theirs(test_params(), 100);
    mine_on(ours, "us", now);
    mine_on(theirs, "them", now);
    mine_on(theirs, "them", now);
    mine_on(theirs, "them", now);
    const auto tip_before = ours.best_chain().tip().hash;

    // Their blocks 2.. hang off their block 1, not ours.
    validation_result why;
    BOOST_TEST(!ours.adopt_suffix_if_more_work(suffix_from(theirs, 2), &why).switched);
    BOOST_TEST((why.reason == reject_reason::bad_previous_hash));

    // A fork index past our tip.
    why = {};
    BOOST_TEST(!ours.adopt_suffix_if_more_work(suffix_from(theirs, 2), &why).switched);
    auto far = suffix_from(theirs, 3);
    far.fork_index = 5;
    BOOST_TEST(!ours.adopt_suffix_if_more_work(std::move(far), &why).switched);
    BOOST_TEST((why.reason == reject_reason::bad_index));

    // A suffix whose block repeats a transaction our kept prefix already holds.
    const auto tx = make_tx("x", "y", 1);
    ledger dup(test_params(), 100);
    ours.accept_transaction(tx);
    mine_on(ours, "us", now); // ours: g, u1, u2(tx)
    adopt_if_more_work(dup, ours);
    dup.accept_transaction(make_tx("z", "w", 1));
    mine_on(dup, "d", now);
    // Forge: block 3 on top of ours re-including tx is caught by check_suffix before adoption.
    chain_suffix forged = suffix_from(dup, 3);
    forged.entries.front().blk.transactions.insert(forged.entries.front().blk.transactions.begin(), tx);
    forged.entries.front().cumulative_work += 1'000'000; // pretend it is heavier
    why = {};
    BOOST_TEST(!ours.adopt_suffix_if_more_work(std::move(forged), &why).switched);
    BOOST_TEST((why.reason == reject_reason::duplicate_transaction));
    BOOST_TEST(ours.best_chain().size() == 3u);
    BOOST_TEST(ours.best_chain().entries()[1].hash == tip_before);
}

BOOST_AUTO_TEST_CASE(observer_sees_every_change)
{
    struct recorder : ledger_observer
    {
        int accepted = 0, connected = 0, replaced = 0;
        void on_transaction_accepted(const transaction&) override { ++accepted; }
        void on_block_connected(const chain_entry&) override { ++connected; }
        void on_chain_replaced(std::size_t, std::span<const block>) override { ++replaced; }
    } rec;
    const std::uint64_t now = genesis_block().timestamp_ms + 10'000'000;
    ledger l(test_params(), 10, &rec), other(test_params(), 10);
    l.accept_transaction(make_tx("a", "b", 1));
    mine_on(l, "me", now);
    mine_on(other, "o", now);
    mine_on(other, "o", now);
    adopt_if_more_work(l, other);
    BOOST_TEST(rec.accepted == 1);
    BOOST_TEST(rec.connected == 1);
    BOOST_TEST(rec.replaced == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mempool_tests)

BOOST_AUTO_TEST_CASE(keeps_arrival_order_and_restores_to_the_front)
{
    mempool p(3);
    const auto a = make_tx("a", "b", 1), b = make_tx("a", "b", 2), c = make_tx("a", "b", 3),
               d = make_tx("a", "b", 4);
    BOOST_TEST((p.add(a) == mempool::add_result::added));
    BOOST_TEST((p.add(b) == mempool::add_result::added));
    BOOST_TEST((p.add(a) == mempool::add_result::duplicate));
    BOOST_TEST((p.add(c) == mempool::add_result::added));
    BOOST_TEST((p.add(d) == mempool::add_result::full));
    BOOST_TEST(p.remove(b.transaction_id));
    BOOST_TEST(!p.remove(b.transaction_id));
    p.restore(d); // restore ignores the cap
    p.restore(b);
    BOOST_TEST(p.size() == 4u);
    const auto sel = p.select(10);
    BOOST_REQUIRE(sel.size() == 4u);
    BOOST_TEST(sel[0].transaction_id == b.transaction_id);
    BOOST_TEST(sel[1].transaction_id == d.transaction_id);
    BOOST_TEST(sel[2].transaction_id == a.transaction_id);
    BOOST_TEST(p.select(1).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
