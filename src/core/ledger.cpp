// Ledger state transitions: accept, mine-connect and chain switch, each all-or-nothing.
#include <beastchain/core/ledger.hpp>
#include <beastchain/core/signing.hpp>

#include <algorithm>

namespace beastchain::core {
namespace {

ledger_observer null_observer;

/// Dropped transactions remembered for clients that poll them.
constexpr std::size_t max_remembered_drops = 10'000;

validation_result check_for_pool(const transaction& tx, const consensus_params& p)
{
    if (!p.signed_transactions || tx.is_reward()) {
        if (tx.is_signed())
            return validation_result::fail(
                reject_reason::bad_signature, "this chain takes open (unsigned) transactions only"
            );
        return check_client_transaction(tx);
    }
    return check_signed_transaction(tx, p.chain_id);
}

} // namespace

ledger::ledger(consensus_params params, std::size_t mempool_capacity, ledger_observer* observer)
    : chain_(params)
    , pool_(mempool_capacity)
    , observer_(observer != nullptr ? observer : &null_observer)
    , acknowledged_(1) // genesis
    , journals_(1)
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
    const consensus_params& p = chain_.params();
    if (auto r = check_for_pool(tx, p); !r)
        return {accept_status::invalid, std::move(r)};
    if (chain_.find_transaction(tx.transaction_id))
        return {
            accept_status::duplicate,
            validation_result::fail(reject_reason::duplicate_transaction, "already in the chain")};
    if (p.signed_transactions && !pool_.contains(tx.transaction_id)) {
        bool conflict = false;
        if (auto r = check_pending(accounts_, pool_, tx, conflict); !r)
            return {conflict ? accept_status::conflict : accept_status::invalid, std::move(r)};
        const pool_room room = room_for(pool_, tx);
        if (!room.refusal)
            return {accept_status::pool_full, room.refusal};
        if (room.evict != nullptr)
            drop(*room.evict, evicted_by_fee(), true);
    }
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
    const consensus_params& p = chain_.params();
    b.timestamp_ms = std::max(now_ms, tip.blk.timestamp_ms);
    b.difficulty = difficulty;
    if (p.asert) { // the chain sets the target; `difficulty` is the minimum rule's
        const block_timing timing = chain_.timing();
        b.timestamp_ms = std::max(now_ms, timing.median_ms() + 1);
        b.difficulty = required_bits(timing, *p.asert);
    }
    b.transactions = pool_.select(p.max_block_transactions - 1);
    // The reward adds the fees and is itself an amount, so it stops at max_amount; select keeps
    // each sender in nonce order, so any prefix is a valid block.
    std::uint64_t fees = 0;
    std::size_t fit = 0;
    for (; fit < b.transactions.size(); ++fit) {
        if (b.transactions[fit].fee > max_amount - p.block_reward - fees)
            break;
        fees += b.transactions[fit].fee;
    }
    b.transactions.resize(fit);
    // The block index as nonce gives every height's reward its own id, even to the same miner.
    b.transactions.push_back(make_transaction(
        std::string(reward_sender), std::string(miner_address), p.block_reward + fees, b.index
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
    } else if (const auto it = dropped_.find(id); it != dropped_.end()) {
        out.where = transaction_lookup::state::dropped;
        out.tx = it->second.tx;
        out.why = it->second.why;
        out.evicted = it->second.evicted;
    }
    return out;
}

validation_result ledger::apply_accounts(const block& b)
{
    if (!chain_.params().signed_transactions)
        return validation_result::success();
    account_state::journal undo;
    if (auto r = accounts_.apply_block(b, chain_.params().block_reward, undo); !r)
        return r;
    journals_.push_back(std::move(undo));
    return validation_result::success();
}

void ledger::drop_stale(const std::unordered_set<std::string>& touched)
{
    if (!chain_.params().signed_transactions)
        return;
    for (auto& [tx, why] : stale_pending(accounts_, pool_, touched))
        drop(*tx, std::move(why), false);
}

void ledger::drop(const transaction& pending, validation_result why, bool evicted)
{
    const transaction tx = pending; // `pending` lives in the pool
    pool_.remove(tx.transaction_id);
    if (dropped_.insert_or_assign(tx.transaction_id, dropped_entry{tx, why, evicted}).second)
        dropped_order_.push_back(tx.transaction_id);
    if (dropped_order_.size() > max_remembered_drops) {
        dropped_.erase(dropped_order_.front());
        dropped_order_.pop_front();
    }
    observer_->on_transaction_dropped(tx, why, evicted);
}

void ledger::replay_eviction(const std::string& id)
{
    if (const transaction* tx = pool_.find(id))
        drop(*tx, evicted_by_fee(), true);
}

void ledger::finish_replay()
{
    if (!chain_.params().signed_transactions)
        return;
    // Replay adds what was accepted without the pool's checks; whatever no longer fits the state
    // (a log cut short by a crash between an eviction and its record, say) goes as it would live.
    std::unordered_set<std::string> senders;
    for (const auto& tx : pool_.transactions())
        if (tx.is_signed())
            senders.insert(tx.sender);
    drop_stale(senders);
    while (pool_.size() > pool_.capacity()) {
        const transaction* cheapest = pool_.cheapest_tail();
        if (cheapest == nullptr)
            break;
        drop(*cheapest, evicted_by_fee(), true);
    }
}

validation_result ledger::connect_block(block b, std::uint64_t now_ms)
{
    const hash256 hash = block_hash(b);
    if (auto r = chain_.check_next(b, hash, now_ms); !r)
        return r;
    if (auto r = apply_accounts(b); !r)
        return r;
    acknowledged_.push_back(take_confirmed(b, {}));
    std::unordered_set<std::string> touched;
    if (chain_.params().signed_transactions)
        collect_accounts(b, touched);
    observer_->on_block_connected(chain_.append_checked(std::move(b), hash));
    drop_stale(touched);
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
    if (auto r = switch_accounts(suffix); !r) {
        if (rejected != nullptr)
            *rejected = std::move(r);
        return {};
    }
    adopt_result out;
    out.fork_index = suffix.fork_index;
    std::unordered_set<std::string> touched;
    if (chain_.params().signed_transactions)
        for (std::size_t i = out.fork_index; i < chain_.size(); ++i)
            collect_accounts(chain_.entries()[i].blk, touched);
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
    if (chain_.params().signed_transactions)
        for (std::size_t i = out.fork_index; i < chain_.size(); ++i)
            collect_accounts(chain_.entries()[i].blk, touched);
    drop_stale(touched);
    return out;
}

validation_result ledger::switch_accounts(const chain_suffix& suffix)
{
    if (!chain_.params().signed_transactions)
        return validation_result::success();
    // Take our blocks back off down to the fork, then apply the suffix's; if one fails, undo
    // those and apply ours again (they applied before, so they apply again).
    const std::size_t fork = suffix.fork_index;
    for (std::size_t i = journals_.size(); i-- > fork;)
        accounts_.undo_block(journals_[i]);
    journals_.resize(fork);
    for (const auto& e : suffix.entries) {
        if (auto r = apply_accounts(e.blk); !r) {
            for (std::size_t i = journals_.size(); i-- > fork;)
                accounts_.undo_block(journals_[i]);
            journals_.resize(fork);
            for (std::size_t i = fork; i < chain_.size(); ++i)
                apply_accounts(chain_.entries()[i].blk);
            r.detail = "block " + std::to_string(e.blk.index) + ": " + r.detail;
            return r;
        }
    }
    return validation_result::success();
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
    if (!block_target(b, chain_.params())) // its work is read from it
        return validation_result::fail(reject_reason::bad_difficulty, "stored block has no valid target");
    if (auto r = apply_accounts(b); !r)
        return r;
    acknowledged_.push_back(take_confirmed(b, {}));
    std::unordered_set<std::string> touched;
    if (chain_.params().signed_transactions)
        collect_accounts(b, touched);
    observer_->on_block_connected(chain_.append_checked(std::move(b), hash));
    drop_stale(touched);
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
                s.entries,
                parent,
                chain_.timing_at(fork_index - 1),
                std::move(blocks),
                {},
                now_ms,
                chain_.params(),
                txids,
                why
            ))
            return why.result;
    } else {
        for (auto& [b, h] : suffix) {
            if (!block_target(b, chain_.params()))
                return validation_result::fail(
                    reject_reason::bad_difficulty,
                    "stored block " + std::to_string(b.index) + " has no valid target"
                );
            const work_t work = (s.entries.empty() ? parent : s.entries.back()).cumulative_work +
                                block_work(b, chain_.params());
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
