// Proof of work: the difficulty rule, chain work arithmetic, and the nonce search miners run.
#pragma once

#include <beastchain/core/block.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace beastchain::core {

/// Difficulty is a count of leading zero bits. 64 is far beyond what anyone mines here, and
/// keeps one block's work (2^difficulty) representable in 128 bits with room for any chain length.
inline constexpr std::uint32_t max_difficulty = 64;
/// Nonces stay below 2^53 so the `proof` field survives any JSON reader that uses doubles.
inline constexpr std::uint64_t max_nonce = (1ULL << 53) - 1;

/// Accumulated expected hash count; the quantity consensus maximises.
__extension__ typedef unsigned __int128 work_t;

/// A 256-bit unsigned number, big-endian: a block hash meets a target when, read the same way,
/// it is not above it. Leading-zero difficulty d is the target 2^(256-d) - 1 (core/target.hpp).
using target256 = std::array<std::uint8_t, 32>;

/// True when `h` has at least `difficulty` leading zero bits.
bool meets_difficulty(const hash256& h, std::uint32_t difficulty) noexcept;

/// Expected number of hashes to find a block at `difficulty`: 2^difficulty.
work_t block_work(std::uint32_t difficulty) noexcept;

/// Decimal form of a work value (JSON carries it as a string: it can exceed 2^53).
std::string work_to_string(work_t w);
/// Parses work_to_string's output; nullopt for anything else (signs, spaces, overflow).
std::optional<work_t> work_from_string(std::string_view s);

/**
 * Searches nonces for one block template.
 *
 * The constructor serializes the header once and hashes its first 64 bytes (the midstate); each
 * attempt then copies that state and hashes only the last 32 bytes, which hold the nonce.
 *
 * @par Thread Safety
 * `search` is const and may run on many threads at once, each with its own nonce lane.
 */
class pow_search
{
public:
    /// Searches for a hash with tmpl.difficulty leading zero bits (the minimum rule's meaning).
    explicit pow_search(const block& tmpl);
    /// Searches for a hash at or below `target` (an ASERT chain's compact bits, decoded).
    pow_search(const block& tmpl, const target256& target);
    ~pow_search();
    pow_search(const pow_search&) = delete;
    pow_search& operator=(const pow_search&) = delete;

    /// Tries `first`, `first + stride`, ... until a nonce meets the template's target, `stop` is
    /// set, or the nonce space is exhausted. `hashes` (if given) is credited with the attempts made.
    std::optional<std::uint64_t> search(
        std::uint64_t first,
        std::uint64_t stride,
        const std::atomic<bool>& stop,
        std::atomic<std::uint64_t>* hashes = nullptr
    ) const;

private:
    struct midstate;
    header_bytes header_{};
    target256 target_{};
    std::unique_ptr<midstate> midstate_;
};

} // namespace beastchain::core
