// Helpers that build valid blocks and chains at a low difficulty, so tamper tests start from valid data.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/core/pow.hpp>

#include <stdexcept>

namespace beastchain::test {

inline constexpr std::uint32_t test_difficulty = 8;

inline core::consensus_params test_params()
{
    core::consensus_params p;
    p.min_difficulty = test_difficulty;
    p.max_block_transactions = 10;
    return p;
}

inline core::transaction make_tx(std::string sender, std::string recipient, std::uint64_t amount)
{
    return core::make_transaction(
        std::move(sender), std::move(recipient), amount, core::make_transaction_nonce()
    );
}

inline core::transaction make_reward(std::string miner = "miner")
{
    return core::make_transaction(
        std::string(core::reward_sender),
        std::move(miner),
        core::reward_amount,
        core::make_transaction_nonce()
    );
}

/// Finds a proof for `b` at its difficulty (a few hundred hashes at difficulty 8).
inline core::block& solve(core::block& b)
{
    std::atomic<bool> stop{false};
    const auto nonce = core::pow_search(b).search(0, 1, stop);
    if (!nonce)
        throw std::runtime_error("no nonce found");
    b.proof = *nonce;
    return b;
}

/// A solved block on top of `parent` with `txs` plus a reward.
inline core::block
next_block(const core::chain_entry& parent, std::vector<core::transaction> txs, std::uint64_t dt_ms = 1000)
{
    core::block b;
    b.index = parent.blk.index + 1;
    b.previous_hash = parent.hash;
    b.timestamp_ms = parent.blk.timestamp_ms + dt_ms;
    b.difficulty = test_difficulty;
    b.transactions = std::move(txs);
    b.transactions.push_back(make_reward());
    return solve(b);
}

inline core::chain_entry entry_of(const core::block& b)
{
    return {b, core::block_hash(b), 0};
}

/// Genesis plus `n` blocks, each with two transactions and a reward.
inline std::vector<core::block> make_blocks(std::size_t n)
{
    std::vector<core::block> blocks{core::genesis_block()};
    for (std::size_t i = 0; i < n; ++i)
        blocks.push_back(
            next_block(entry_of(blocks.back()), {make_tx("alice", "bob", 3), make_tx("bob", "carol", 2)})
        );
    return blocks;
}

/// "Now" for validation: comfortably after every test block.
inline std::uint64_t test_now(const std::vector<core::block>& blocks)
{
    return blocks.back().timestamp_ms + 1000;
}

} // namespace beastchain::test
