// Headers on their own: the 96-byte header parsed back, and a header chain checked before bodies.
#pragma once

#include <beastchain/core/chain.hpp>

#include <optional>
#include <span>

namespace beastchain::core {

/// A parsed header: the block's fields (no transactions) and the Merkle root that stands for them.
struct block_header
{
    block fields;
    hash256 merkle{};
};

/// Reads serialize_header's layout back; nullopt for another header_version.
std::optional<block_header> parse_header(const header_bytes& bytes);

/**
 * Checks `headers` as the continuation of `parent` (or of the last entry already in `out`):
 * every rule that needs no transactions (version, difficulty range, proof of work, index,
 * previous hash, timestamps, and on ASERT chains the required target; `parent_timing` is the
 * timing at `parent`) and appends each as a chain_entry with no transactions, its hash
 * and its cumulative work. Linear in the input; one SHA-256 per header. On failure returns false
 * with `rejection.index` set to the failing header's height; headers before it are kept.
 */
bool validate_headers(
    std::vector<chain_entry>& out,
    const chain_entry& parent,
    const block_timing& parent_timing,
    std::span<const header_bytes> headers,
    std::uint64_t now_ms,
    const consensus_params& params,
    chain_rejection& rejection
);

} // namespace beastchain::core
