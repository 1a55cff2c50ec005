// ASERT chains: the target and the timestamp each block must carry, checked on every path a block
// takes (the tip, a sync's bodies and its headers), and the miner's template that meets them.
#include <beastchain/core/chain_spec.hpp>
#include <beastchain/core/headers.hpp>
#include <beastchain/core/ledger.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <unordered_set>

using namespace beastchain;

namespace {

constexpr std::uint64_t block_ms = 1000;
constexpr std::uint64_t start_ms = 1'700'000'000'000ULL;

core::consensus_params asert_params()
{
    core::chain_spec s;
    s.name = "asert-test";
    s.difficulty = core::difficulty_rule::asert;
    s.min_difficulty = 6; // cheap to mine, and far from both clamps
    s.target_block_ms = block_ms;
    s.half_life_ms = 20 * block_ms;
    s.max_future_seconds = 20; // at most a half-life
    BOOST_TEST_REQUIRE(core::check_spec(s).ok());
    return core::consensus_of(s);
}

/// Solves `b` against the target its own `difficulty` field names on chains of `p`.
core::block& solve(core::block& b, const core::consensus_params& p)
{
    const auto target = core::block_target(b, p);
    BOOST_TEST_REQUIRE(target.has_value());
    const std::atomic<bool> stop{false};
    b.proof = core::pow_search(b, *target).search(0, 1, stop).value();
    return b;
}

/// Mines `n` blocks on `l`, block i at `time_of(i)`, each from the ledger's own template.
template <class TimeOf> void mine(core::ledger& l, std::size_t n, TimeOf time_of)
{
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t now = time_of(l.best_chain().size());
        core::block b = l.make_block_template("miner", 0, now);
        solve(b, l.best_chain().params());
        const auto r = l.connect_block(b, now);
        BOOST_TEST_REQUIRE(r.ok(), r.detail);
    }
}

std::vector<core::block> blocks_after_genesis(const core::ledger& l)
{
    std::vector<core::block> out;
    for (std::size_t i = 1; i < l.best_chain().size(); ++i)
        out.push_back(l.best_chain().entries()[i].blk);
    return out;
}

std::vector<core::header_bytes> headers_of(const std::vector<core::block>& blocks)
{
    std::vector<core::header_bytes> out;
    for (const auto& b : blocks)
        out.push_back(core::serialize_header(b, core::merkle_root(b.transactions)));
    return out;
}

struct outcome
{
    bool ok = false;
    core::reject_reason reason = core::reject_reason::none;
    std::size_t index = 0;
};

