// Proof-of-work targets as 256-bit numbers in Bitcoin's compact form, ASERT retargeting, and
// median time past: the pieces that make difficulty a rule of the chain instead of a node flag.
#pragma once

#include <beastchain/core/hash.hpp>
#include <beastchain/core/pow.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace beastchain::core {

/// The easiest target any chain may use (difficulty 1: the top bit of the hash clear), and the
/// hardest (max_difficulty leading zero bits), so one block's work always fits in work_t.
target256 easiest_target() noexcept;
target256 hardest_target() noexcept;

/// Bitcoin's compact form: exponent byte E, then a 23-bit mantissa M, the value M * 256^(E-3).
/// nullopt for a negative mantissa (bit 23 set), or a value above 2^256 - 1.
std::optional<target256> target_from_compact(std::uint32_t bits);
/// The compact form of `t`, rounded down (as Bitcoin's GetCompact): decoding it never gives more.
std::uint32_t compact_from_target(const target256& t);

/// Whether `h` read big-endian is at most `t`.
bool meets_target(const hash256& h, const target256& t) noexcept;

/// Expected hashes to meet `t`: floor(2^256 / (t + 1)). `t` must be at least hardest_target()
/// (check a peer's target against the range first); below it, throws std::overflow_error.
work_t target_work(const target256& t);

/// The target of leading-zero difficulty `d` (1 to max_difficulty): 2^(256-d) - 1.
target256 target_of_difficulty(std::uint32_t d);

/// ASERT (the aserti3-2d rule of Bitcoin Cash, its cubic approximation of 2^x bit for bit): the
/// target of the block after `parent`, from an anchor block with target `anchor_target`.
/// `time_since_anchor_ms` is parent time minus anchor time, `blocks_since_anchor` parent height
/// minus anchor height. Every block ahead of schedule by one half-life doubles the difficulty;
/// every one behind halves it. The result is clamped to [hardest_target, easiest_target].
target256 asert_next_target(
    const target256& anchor_target,
    std::int64_t time_since_anchor_ms,
    std::uint64_t blocks_since_anchor,
    std::uint64_t target_block_ms,
    std::uint64_t half_life_ms
);

/// An ASERT chain's parameters (from its spec): a block's `difficulty` field then holds the compact
/// target the chain requires of it.
struct asert_params
{
    std::uint64_t target_block_ms = 0;
    std::uint64_t half_life_ms = 0;
    /// The compact target of block 1, the anchor: the spec's initial difficulty.
    std::uint32_t anchor_bits = 0;

    friend bool operator==(const asert_params&, const asert_params&) = default;
};

/// What the difficulty and timestamp rules of a block need from the chain before it: its parent's
/// height and compact target, and the last (up to) 12 timestamps ending with the parent's: the
/// median time past at the parent and at the grandparent. A small value, so sync can carry it off
/// the chain's strand with the parent it belongs to.
struct block_timing
{
    static constexpr std::size_t median_of = 11;
    static constexpr std::size_t window = median_of + 1;

    std::uint64_t parent_index = 0;
    std::uint32_t parent_bits = 0;              ///< the parent's `difficulty` field
    std::array<std::uint64_t, window> recent{}; ///< oldest first
    std::size_t count = 0;

    /// `b` (the child of the current parent) becomes the parent.
    void push(const block& b) noexcept;
    std::uint64_t parent_ms() const noexcept { return count == 0 ? 0 : recent[count - 1]; }
    /// Median time past (of the last 11): a block must be later than this (on ASERT chains).
    std::uint64_t median_ms() const;
    /// The median time past one block earlier, at the grandparent (0 before there is one).
    std::uint64_t previous_median_ms() const;
};

/// The timing at genesis, whose child is block 1.
block_timing genesis_timing(const block& genesis);

/// The compact target the block after `t`'s parent must carry: the anchor's for blocks 1 to 11;
/// after that the parent's, moved by ASERT over one block: asert_next_target(parent target, dt,
/// 1 block) with dt the step of median time past from the grandparent to the parent, clamped to
/// [0, target block + half-life], and rounded down to compact form as every node rounds it.
/// Median time past never decreases, so the steps telescope to the time it advanced: no order of
/// timestamps buys more schedule than the median moved, and the clamp (binding only on a jump,
/// such as block 1 stamped years before the blocks after it) can only make targets harder.
std::uint32_t required_bits(const block_timing& t, const asert_params& a);

/// The median of the last (up to) 11 block timestamps: a new block must be later than it, so a
/// miner's clock can bend neither the order of blocks nor, through it, the difficulty.
std::uint64_t median_time_past(std::span<const std::uint64_t> last_timestamps);

} // namespace beastchain::core
