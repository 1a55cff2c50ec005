// Helpers that build valid blocks and chains at a low difficulty, so tamper tests start from valid data.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/core/pow.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace beastchain::test {

/// A fresh directory under the system's temp directory, removed with everything in it.
struct temp_dir
{
    std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("beastchain-unit-" + std::to_string(::getpid()) + "-" + core::make_uuid_hex());
    ~temp_dir() { std::filesystem::remove_all(path); }
};

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

/// A whole chain from genesis, validated by the production rule for extensions. The node never
/// validates a whole chain (sync validates what follows a known block); tests that tamper with
/// any block of a chain use this.
struct validated_chain
{
    std::vector<core::chain_entry> entries;
    core::work_t work() const noexcept { return entries.empty() ? 0 : entries.back().cumulative_work; }
};

inline std::optional<validated_chain> validate_chain(
    std::vector<core::block> blocks,
    std::span<const std::optional<core::hash256>> claimed_hashes,
    std::uint64_t now_ms,
    const core::consensus_params& params,
    core::chain_rejection& rejection
)
{
    using core::reject_reason;
    const auto reject = [&](reject_reason reason, const char* detail) {
        rejection = {0, core::validation_result::fail(reason, detail)};
        return std::nullopt;
    };
    if (blocks.empty())
        return reject(reject_reason::empty_chain, "chain has no blocks");
    if (blocks.front() != core::genesis_block())
        return reject(reject_reason::bad_genesis, "first block is not the beastchain genesis block");
    if (!claimed_hashes.empty() && claimed_hashes.front() && *claimed_hashes.front() != core::genesis_hash())
        return reject(reject_reason::hash_mismatch, "claimed genesis hash is wrong");
    validated_chain out;
    out.entries.push_back({std::move(blocks.front()), core::genesis_hash(), core::block_work(0)});
    blocks.erase(blocks.begin());
    std::unordered_set<std::string> txids;
    const auto claims = claimed_hashes.empty() ? claimed_hashes : claimed_hashes.subspan(1);
    const core::chain_entry genesis = out.entries.front();
    if (!core::validate_extension(
            out.entries,
            genesis,
            core::genesis_timing(genesis.blk),
            std::move(blocks),
            claims,
            now_ms,
            params,
            txids,
            rejection
        ))
        return std::nullopt;
    return out;
}

/// What `theirs` offers `ours`: its blocks after the last one the two share.
inline core::chain_suffix
suffix_against(const core::chain& ours, const std::vector<core::chain_entry>& theirs)
{
    std::size_t fork = 0;
    while (fork < ours.size() && fork < theirs.size() && ours.entries()[fork].hash == theirs[fork].hash)
        ++fork;
    core::chain_suffix out;
    out.fork_index = fork;
    out.entries.assign(theirs.begin() + static_cast<std::ptrdiff_t>(fork), theirs.end());
    return out;
}

} // namespace beastchain::test
