// Blocks built and solved by tests: on a given parent, with given transactions, and a reward that adds their
// fees.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/core/pow.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace beastchain::test {

/// A solved block `dt_ms` after `parent` at `difficulty`, holding `txs` and, last, a reward of
/// `reward` plus their fees to `miner`: what a miner of a signed chain builds.
inline core::block block_paying(
    const core::chain_entry& parent,
    std::vector<core::transaction> txs,
    const std::string& miner,
    std::uint64_t reward,
    std::uint32_t difficulty,
    std::uint64_t dt_ms
)
{
    std::uint64_t fees = 0;
    for (const auto& tx : txs)
        fees += tx.fee;
    core::block b;
    b.index = parent.blk.index + 1;
    b.previous_hash = parent.hash;
    b.timestamp_ms = parent.blk.timestamp_ms + dt_ms;
    b.difficulty = difficulty;
    b.transactions = std::move(txs);
    b.transactions.push_back(core::make_transaction("0", miner, reward + fees, b.index));
    std::atomic<bool> stop{false};
    b.proof = core::pow_search(b).search(0, 1, stop).value();
    return b;
}

} // namespace beastchain::test
