// Consensus rules, whole-chain validation and the best chain's bookkeeping.
#include <beastchain/core/chain.hpp>
#include <beastchain/core/signing.hpp>

#include <cassert>
#include <limits>
#include <unordered_set>

namespace beastchain::core {
namespace {

validation_result fail(reject_reason r, std::string detail)
{
    return validation_result::fail(r, std::move(detail));
}

} // namespace

validation_result check_block_contents(const block& b, const consensus_params& params)
{
    const auto& txs = b.transactions;
    if (txs.size() > params.max_block_transactions)
        return fail(
            reject_reason::too_many_transactions,
            "block has " + std::to_string(txs.size()) + " transactions, the limit is " +
                std::to_string(params.max_block_transactions)
        );
    if (txs.empty())
        return fail(reject_reason::missing_reward, "block has no reward transaction");

    std::unordered_set<std::string_view> seen;
    seen.reserve(txs.size());
    std::uint64_t fees = 0; // each fee is at most max_amount; the sum is checked as it grows
    for (std::size_t i = 0; i < txs.size(); ++i) {
        const transaction& tx = txs[i];
        const bool signed_rules = params.signed_transactions && !tx.is_reward();
        if (auto r = signed_rules ? check_signed_transaction(tx, params.chain_id) : check_transaction(tx);
            !r) {
            r.detail = "transaction " + std::to_string(i) + ": " + r.detail;
            return r;
        }
        if (!seen.insert(tx.transaction_id).second)
            return fail(
                reject_reason::duplicate_transaction, "transaction id " + tx.transaction_id + " appears twice"
            );
        if (!signed_rules && tx.is_signed())
            return fail(
                reject_reason::bad_signature,
                "transaction " + std::to_string(i) + ": " +
                    (tx.is_reward() ? "a reward is never signed" : "this chain takes open transactions only")
            );
        if (tx.fee > std::numeric_limits<std::uint64_t>::max() - fees)
            return fail(reject_reason::bad_fee, "the block's fees overflow");
        fees += tx.fee;
        const bool last = i + 1 == txs.size();
        if (tx.is_reward() && !last)
            return fail(
                txs.back().is_reward() ? reject_reason::multiple_rewards : reject_reason::reward_not_last,
                "reward transaction at position " + std::to_string(i) + " is not last"
            );
    }
    const transaction& reward = txs.back();
    if (!reward.is_reward())
        return fail(reject_reason::missing_reward, "the last transaction is not a reward (sender \"0\")");
    if (fees > std::numeric_limits<std::uint64_t>::max() - params.block_reward ||
        reward.amount != params.block_reward + fees)
        return fail(
            reject_reason::bad_reward,
            "the reward must be exactly " + std::to_string(params.block_reward) + " plus the fees " +
                std::to_string(fees)
        );
    if (params.signed_transactions && !public_key_from_address(reward.recipient))
        return fail(reject_reason::bad_recipient, "the reward's recipient is not an address");
    return validation_result::success();
}

validation_result check_block_header(
    const block& b,
    const hash256& hash,
    const consensus_params& params,
    const std::optional<hash256>& claimed_hash
)
{
    if (claimed_hash && *claimed_hash != hash)
        return fail(
            reject_reason::hash_mismatch,
            "claimed hash " + to_hex(*claimed_hash) + " is not the block's hash " + to_hex(hash)
        );
    const auto target = block_target(b, params);
    if (!target)
        return fail(
            reject_reason::bad_difficulty,
            params.asert ? "difficulty " + std::to_string(b.difficulty) +
                               " is not a compact target within the chain's range"
                         : "difficulty " + std::to_string(b.difficulty) + " is outside " +
                               std::to_string(params.min_difficulty) + ".." + std::to_string(max_difficulty)
        );
    if (!meets_target(hash, *target))
        return fail(
            reject_reason::insufficient_work,
            params.asert ? "hash " + to_hex(hash) + " is above the block's target"
                         : "hash " + to_hex(hash) + " has fewer than " + std::to_string(b.difficulty) +
                               " leading zero bits"
        );
    return validation_result::success();
}

validation_result check_block_link(
    const block& b, const chain_entry& parent, std::uint64_t now_ms, const consensus_params& params
)
{
    if (b.index != parent.blk.index + 1)
        return fail(
            reject_reason::bad_index,
            "index " + std::to_string(b.index) + " does not follow " + std::to_string(parent.blk.index)
        );
    if (b.previous_hash != parent.hash)
        return fail(
            reject_reason::bad_previous_hash,
            "previous_hash " + to_hex(b.previous_hash) + " is not the parent's hash " + to_hex(parent.hash)
        );
    // ASERT chains have median time past instead (check_block_timing), as Bitcoin: one miner's
    // clock running ahead must not drag every later block's timestamp along with it.
    if (!params.asert && b.timestamp_ms < parent.blk.timestamp_ms)
        return fail(reject_reason::timestamp_decreasing, "timestamp is earlier than the parent block's");
    if (b.timestamp_ms > now_ms + params.max_future_ms)
        return fail(reject_reason::timestamp_too_far_in_future, "timestamp is too far in the future");
    return validation_result::success();
}

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
)
{
    out.reserve(out.size() + blocks.size());
    assert(out.empty() || out.front().blk.index == parent_timing.parent_index + 1); // the parent's own
    block_timing timing = timing_after(parent_timing, out);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const chain_entry& prev = out.empty() ? parent : out.back();
        block& b = blocks[i];
        const hash256 hash = block_hash(b);
        const auto reject = [&](validation_result r) {
            rejection = {static_cast<std::size_t>(prev.blk.index + 1), std::move(r), hash};
            return false;
        };
        const std::optional<hash256> claim = i < claimed_hashes.size() ? claimed_hashes[i] : std::nullopt;
        if (auto r = check_block_header(b, hash, params, claim); !r)
            return reject(std::move(r));
        if (auto r = check_block_link(b, prev, now_ms, params); !r)
            return reject(std::move(r));
        if (auto r = check_block_timing(b, timing, params); !r)
            return reject(std::move(r));
        if (auto r = check_block_contents(b, params); !r)
            return reject(std::move(r));
        for (const auto& tx : b.transactions)
            if (!txids.insert(tx.transaction_id).second)
                return reject(fail(
                    reject_reason::duplicate_transaction,
                    "transaction id " + tx.transaction_id + " is already in the chain"
                ));
        const work_t work = prev.cumulative_work + block_work(b, params);
        timing.push(b);
        out.push_back({std::move(b), hash, work});
    }
    return true;
}

