// Targets: the compact form (Bitcoin Core's vectors), work, ASERT's doubling rule and its response
// to a hash rate that jumps x8 and back, and median time past.
#include <beastchain/core/target.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace beastchain;
using core::target256;

namespace {

/// Seconds a hash rate takes, on average, to meet `t`.
double solve_seconds(const target256& t, double hashes_per_second)
{
    return static_cast<double>(core::target_work(t)) / hashes_per_second;
}

constexpr std::uint64_t block_ms = 500;
constexpr std::uint64_t half_life_ms = 20 * block_ms;

/// Mines `blocks` blocks at `rate` under the chain's rule (core::required_bits), continuing from
/// the blocks `t` has seen; each block takes its expected time (or an exponential draw). Returns
/// every interval in milliseconds.
std::vector<double> mine(
    const core::asert_params& a,
    core::block_timing& t,
    int blocks,
    double rate,
    std::mt19937_64* rng = nullptr
)
{
    std::vector<double> intervals;
    for (int i = 0; i < blocks; ++i) {
        core::block b;
        b.index = t.parent_index + 1;
        b.difficulty = core::required_bits(t, a);
        double seconds = solve_seconds(*core::target_from_compact(b.difficulty), rate);
        if (rng)
            seconds *= std::exponential_distribution<double>(1.0)(*rng);
        // Block times are whole milliseconds, as in the header.
        const double interval = std::max(1.0, std::round(seconds * 1000));
        b.timestamp_ms = t.parent_ms() + static_cast<std::uint64_t>(interval);
        t.push(b);
        intervals.push_back(interval);
    }
    return intervals;
}

/// The first index from which every interval stays within 10% of the target block time.
std::size_t settled_after(const std::vector<double>& intervals)
{
    std::size_t first = intervals.size();
    for (std::size_t i = intervals.size(); i-- > 0;) {
        if (std::abs(intervals[i] - double(block_ms)) > 0.1 * double(block_ms))
            break;
        first = i;
    }
    return first;
}

} // namespace

BOOST_AUTO_TEST_SUITE(target_tests)

BOOST_AUTO_TEST_CASE(the_compact_form_matches_bitcoin_core)
{
    // arith_uint256_tests.cpp's SetCompact/GetCompact cases, and Bitcoin's genesis bits.
    struct
    {
        std::uint32_t bits;
        std::optional<std::string> value; ///< nullopt: negative or overflow
        std::uint32_t compact_again;
    } cases[] = {
        {0x00123456, std::string(64, '0'), 0},
        {0x01003456, std::string(64, '0'), 0},
        {0x01803456, std::string(64, '0'), 0}, // the sign bit of a mantissa shifted to zero
        {0x01123456, std::string(62, '0') + "12", 0x01120000},
        {0x02008000, std::string(62, '0') + "80", 0x02008000},
        {0x05009234, std::string(56, '0') + "92340000", 0x05009234},
        {0x04123456, std::string(56, '0') + "12345600", 0x04123456},
        {0x20123456, "123456" + std::string(58, '0'), 0x20123456},
        {0x1d00ffff, "00000000ffff" + std::string(52, '0'), 0x1d00ffff},
        {0x04923456, std::nullopt, 0},
        {0x01fedcba, std::nullopt, 0}, // 0x7e with the sign bit: negative
        {0xff123456, std::nullopt, 0},
        {0x21123456, std::nullopt, 0}, // 3 bytes of mantissa at 33 bytes: above 2^256 - 1
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(std::hex << c.bits)
        {
            const auto t = core::target_from_compact(c.bits);
            BOOST_TEST(t.has_value() == c.value.has_value());
            if (t && c.value) {
                BOOST_TEST(core::to_hex(*t) == *c.value);
                BOOST_TEST(core::compact_from_target(*t) == c.compact_again);
            }
        }
    }
    // Rounding down: the compact form of any target never decodes to more than it.
    std::mt19937_64 rng(3);
    for (int i = 0; i < 1000; ++i) {
        target256 t{};
        for (auto& b : t)
            b = static_cast<std::uint8_t>(rng());
        t[0] >>= rng() % 8;
        const auto back = core::target_from_compact(core::compact_from_target(t));
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST(std::memcmp(back->data(), t.data(), 32) <= 0);
    }
}

BOOST_AUTO_TEST_CASE(leading_zero_difficulty_is_a_target_with_the_same_work)
{
    std::mt19937_64 rng(5);
    for (std::uint32_t d = 1; d <= core::max_difficulty; ++d) {
        const target256 t = core::target_of_difficulty(d);
        BOOST_TEST((core::target_work(t) == core::block_work(d)), d);
        for (int i = 0; i < 50; ++i) {
            core::hash256 h{};
            for (auto& b : h)
                b = static_cast<std::uint8_t>(rng());
            for (std::uint32_t z = 0; z < d + (rng() % 3) - 1 && z < 256; ++z) // around d zero bits
                h[z / 8] &= static_cast<std::uint8_t>(~(0x80u >> (z % 8)));
            BOOST_TEST(core::meets_target(h, t) == core::meets_difficulty(h, d));
        }
    }
    BOOST_TEST((core::easiest_target() == core::target_of_difficulty(1)));
    BOOST_TEST((core::hardest_target() == core::target_of_difficulty(core::max_difficulty)));
}