/// `blocks` checked as a sync checks them: bodies from genesis, and headers from genesis in two
/// pages (the second resumes the timing from the first page's entries).
std::pair<outcome, outcome> as_sync(const core::consensus_params& p, std::vector<core::block> blocks)
{
    const core::chain fresh(p);
    const auto& genesis = fresh.tip();
    const std::uint64_t now = start_ms + 1'000'000'000;
    const auto headers = headers_of(blocks);
    std::vector<core::chain_entry> hs;
    core::chain_rejection hwhy;
    const std::span<const core::header_bytes> all(headers);
    const std::size_t half = headers.size() / 2;
    bool hok = core::validate_headers(hs, genesis, fresh.timing(), all.first(half), now, p, hwhy);
    if (hok)
        hok = core::validate_headers(hs, genesis, fresh.timing(), all.subspan(half), now, p, hwhy);
    std::vector<core::chain_entry> bs;
    std::unordered_set<std::string> txids;
    core::chain_rejection bwhy;
    const bool bok =
        core::validate_extension(bs, genesis, fresh.timing(), std::move(blocks), {}, now, p, txids, bwhy);
    return {{bok, bwhy.result.reason, bwhy.index}, {hok, hwhy.result.reason, hwhy.index}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(asert_chain_tests)

BOOST_AUTO_TEST_CASE(a_chain_on_schedule_is_valid_everywhere_and_its_work_comes_from_its_targets)
{
    const auto p = asert_params();
    core::ledger l(p, 100);
    mine(l, 30, [](std::size_t height) { return start_ms + height * block_ms; });
    // On schedule, every block carries the anchor's target.
    const auto& entries = l.best_chain().entries();
    for (std::size_t i = 1; i < entries.size(); ++i)
        BOOST_TEST(entries[i].blk.difficulty == p.asert->anchor_bits, i);
    const auto anchor_work = core::target_work(*core::target_from_compact(p.asert->anchor_bits));
    BOOST_TEST((l.best_chain().cumulative_work() == 1 + 30 * anchor_work));
    const auto [bodies, headers] = as_sync(p, blocks_after_genesis(l));
    BOOST_TEST(bodies.ok);
    BOOST_TEST(headers.ok);
}

BOOST_AUTO_TEST_CASE(fast_blocks_raise_the_difficulty_and_slow_ones_lower_it)
{
    const auto p = asert_params();
    const auto anchor_work = core::target_work(*core::target_from_compact(p.asert->anchor_bits));
    core::ledger fast(p, 100);
    mine(fast, 60, [](std::size_t height) { return start_ms + height; }); // 1 ms apart
    core::ledger slow(p, 100);
    mine(slow, 60, [](std::size_t height) { return start_ms + height * 3 * block_ms; });
    const auto work_of = [](const core::ledger& l) {
        const auto& tip = l.best_chain().tip();
        return core::target_work(*core::target_from_compact(tip.blk.difficulty));
    };
    // 49 retargeted blocks (from block 12), about 49 s ahead of (98 s behind) the schedule of a
    // 20 s half-life: 2^-2.4 and 2^4.9 of the work.
    BOOST_TEST((work_of(fast) > 3 * anchor_work));
    BOOST_TEST((work_of(slow) < anchor_work / 8));
    // And both are what every validator computes: the blocks sync as they were mined.
    BOOST_TEST(as_sync(p, blocks_after_genesis(fast)).first.ok);
    BOOST_TEST(as_sync(p, blocks_after_genesis(slow)).second.ok);
}

BOOST_AUTO_TEST_CASE(a_block_with_any_other_target_than_the_required_one_is_refused)
{
    const auto p = asert_params();
    core::ledger l(p, 100);
    mine(l, 12, [](std::size_t height) { return start_ms + height * 100; }); // ahead: targets move
    const std::uint64_t now = start_ms + 1300;
    const core::block good = l.make_block_template("miner", 0, now);
    const auto required = *core::target_from_compact(good.difficulty);
    for (const std::uint32_t bits : {
             // easier, as a miner would like: twice the target
             core::compact_from_target(core::asert_next_target(required, 10'000, 0, 1, 10'000)),
             // harder: that is not the chain's either
             core::compact_from_target(core::asert_next_target(required, -10'000, 0, 1, 10'000)),
             good.difficulty - 1, // one step off in the mantissa
         }) {
        BOOST_TEST_REQUIRE(bits != good.difficulty);
        core::block b = good;
        b.difficulty = bits;
        solve(b, p);
        const auto r = l.best_chain().check_next(b, core::block_hash(b), now);
        BOOST_TEST((r.reason == core::reject_reason::bad_difficulty), r.detail);
        auto blocks = blocks_after_genesis(l);
        blocks.push_back(b);
        const auto [bodies, headers] = as_sync(p, blocks);
        BOOST_TEST((bodies.reason == core::reject_reason::bad_difficulty));
        BOOST_TEST((headers.reason == core::reject_reason::bad_difficulty));
        BOOST_TEST(bodies.index == 13u);
        BOOST_TEST(headers.index == 13u);
    }
    core::block b = good;
    solve(b, p);
    BOOST_TEST(l.best_chain().check_next(b, core::block_hash(b), now).ok());
}

BOOST_AUTO_TEST_CASE(the_same_target_spelled_another_way_is_refused)
{
    const auto p = asert_params();
    core::block b = core::ledger(p, 10).make_block_template("miner", 0, start_ms);
    // Mantissa shifted right a byte and the exponent raised: the same value, not canonical.
    const std::uint32_t bits = b.difficulty;
    const std::uint32_t other = (((bits >> 24) + 1) << 24) | ((bits & 0x007fffff) >> 8);
    BOOST_TEST_REQUIRE(other != bits);
    b.difficulty = other;
    BOOST_TEST(!core::block_target(b, p).has_value());
    b.difficulty = 0x2100ffff; // above the easiest target
    BOOST_TEST(!core::block_target(b, p).has_value());
    b.difficulty = 20; // a leading-zero difficulty means nothing here
    BOOST_TEST(!core::block_target(b, p).has_value());
}

BOOST_AUTO_TEST_CASE(a_timestamp_not_after_median_time_past_is_refused_and_one_after_it_is_not)
{
    const auto p = asert_params();
    core::ledger l(p, 100);
    mine(l, 15, [](std::size_t height) { return start_ms + height * block_ms; });
    const core::block_timing t = l.best_chain().timing();
    const std::uint64_t median = t.median_ms();
    BOOST_TEST(median == start_ms + 10 * block_ms); // the middle of blocks 5..15
    const std::uint64_t now = start_ms + 16 * block_ms;
    for (const std::uint64_t ts : {median, median - 1, start_ms}) {
        core::block b = l.make_block_template("miner", 0, now);
        b.timestamp_ms = ts;
        solve(b, p);
        const auto r = l.best_chain().check_next(b, core::block_hash(b), now);
        BOOST_TEST((r.reason == core::reject_reason::timestamp_too_early), ts << ": " << r.detail);
        auto blocks = blocks_after_genesis(l);
        blocks.push_back(b);
        const auto [bodies, headers] = as_sync(p, blocks);
        BOOST_TEST((bodies.reason == core::reject_reason::timestamp_too_early));
        BOOST_TEST((headers.reason == core::reject_reason::timestamp_too_early));
    }
    // Before its parent but after the median: valid, as in Bitcoin (one fast clock drags no one).
    core::block b = l.make_block_template("miner", 0, now);
    b.timestamp_ms = median + 1;
    BOOST_TEST_REQUIRE(b.timestamp_ms < l.best_chain().tip().blk.timestamp_ms);
    solve(b, p);
    const auto r = l.connect_block(b, now);
    BOOST_TEST(r.ok(), r.detail);
    // And the miner's own template never falls below it, whatever its clock says.
    BOOST_TEST(
        l.make_block_template("miner", 0, start_ms).timestamp_ms > l.best_chain().timing().median_ms()
    );
}

BOOST_AUTO_TEST_CASE(a_timestamp_far_ahead_does_not_lower_the_target)
{
    // A miner stamps its block the most the spec allows ahead of time. The rule reads median
    // time past, which one outlier does not move, and honest miners keep their own clocks.
    const auto p = asert_params();
    core::ledger l(p, 100);
    mine(l, 15, [](std::size_t height) { return start_ms + height * block_ms; });
    const auto anchor_work = core::target_work(*core::target_from_compact(p.asert->anchor_bits));
    std::uint64_t now = start_ms + 16 * block_ms;
    core::block cheat = l.make_block_template("cheat", 0, now);
    cheat.timestamp_ms = now + p.max_future_ms; // the most the spec allows: a half-life
    solve(cheat, p);
    BOOST_TEST_REQUIRE(l.connect_block(cheat, now).ok());
    const auto next_work = [&] {
        const auto bits = l.make_block_template("honest", 0, now).difficulty;
        return core::target_work(*core::target_from_compact(bits));
    };
    // A half-life ahead moves it by no more than one block's schedule (the honest blocks after it
    // have no block stamped at its true time, so the median steps over one gap of two
    // intervals): 2^(-1/20), and the compact form's rounding.
    const auto close_to_anchor = [&](core::work_t w) {
        return w >= anchor_work / 100 * 95;
    };
    BOOST_TEST(close_to_anchor(next_work()));
    for (int i = 0; i < 6; ++i) { // honest blocks on their own clock
        now += block_ms;
        core::block b = l.make_block_template("honest", 0, now);
        BOOST_TEST(b.timestamp_ms < cheat.timestamp_ms);
        solve(b, p);
        BOOST_TEST_REQUIRE(l.connect_block(b, now).ok());
    }
    BOOST_TEST(close_to_anchor(next_work()), double(next_work()) / double(anchor_work));
}

BOOST_AUTO_TEST_CASE(no_order_of_timestamps_ratchets_the_target_down)
{
    // A majority miner's cycle of eleven, each block valid: one just after the median, five a
    // millisecond apart, five a half-life apart, then back down to just after the median. Read
    // from each block's own interval, clamped, the long ones count and the drop back does not:
    // 16 times easier a cycle. The median's steps credit only what the median moved.
    const auto p = asert_params();
    const auto anchor_work = core::target_work(*core::target_from_compact(p.asert->anchor_bits));
    core::ledger l(p, 1000);
    mine(l, 15, [](std::size_t height) { return start_ms + height * block_ms; });
    const auto add = [&](std::uint64_t ts) {
        core::block b = l.make_block_template("majority", 0, ts);
        b.timestamp_ms = ts;
        solve(b, p);
        const auto r = l.connect_block(b, ts + 1);
        BOOST_TEST_REQUIRE(r.ok(), r.detail);
    };
    for (int cycle = 0; cycle < 10; ++cycle) {
        add(l.best_chain().timing().median_ms() + 1);
        for (int i = 0; i < 5; ++i)
            add(l.best_chain().tip().blk.timestamp_ms + 1);
        for (int i = 0; i < 5; ++i)
            add(l.best_chain().tip().blk.timestamp_ms + p.asert->half_life_ms);
    }
    const auto bits = l.make_block_template("next", 0, l.best_chain().tip().blk.timestamp_ms).difficulty;
    const auto work = core::target_work(*core::target_from_compact(bits));
    BOOST_TEST_MESSAGE(
        "after 110 such blocks the work is " << double(work) / double(anchor_work) << " x the anchor's"
    );
    BOOST_TEST((work >= anchor_work));
}

BOOST_AUTO_TEST_CASE(block_1_stamped_years_early_halves_the_work_once_and_no_more)
{
    // Every network's genesis is stamped in 2018, so median time past lets block 1 be stamped
    // then. Measured from an anchor at block 1, every later block would look years behind and
    // the target would sit at the easiest for millions of blocks. The median of eleven ignores
    // the one old stamp, and a jump of the median is clamped: at most one halving.
    const auto p = asert_params();
    const auto anchor_work = core::target_work(*core::target_from_compact(p.asert->anchor_bits));
    core::ledger l(p, 100);
    const std::uint64_t early = core::genesis_block().timestamp_ms + 1;
    core::block first = l.make_block_template("early", 0, early);
    BOOST_TEST_REQUIRE(first.timestamp_ms == early);
    solve(first, p);
    BOOST_TEST_REQUIRE(l.connect_block(first, start_ms).ok());
    mine(l, 20, [](std::size_t height) { return start_ms + height * block_ms; });
    for (std::size_t h = 3; h < l.best_chain().size(); ++h) {
        const auto& b = l.best_chain().entries()[h].blk;
        const auto work = core::target_work(*core::target_from_compact(b.difficulty));
        BOOST_TEST((work >= anchor_work / 2 - anchor_work / 1000), h);
    }
}

BOOST_AUTO_TEST_CASE(specs_of_the_asert_rule_print_read_back_and_refuse_nonsense)
{
    const auto signed_spec = *core::builtin_spec("signed");
    BOOST_TEST((signed_spec.difficulty == core::difficulty_rule::asert));
    BOOST_TEST(core::consensus_of(signed_spec).asert.has_value());
    BOOST_TEST(!core::consensus_of(*core::builtin_spec("tutorial")).asert.has_value());
    auto half = signed_spec;
    half.target_block_ms = 500;
    half.half_life_ms = 10'000;
    BOOST_TEST(core::spec_id(half) != core::spec_id(signed_spec)); // the parameters are the network
    auto no_rule = half;
    no_rule.difficulty = core::difficulty_rule::minimum;
    BOOST_TEST(!core::check_spec(no_rule).ok()); // parameters of a rule it does not use
    auto fast_half_life = half;
    fast_half_life.half_life_ms = 100;
    BOOST_TEST(!core::check_spec(fast_half_life).ok());
    auto far_future = half; // 60 s ahead on a 10 s half-life: six halvings for a majority
    BOOST_TEST(!core::check_spec(far_future).ok());
    far_future.max_future_seconds = 10;
    BOOST_TEST(core::check_spec(far_future).ok());
    auto zero = half;
    zero.target_block_ms = 0;
    BOOST_TEST(!core::check_spec(zero).ok());
}

BOOST_AUTO_TEST_SUITE_END()
