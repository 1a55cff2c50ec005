// Block validation rules and the best chain: an append-only vector of validated blocks from genesis.
#pragma once

#include <beastchain/core/block.hpp>
#include <beastchain/core/pow.hpp>
#include <beastchain/core/target.hpp>
#include <beastchain/core/validation.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace beastchain::core {

/// Network rules every node of one network must share.
struct consensus_params
{
    /// Blocks below this difficulty are refused; nodes mine at their own --difficulty (>= this).
    std::uint32_t min_difficulty = 16;
    /// Transactions per block, the reward included.
    std::size_t max_block_transactions = 1000;
    /// How far a block's timestamp may run ahead of the validating node's clock.
    std::uint64_t max_future_ms = 2 * 60 * 60 * 1000;
    /// What each block's reward must be.
    std::uint64_t block_reward = reward_amount;
    /// The genesis block's previous hash: core::genesis_commitment of the chain spec. All-zero
    /// for the tutorial chain and for chains built without a spec, as unit tests build them.
    hash256 genesis_commitment{};
    /// A signed chain (core/signing.hpp, core/accounts.hpp): every transaction but the reward is
    /// signed for `chain_id`, balances and nonces are enforced, and the reward adds the fees.
    bool signed_transactions = false;
    /// What signatures commit to: the spec id (core::spec_id). Only read when signed.
    hash256 chain_id{};
    /// Set when the chain sets each block's difficulty (ASERT): a block's `difficulty` field is
    /// then the compact target the chain requires of it, and min_difficulty is not read.
    std::optional<asert_params> asert;
};

/// The genesis block of chains validated with `params`: the tutorial's genesis block with
/// `params.genesis_commitment` as its previous hash.
block genesis_block_for(const consensus_params& params);
/// Its hash, which names the network.
hash256 genesis_hash_for(const consensus_params& params);

/// A block together with facts derived from it once, on validation.
struct chain_entry
{
    block blk;
    hash256 hash{};
    work_t cumulative_work = 0;
};

/// The target a block's hash must meet. On ASERT chains its `difficulty` field as a compact target,
/// nullopt unless that is the canonical encoding of a target from hardest_target() to
/// easiest_target(); elsewhere 2^(256 - difficulty) - 1, nullopt outside min_difficulty..64.
std::optional<target256> block_target(const block& b, const consensus_params& params);

/// One block's work: the expected hashes to meet its target (1 for genesis). The block must
/// have passed check_block_header.
work_t block_work(const block& b, const consensus_params& params);

/// Rules on a block's own contents: size, well-formed transactions (on a signed chain: signed for
/// it, signatures verified), exactly one reward, last, of block_reward plus the block's fees, no
/// transaction id twice. Balances and nonces are the ledger's (account_state).
validation_result check_block_contents(const block& b, const consensus_params& params);

/// Rules on the header: difficulty within range, the hash meets it, and a claimed hash (when the
/// sender supplied one) equals the computed one.
validation_result check_block_header(
    const block& b,
    const hash256& hash,
    const consensus_params& params,
    const std::optional<hash256>& claimed_hash = std::nullopt
);

/// Rules linking a block to its parent: next index, previous hash, timestamp not far in the
/// future and, on chains of the minimum rule, not before the parent's.
validation_result check_block_link(
    const block& b, const chain_entry& parent, std::uint64_t now_ms, const consensus_params& params
);

/// Rules that need the chain before the block (`timing`, at its parent). On ASERT chains: the
/// compact target must be the one required_bits computes, and the timestamp must be later than
/// the median time past, so no miner's clock can lower the difficulty for long. Nothing on
/// chains of the minimum rule.
validation_result
check_block_timing(const block& b, const block_timing& timing, const consensus_params& params);

/// `t` (at the parent of added.front()) moved on past `added`: O(11), whatever added's length.
block_timing timing_after(block_timing t, std::span<const chain_entry> added);

/// Where a chain failed validation: the block index and the rule.
struct chain_rejection
{
    std::size_t index = 0;
    validation_result result;
    hash256 hash{}; ///< the failing block's own (computed) hash, when a block failed
};

/// Blocks after our block `fork_index - 1`, validated as its continuation: what incremental sync
/// fetches. Cheaper to build and adopt than a whole chain, which would repeat the shared prefix.
struct chain_suffix
{
    std::size_t fork_index = 0; ///< height of the first entry; its parent is our block fork_index - 1
    std::vector<chain_entry> entries;
    work_t work() const noexcept { return entries.empty() ? 0 : entries.back().cumulative_work; }
};

/// Validates `blocks` as the continuation of `parent` (or of the last entry already in `out`) and
/// appends them to `out`. `parent_timing` is the timing at `parent` itself (not at out.back()).
/// `claimed_hashes[i]`, when present, is the hash the sender claimed for blocks[i]; `txids` holds the ids
/// seen so far in the candidate and is extended. On failure returns false with `rejection.index` set to the
/// failing block's height.
bool validate_extension(
    std::vector<chain_entry>& out,
    const chain_entry& parent,
    const block_timing& parent_timing,
    std::vector<block> blocks,
    std::span<const std::optional<hash256>> claimed_hashes,
    std::uint64_t now_ms,
    const consensus_params& params,
    std::unordered_set<std::string>& txids,
    chain_rejection& rejection
);

/**
 * The node's best chain. Always starts with the shared genesis block and only ever holds blocks
 * that passed every rule.
 *
 * @par Thread Safety
 * None: the node confines it to one strand.
 */
class chain
{
public:
    explicit chain(consensus_params params);

    const consensus_params& params() const noexcept { return params_; }
    const std::vector<chain_entry>& entries() const noexcept { return entries_; }
    const chain_entry& tip() const noexcept { return entries_.back(); }
    std::size_t size() const noexcept { return entries_.size(); }
    work_t cumulative_work() const noexcept { return tip().cumulative_work; }

    /// What the rules of the child of block `parent_height` need; O(11).
    block_timing timing_at(std::size_t parent_height) const;
    /// The same for the next block at the tip.
    block_timing timing() const { return timing_at(entries_.size() - 1); }

    /// Index of the block holding transaction `id`, if any.
    std::optional<std::uint64_t> find_transaction(const std::string& id) const;

    /// Every rule for appending `b` (with hash `hash`) at the tip, including no transaction
    /// id that is already in the chain.
    validation_result check_next(const block& b, const hash256& hash, std::uint64_t now_ms) const;

    /// Appends a block that passed check_next.
    const chain_entry& append_checked(block b, const hash256& hash);

    /// Whether `suffix` can replace our blocks from its fork index on: it hangs off one of our
    /// blocks and repeats no transaction of the prefix it keeps. (Its own rules were checked by
    /// validate_extension.)
    validation_result check_suffix(const chain_suffix& suffix) const;

    /// Replaces our blocks from `suffix.fork_index` on with a suffix that passed check_suffix and
    /// returns the blocks it abandons, oldest first. The caller decides whether to switch.
    std::vector<block> replace_suffix(chain_suffix&& suffix);

private:
    void index_transactions(const chain_entry& e);

    consensus_params params_;
    std::vector<chain_entry> entries_;
    std::unordered_map<std::string, std::uint64_t> tx_index_;
};

} // namespace beastchain::core