BOOST_AUTO_TEST_CASE(asert_doubles_per_half_life_and_clamps_hostile_times)
{
    const target256 anchor = core::target_of_difficulty(20);
    const auto next = [&](std::int64_t time_ms, std::uint64_t blocks) {
        return core::asert_next_target(anchor, time_ms, blocks, block_ms, half_life_ms);
    };
    // On schedule: the anchor's target, exactly.
    BOOST_TEST((next(0, 0) == anchor));
    BOOST_TEST((next(100 * block_ms, 100) == anchor));
    // One half-life behind: twice the target (half the work); one ahead: half of it.
    BOOST_TEST((core::target_work(next(100 * block_ms + half_life_ms, 100)) == core::block_work(19)));
    BOOST_TEST((core::target_work(next(100 * block_ms - half_life_ms, 100)) == core::block_work(21)));
    // Later is never harder.
    core::work_t previous = std::numeric_limits<core::work_t>::max();
    for (std::int64_t t = 0; t < 200 * std::int64_t(block_ms); t += 37) {
        const auto w = core::target_work(next(t, 100));
        BOOST_TEST_REQUIRE((w <= previous), t);
        previous = w;
    }
    // Whatever a hostile header claims, the result is a target in range.
    BOOST_TEST((next(std::numeric_limits<std::int64_t>::max(), 0) == core::easiest_target()));
    BOOST_TEST((next(std::numeric_limits<std::int64_t>::min(), 0) == core::hardest_target()));
    BOOST_TEST((next(0, std::numeric_limits<std::uint64_t>::max()) == core::hardest_target()));
    BOOST_CHECK_THROW(core::asert_next_target(anchor, 0, 0, 0, half_life_ms), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(asert_brings_the_interval_back_within_10_percent_after_a_x8_step_and_back)
{
    // Half-life 20 blocks. The hash rate starts where the anchor's target gives 500 ms blocks.
    const target256 anchor = core::target_of_difficulty(24);
    const core::asert_params a{block_ms, half_life_ms, core::compact_from_target(anchor)};
    const double rate = static_cast<double>(core::target_work(*core::target_from_compact(a.anchor_bits))) /
                        (block_ms / 1000.0);
    core::block genesis;
    genesis.timestamp_ms = 1'700'000'000'000ULL;
    core::block_timing t = core::genesis_timing(genesis);
    const auto steady = mine(a, t, 100, rate);
    BOOST_TEST(settled_after(steady) == 0u); // on schedule from the start

    const auto up = mine(a, t, 300, 8 * rate);
    const std::size_t up_blocks = settled_after(up);
    BOOST_TEST_MESSAGE("x8: within 10% after " << up_blocks << " blocks");
    // Three doublings to win back, each a half-life (20 blocks) of schedule, at first 8 times as
    // fast, read from a median that trails by six blocks: 113 blocks (docs/design.md states it).
    BOOST_TEST(up_blocks <= 120u);

    const auto down = mine(a, t, 300, rate);
    const std::size_t down_blocks = settled_after(down);
    BOOST_TEST_MESSAGE("/8: within 10% after " << down_blocks << " blocks");
    BOOST_TEST(down_blocks <= 32u); // 16: each slow block is a big step of the median

    // With real (exponential) block times the mean over 2,000 blocks holds the target too.
    std::mt19937_64 rng(11);
    const auto random = mine(a, t, 2000, rate, &rng);
    double sum = 0;
    for (double i : random)
        sum += i;
    const double mean = sum / double(random.size());
    BOOST_TEST_MESSAGE("random: mean interval " << mean << " ms over 2,000 blocks");
    BOOST_TEST(std::abs(mean - double(block_ms)) <= 0.1 * double(block_ms), mean);
}

BOOST_AUTO_TEST_CASE(median_time_past_is_the_middle_of_the_last_eleven)
{
    const std::vector<std::uint64_t> eleven{5, 1, 9, 3, 7, 11, 2, 10, 4, 8, 6};
    BOOST_TEST(core::median_time_past(eleven) == 6u);
    const std::vector<std::uint64_t> four{40, 10, 30, 20};
    BOOST_TEST(core::median_time_past(four) == 30u); // the upper middle, as Bitcoin's
    const std::vector<std::uint64_t> one{7};
    BOOST_TEST(core::median_time_past(one) == 7u);
    BOOST_TEST(core::median_time_past({}) == 0u);
    // One miner's far-future timestamp moves it by one position, not to its own clock.
    std::vector<std::uint64_t> bent = eleven;
    bent[0] = 1'000'000;
    BOOST_TEST(core::median_time_past(bent) == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
