// Ledger state transitions: accept, mine-connect and chain switch, each all-or-nothing.
#include <beastchain/core/ledger.hpp>

#include <algorithm>

namespace beastchain::core {
namespace {

ledger_observer null_observer;

} // namespace

ledger::ledger(consensus_params params, std::size_t mempool_capacity, ledger_observer* observer)
    : chain_(params)
    , pool_(mempool_capacity)
    , observer_(observer != nullptr ? observer : &null_observer)
    , acknowledged_(1) // genesis
{}

std::vector<bool>
ledger::take_confirmed(const block& b, const std::unordered_set<std::string>& ours_abandoned)
{
    std::vector<bool> ours(b.transactions.size());
    for (std::size_t i = 0; i < b.transactions.size(); ++i) {
        const std::string& id = b.transactions[i].transaction_id;
        ours[i] = pool_.remove(id) || ours_abandoned.contains(id);
    }
    return ours;
}

ledger::accept_result ledger::accept_transaction(transaction tx)
{
    if (auto r = check_client_transaction(tx); !r)
        return {accept_status::invalid, std::move(r)};
    if (chain_.find_transaction(tx.transaction_id))
        return {
            accept_status::duplicate,
            validation_result::fail(reject_reason::duplicate_transaction, "already in the chain")};
    switch (pool_.add(tx)) {
    case mempool::add_result::duplicate:
        return {
            accept_status::duplicate,
            validation_result::fail(reject_reason::duplicate_transaction, "already pending")};
    case mempool::add_result::full:
        return {accept_status::pool_full, {}};
    case mempool::add_result::added:
        break;
    }
    observer_->on_transaction_accepted(tx);
    return {};
}

block ledger::make_block_template(
    std::string_view miner_address, std::uint32_t difficulty, std::uint64_t now_ms
) const
{
    const chain_entry& tip = chain_.tip();
    block b;
    b.index = tip.blk.index + 1;
    b.previous_hash = tip.hash;
    b.timestamp_ms = std::max(now_ms, tip.blk.timestamp_ms);
    b.difficulty = difficulty;
    b.transactions = pool_.select(chain_.params().max_block_transactions - 1);
    // The block index as nonce gives every height's reward its own id, even to the same miner.
    b.transactions.push_back(make_transaction(
        std::string(reward_sender), std::string(miner_address), chain_.params().block_reward, b.index
    ));
    return b;
}

ledger::transaction_lookup ledger::find_transaction(const std::string& id) const
{
    transaction_lookup out;
    if (const transaction* tx = pool_.find(id)) {
        out.where = transaction_lookup::state::pending;
        out.tx = *tx;
    } else if (const auto index = chain_.find_transaction(id)) {
        for (const auto& tx : chain_.entries()[*index].blk.transactions)
            if (tx.transaction_id == id) {
                out.where = transaction_lookup::state::confirmed;
                out.tx = tx;
                out.block_index = *index;
            }
    }
    return out;
}

validation_result ledger::connect_block(block b, std::uint64_t now_ms)
{
    const hash256 hash = block_hash(b);
    if (auto r = chain_.check_next(b, hash, now_ms); !r)
        return r;
    acknowledged_.push_back(take_confirmed(b, {}));
    observer_->on_block_connected(chain_.append_checked(std::move(b), hash));
    return validation_result::success();
}

ledger::adopt_result ledger::adopt_suffix_if_more_work(chain_suffix&& suffix, validation_result* rejected)
{
    if (suffix.entries.empty() || suffix.work() <= chain_.cumulative_work())
        return {};
    if (auto r = chain_.check_suffix(suffix); !r) {
        if (rejected != nullptr)
            *rejected = std::move(r);
        return {};
    }
    adopt_result out;
    out.fork_index = suffix.fork_index;
    const std::vector<block> abandoned = chain_.replace_suffix(std::move(suffix));
    out.switched = true;
    out.abandoned_blocks = abandoned.size();
    std::vector<std::vector<bool>> abandoned_ours(
        acknowledged_.begin() + static_cast<std::ptrdiff_t>(out.fork_index), acknowledged_.end()
    );
    acknowledged_.resize(out.fork_index);
    std::unordered_set<std::string> ours_abandoned;
    for (std::size_t b = 0; b < abandoned.size(); ++b)
        for (std::size_t i = 0; i < abandoned[b].transactions.size(); ++i)
            if (i < abandoned_ours[b].size() && abandoned_ours[b][i])
                ours_abandoned.insert(abandoned[b].transactions[i].transaction_id);

    // Pending transactions that the new blocks confirm are done.
    for (std::size_t i = out.fork_index; i < chain_.size(); ++i)
        acknowledged_.push_back(take_confirmed(chain_.entries()[i].blk, ours_abandoned));

    // Abandoned transactions the new chain lacks, in their original order; ours always return,
    // the others only into the room left under the pool's capacity.
    std::vector<std::pair<const transaction*, bool>> back;
    std::size_t ours_back = 0;
    std::unordered_set<std::string_view> seen;
    for (const auto& b : abandoned)
        for (const auto& tx : b.transactions)
            if (!tx.is_reward() && !chain_.find_transaction(tx.transaction_id) &&
                !pool_.contains(tx.transaction_id) && seen.insert(tx.transaction_id).second) {
                const bool ours = ours_abandoned.contains(tx.transaction_id);
                back.emplace_back(&tx, ours);
                ours_back += ours ? 1 : 0;
            }
    std::size_t room = pool_.capacity() - std::min(pool_.capacity(), pool_.size() + ours_back);
    std::vector<const transaction*> keep;
    for (const auto& [tx, ours] : back) {
        if (ours || room > 0) {
            room -= ours ? 0 : 1;
            keep.push_back(tx);
        } else {
            ++out.dropped_unacknowledged;
        }
    }
    // restore() pushes to the front, so walk them newest first: they go ahead of newer pending ones.
    for (auto tx = keep.rbegin(); tx != keep.rend(); ++tx)
        pool_.restore(**tx);
    out.returned_to_pending = keep.size();
    observer_->on_chain_replaced(out.fork_index, abandoned);
    return out;
}

void ledger::replay_transaction(transaction tx)
{
    if (!chain_.find_transaction(tx.transaction_id))
        pool_.add_accepted(std::move(tx));
}

validation_result ledger::replay_block(block b, const hash256& hash, bool reverify, std::uint64_t now_ms)
{
    if (reverify) {
        if (block_hash(b) != hash)
            return validation_result::fail(
                reject_reason::hash_mismatch, "stored hash does not match the block"
            );
        return connect_block(std::move(b), now_ms);
    }
    // Trusted: still check the link, which costs nothing and catches a log from another chain.
    if (b.index != chain_.tip().blk.index + 1 || b.previous_hash != chain_.tip().hash)
        return validation_result::fail(
            reject_reason::bad_previous_hash, "stored block does not extend the stored chain"
        );
    acknowledged_.push_back(take_confirmed(b, {}));
    observer_->on_block_connected(chain_.append_checked(std::move(b), hash));
    return validation_result::success();
}

validation_result ledger::replay_chain_switch(
    std::size_t fork_index, std::vector<std::pair<block, hash256>> suffix, bool reverify, std::uint64_t now_ms
)
{
    if (fork_index == 0 || fork_index > chain_.size())
        return validation_result::fail(
            reject_reason::bad_index, "stored chain switch forks outside the stored chain"
        );
    chain_suffix s;
    s.fork_index = fork_index;
    const chain_entry& parent = chain_.entries()[fork_index - 1];
    if (reverify) {
        std::vector<block> blocks;
        for (auto& [b, h] : suffix)
            blocks.push_back(std::move(b));
        std::unordered_set<std::string> txids;
        chain_rejection why;
        if (!validate_extension(
                s.entries, parent, std::move(blocks), {}, now_ms, chain_.params(), txids, why
            ))
            return why.result;
    } else {
        for (auto& [b, h] : suffix) {
            const work_t work =
                (s.entries.empty() ? parent : s.entries.back()).cumulative_work + block_work(b.difficulty);
            s.entries.push_back({std::move(b), h, work});
        }
    }
    validation_result rejected;
    if (!adopt_suffix_if_more_work(std::move(s), &rejected).switched)
        return rejected ? validation_result::fail(
                              reject_reason::insufficient_work, "stored chain switch no longer has more work"
                          )
                        : rejected;
    return validation_result::success();
}

} // namespace beastchain::core
