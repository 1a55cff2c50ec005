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
{}

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
    b.transactions.push_back(
        {make_uuid_hex(), std::string(reward_sender), std::string(miner_address), reward_amount}
    );
    return b;
}

validation_result ledger::connect_block(block b, std::uint64_t now_ms)
{
    const hash256 hash = block_hash(b);
    if (auto r = chain_.check_next(b, hash, now_ms); !r)
        return r;
    for (const auto& tx : b.transactions)
        pool_.remove(tx.transaction_id);
    observer_->on_block_connected(chain_.append_checked(std::move(b), hash));
    return validation_result::success();
}

ledger::adopt_result ledger::adopt_if_more_work(candidate_chain&& candidate)
{
    if (candidate.entries.empty() || candidate.work() <= chain_.cumulative_work())
        return {};
    const std::vector<block> abandoned = chain_.replace(std::move(candidate));
    adopt_result out;
    out.switched = true;
    out.abandoned_blocks = abandoned.size();
    out.fork_index = chain_.size() > 0 ? abandoned.empty() ? chain_.size() : abandoned.front().index : 0;

    // Pending transactions that the new chain confirms are done.
    std::vector<std::string> confirmed;
    for (const auto& tx : pool_.transactions())
        if (chain_.find_transaction(tx.transaction_id))
            confirmed.push_back(tx.transaction_id);
    for (const auto& id : confirmed)
        pool_.remove(id);

    // Abandoned transactions go back in their original order, ahead of newer pending ones:
    // restore() pushes to the front, so walk them newest first.
    for (auto b = abandoned.rbegin(); b != abandoned.rend(); ++b)
        for (auto tx = b->transactions.rbegin(); tx != b->transactions.rend(); ++tx)
            if (!tx->is_reward() && !chain_.find_transaction(tx->transaction_id) &&
                !pool_.contains(tx->transaction_id)) {
                pool_.restore(*tx);
                ++out.returned_to_pending;
            }
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
    for (const auto& tx : b.transactions)
        pool_.remove(tx.transaction_id);
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
    std::vector<block> blocks;
    candidate_chain candidate;
    candidate.entries.assign(
        chain_.entries().begin(), chain_.entries().begin() + static_cast<std::ptrdiff_t>(fork_index)
    );
    if (reverify) {
        for (const auto& e : candidate.entries)
            blocks.push_back(e.blk);
        for (auto& [b, h] : suffix)
            blocks.push_back(std::move(b));
        chain_rejection why;
        auto validated = validate_chain(std::move(blocks), {}, now_ms, chain_.params(), why);
        if (!validated)
            return why.result;
        candidate = std::move(*validated);
    } else {
        for (auto& [b, h] : suffix) {
            const work_t work = candidate.entries.back().cumulative_work + block_work(b.difficulty);
            candidate.entries.push_back({std::move(b), h, work});
        }
    }
    if (!adopt_if_more_work(std::move(candidate)).switched)
        return validation_result::fail(
            reject_reason::insufficient_work, "stored chain switch no longer has more work"
        );
    return validation_result::success();
}

} // namespace beastchain::core
