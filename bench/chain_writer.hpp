// Writes a data directory holding a valid N-block chain (shared by beastchain-gen-chain and the
// microbenchmarks).
#pragma once

#include <beastchain/core/chain_spec.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace beastchain::bench {

struct chain_spec
{
    std::size_t blocks = 100'000;
    std::size_t transactions_per_block = 1; ///< client transactions; each block also has its reward
    std::uint32_t difficulty = 1;
    /// A signed chain ("signed-bench": reward 1,000,000, this difficulty as its minimum): the
    /// miner's key pays each block's transactions, signed, from the second block on.
    bool signed_chain = false;
};

/// The spec of the signed chain write_chain generates with these settings.
core::chain_spec signed_bench_spec(const chain_spec& spec);

/// Mines `spec.blocks` blocks on genesis and stores them, as a node would have, in `dir` (which
/// must be empty or absent). Throws std::runtime_error on failure.
void write_chain(const std::filesystem::path& dir, const chain_spec& spec);

} // namespace beastchain::bench