block genesis_block_for(const consensus_params& params)
{
    block genesis = genesis_block();
    genesis.previous_hash = params.genesis_commitment; // the genesis commits to the network's rules
    return genesis;
}

hash256 genesis_hash_for(const consensus_params& params)
{
    return block_hash(genesis_block_for(params));
}

chain::chain(consensus_params params)
    : params_(params)
{
    block genesis = genesis_block_for(params_);
    const hash256 hash = block_hash(genesis);
    entries_.push_back({std::move(genesis), hash, block_work(0)});
}

std::optional<std::uint64_t> chain::find_transaction(const std::string& id) const
{
    const auto it = tx_index_.find(id);
    if (it == tx_index_.end())
        return std::nullopt;
    return it->second;
}

validation_result chain::check_next(const block& b, const hash256& hash, std::uint64_t now_ms) const
{
    if (auto r = check_block_header(b, hash, params_); !r)
        return r;
    if (auto r = check_block_link(b, tip(), now_ms, params_); !r)
        return r;
    if (params_.asert)
        if (auto r = check_block_timing(b, timing(), params_); !r)
            return r;
    if (auto r = check_block_contents(b, params_); !r)
        return r;
    for (const auto& tx : b.transactions)
        if (tx_index_.contains(tx.transaction_id))
            return fail(
                reject_reason::duplicate_transaction,
                "transaction id " + tx.transaction_id + " is already in the chain"
            );
    return validation_result::success();
}

const chain_entry& chain::append_checked(block b, const hash256& hash)
{
    const work_t work = cumulative_work() + block_work(b, params_);
    entries_.push_back({std::move(b), hash, work});
    index_transactions(entries_.back());
    return entries_.back();
}

validation_result chain::check_suffix(const chain_suffix& suffix) const
{
    if (suffix.entries.empty())
        return fail(reject_reason::empty_chain, "the suffix has no blocks");
    if (suffix.fork_index == 0 || suffix.fork_index > entries_.size())
        return fail(
            reject_reason::bad_index,
            "fork index " + std::to_string(suffix.fork_index) + " is outside our chain of " +
                std::to_string(entries_.size())
        );
    const block& first = suffix.entries.front().blk;
    if (first.index != suffix.fork_index || first.previous_hash != entries_[suffix.fork_index - 1].hash)
        return fail(
            reject_reason::bad_previous_hash, "the suffix does not hang off our chain at its fork index"
        );
    for (const auto& e : suffix.entries)
        for (const auto& tx : e.blk.transactions)
            if (const auto at = find_transaction(tx.transaction_id); at && *at < suffix.fork_index)
                return fail(
                    reject_reason::duplicate_transaction,
                    "transaction id " + tx.transaction_id + " is already in block " + std::to_string(*at)
                );
    return validation_result::success();
}

std::vector<block> chain::replace_suffix(chain_suffix&& suffix)
{
    const std::size_t fork = suffix.fork_index;
    std::vector<block> abandoned;
    abandoned.reserve(entries_.size() - fork);
    for (std::size_t i = fork; i < entries_.size(); ++i) {
        for (const auto& tx : entries_[i].blk.transactions)
            tx_index_.erase(tx.transaction_id);
        abandoned.push_back(std::move(entries_[i].blk));
    }
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(fork), entries_.end());
    for (auto& e : suffix.entries) {
        entries_.push_back(std::move(e));
        index_transactions(entries_.back());
    }
    return abandoned;
}

block_timing chain::timing_at(std::size_t parent_height) const
{
    if (parent_height >= entries_.size())
        throw std::out_of_range("chain::timing_at: no such block");
    block_timing t;
    const std::size_t from =
        parent_height + 1 > block_timing::window ? parent_height + 1 - block_timing::window : 0;
    for (std::size_t h = from; h <= parent_height; ++h)
        t.push(entries_[h].blk);
    return t;
}

void chain::index_transactions(const chain_entry& e)
{
    for (const auto& tx : e.blk.transactions)
        tx_index_.emplace(tx.transaction_id, e.blk.index);
}

} // namespace beastchain::core
