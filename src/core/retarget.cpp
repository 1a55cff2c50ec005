// The rules that make difficulty a property of the chain: a block's target, its work, and on ASERT
// chains the target and timestamp the blocks before it require.
#include <beastchain/core/chain.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace beastchain::core {

namespace {

std::string bits_hex(std::uint32_t bits)
{
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", bits);
    return buf;
}

bool not_above(const target256& a, const target256& b) noexcept
{
    return std::memcmp(a.data(), b.data(), a.size()) <= 0;
}

/// The hardest target a compact form can carry: hardest_target() rounded down, as every target
/// the chain computes is (asert_next_target clamps, compact_from_target rounds down).
const target256& hardest_compact_target()
{
    static const target256 t = *target_from_compact(compact_from_target(hardest_target()));
    return t;
}

} // namespace

std::optional<target256> block_target(const block& b, const consensus_params& params)
{
    if (!params.asert) {
        if (b.difficulty < params.min_difficulty || b.difficulty > max_difficulty)
            return std::nullopt;
        return target_of_difficulty(b.difficulty);
    }
    const auto t = target_from_compact(b.difficulty);
    // One encoding per target, so no two headers differ only in how they spell it.
    if (!t || compact_from_target(*t) != b.difficulty || !not_above(hardest_compact_target(), *t) ||
        !not_above(*t, easiest_target()))
        return std::nullopt;
    return t;
}

work_t block_work(const block& b, const consensus_params& params)
{
    if (b.index == 0)
        return block_work(0);
    if (!params.asert)
        return block_work(b.difficulty);
    const auto t = block_target(b, params);
    if (!t)
        throw std::invalid_argument("block_work: block " + std::to_string(b.index) + " has no valid target");
    return target_work(*t);
}

validation_result
check_block_timing(const block& b, const block_timing& timing, const consensus_params& params)
{
    if (!params.asert)
        return validation_result::success();
    if (const std::uint64_t median = timing.median_ms(); b.timestamp_ms <= median)
        return validation_result::fail(
            reject_reason::timestamp_too_early,
            "timestamp " + std::to_string(b.timestamp_ms) + " ms is not after the median time past " +
                std::to_string(median) + " ms of the last " +
                std::to_string(std::min(timing.count, block_timing::median_of)) + " blocks"
        );
    if (const std::uint32_t required = required_bits(timing, *params.asert); b.difficulty != required)
        return validation_result::fail(
            reject_reason::bad_difficulty,
            "block " + std::to_string(b.index) + " carries target bits " + bits_hex(b.difficulty) +
                "; the chain requires " + bits_hex(required)
        );
    return validation_result::success();
}

block_timing timing_after(block_timing t, std::span<const chain_entry> added)
{
    const std::size_t from = added.size() > block_timing::window ? added.size() - block_timing::window : 0;
    for (std::size_t i = from; i < added.size(); ++i)
        t.push(added[i].blk);
    return t;
}

} // namespace beastchain::core
