// Balances and nonces: checked transfers, the reward with its fees, and journaled undo.
#include <beastchain/core/accounts.hpp>

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_set>

namespace beastchain::core {

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

validation_result fail(reject_reason r, std::string detail)
{
    return validation_result::fail(r, std::move(detail));
}

} // namespace

account account_state::get(const std::string& address) const
{
    const auto it = accounts_.find(address);
    return it == accounts_.end() ? account{} : it->second;
}

validation_result account_state::check(const transaction& tx) const
{
    const account a = get(tx.sender);
    if (tx.nonce < a.next_nonce)
        return fail(
            reject_reason::nonce_reused,
            "nonce " + std::to_string(tx.nonce) + " is spent: the sender's next is " +
                std::to_string(a.next_nonce)
        );
    if (tx.nonce > a.next_nonce)
        return fail(
            reject_reason::nonce_gap,
            "nonce " + std::to_string(tx.nonce) + " skips ahead: the sender's next is " +
                std::to_string(a.next_nonce)
        );
    if (tx.amount > u64_max - tx.fee)
        return fail(reject_reason::bad_fee, "amount plus fee overflows");
    if (a.balance < tx.amount + tx.fee)
        return fail(
            reject_reason::overdraft,
            "amount plus fee is " + std::to_string(tx.amount + tx.fee) + " but the sender holds " +
                std::to_string(a.balance)
        );
    return validation_result::success();
}

account&
account_state::touch(const std::string& address, journal& undo, std::unordered_set<std::string_view>& seen)
{
    auto [it, inserted] = accounts_.try_emplace(address);
    if (seen.insert(address).second) // the value before the block, once per account
        undo.emplace_back(address, inserted ? account{} : it->second);
    return it->second;
}

validation_result account_state::apply_block(const block& b, std::uint64_t block_reward, journal& undo)
{
    undo.clear();
    std::unordered_set<std::string_view> seen; // views into `b`, which outlives this call
    std::uint64_t fees = 0;
    validation_result result;
    for (std::size_t i = 0; i < b.transactions.size() && result; ++i) {
        const transaction& tx = b.transactions[i];
        const std::string where = "transaction " + std::to_string(i) + " (" + tx.transaction_id + "): ";
        if (tx.is_reward()) {
            if (i + 1 != b.transactions.size())
                result = fail(reject_reason::reward_not_last, where + "the reward must be last");
            else if (fees > u64_max - block_reward || tx.amount != block_reward + fees)
                result = fail(
                    reject_reason::bad_reward,
                    where + "the reward must be exactly " + std::to_string(block_reward) + " plus fees " +
                        std::to_string(fees)
                );
            else if (account& to = touch(tx.recipient, undo, seen); to.balance > u64_max - tx.amount)
                result =
                    fail(reject_reason::balance_overflow, where + "the recipient's balance would overflow");
            else
                to.balance += tx.amount;
            continue;
        }
        if (auto r = check(tx); !r) {
            result = fail(r.reason, where + r.detail);
            continue;
        }
        account& from = touch(tx.sender, undo, seen);
        from.balance -= tx.amount + tx.fee; // check() covered it
        ++from.next_nonce;
        account& to = touch(tx.recipient, undo, seen);
        if (to.balance > u64_max - tx.amount) {
            result = fail(reject_reason::balance_overflow, where + "the recipient's balance would overflow");
            continue;
        }
        to.balance += tx.amount;
        if (fees > u64_max - tx.fee)
            result = fail(reject_reason::balance_overflow, where + "the block's fees overflow");
        else
            fees += tx.fee;
    }
    if (result && (b.transactions.empty() || !b.transactions.back().is_reward()))
        result = fail(reject_reason::missing_reward, "the last transaction is not a reward");
    if (!result) {
        undo_block(undo);
        undo.clear();
    }
    return result;
}

void account_state::undo_block(const journal& undo)
{
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
        if (it->second == account{})
            accounts_.erase(it->first); // it did not exist before the block
        else
            accounts_[it->first] = it->second;
    }
}

validation_result
check_pending(const account_state& state, const mempool& pool, const transaction& tx, bool& conflict)
{
    conflict = false;
    const account a = state.get(tx.sender);
    const mempool::sender_queue* q = pool.queue_of(tx.sender);
    const std::uint64_t pending = q == nullptr ? 0 : q->by_nonce.size();
    const std::uint64_t outflow = q == nullptr ? 0 : q->outflow;
    const std::uint64_t next = a.next_nonce + pending;
    if (tx.nonce < a.next_nonce)
        return fail(
            reject_reason::nonce_reused,
            "nonce " + std::to_string(tx.nonce) + " is spent: the sender's next is " +
                std::to_string(a.next_nonce)
        );
    if (tx.nonce < next) {
        conflict = true;
        const auto taken = q->by_nonce.find(tx.nonce); // end() only if the queue has a gap
        return fail(
            reject_reason::nonce_reused,
            "nonce " + std::to_string(tx.nonce) + " is taken by pending transaction " +
                (taken == q->by_nonce.end() ? std::string("(unknown)") : taken->second->transaction_id) +
                ": the sender's next is " + std::to_string(next)
        );
    }
    if (tx.nonce > next)
        return fail(
            reject_reason::nonce_gap,
            "nonce " + std::to_string(tx.nonce) + " skips ahead: the sender's next is " + std::to_string(next)
        );
    // amount + fee is at most 10^15 (checked on its own); outflow never exceeds the balance.
    if (a.balance < outflow || a.balance - outflow < tx.amount + tx.fee)
        return fail(
            reject_reason::overdraft,
            "amount plus fee is " + std::to_string(tx.amount + tx.fee) + " but the sender holds " +
                std::to_string(a.balance) + " of which " + std::to_string(outflow) + " is pending"
        );
    return validation_result::success();
}

pool_room room_for(const mempool& pool, const transaction& tx)
{
    pool_room out;
    const mempool::sender_queue* own = pool.queue_of(tx.sender);
    if (const std::size_t cap = std::max<std::size_t>(16, pool.capacity() / 16);
        own != nullptr && own->by_nonce.size() >= cap) {
        out.refusal = fail(
            reject_reason::fee_too_low,
            "the sender has " + std::to_string(cap) + " transactions pending, the most one sender may"
        );
        return out;
    }
    if (!pool.full())
        return out;
    // Never the tail this transaction follows: that would leave it a gap.
    const transaction* cheapest = pool.cheapest_tail();
    if (cheapest != nullptr && cheapest->fee < tx.fee && cheapest->sender != tx.sender)
        out.evict = cheapest;
    else
        out.refusal = fail(
            reject_reason::fee_too_low,
            "the pool is full and its cheapest evictable fee is " +
                std::to_string(cheapest != nullptr ? cheapest->fee : 0)
        );
    return out;
}

validation_result evicted_by_fee()
{
    return fail(reject_reason::fee_too_low, "evicted from a full pool by a transaction paying a higher fee");
}

std::vector<std::pair<const transaction*, validation_result>>
stale_pending(const account_state& state, const mempool& pool, const std::unordered_set<std::string>& senders)
{
    std::vector<std::pair<const transaction*, validation_result>> out;
    for (const auto& sender : senders) {
        const mempool::sender_queue* q = pool.queue_of(sender);
        if (q == nullptr)
            continue;
        const account a = state.get(sender);
        std::uint64_t next = a.next_nonce;
        std::uint64_t left = a.balance;
        validation_result gap; // once failed, every later nonce follows a dropped one
        for (const auto& [nonce, tx] : q->by_nonce) {
            const std::uint64_t spend = tx->amount + tx->fee;
            if (nonce < a.next_nonce) {
                out.emplace_back(
                    tx,
                    fail(
                        reject_reason::nonce_reused,
                        "its nonce " + std::to_string(nonce) + " was spent by another transaction"
                    )
                );
            } else if (gap && nonce < next) { // a second pending transaction with one nonce
                out.emplace_back(
                    tx,
                    fail(
                        reject_reason::nonce_reused,
                        "another pending transaction has nonce " + std::to_string(nonce)
                    )
                );
            } else if (gap && nonce == next && left >= spend) {
                ++next;
                left -= spend;
            } else {
                if (gap)
                    gap = nonce > next ? fail(
                                             reject_reason::nonce_gap,
                                             "its nonce " + std::to_string(nonce) +
                                                 " no longer follows the sender's " + std::to_string(next)
                                         )
                                       : fail(
                                             reject_reason::overdraft,
                                             "the sender's balance no longer covers it (" +
                                                 std::to_string(left) + " left)"
                                         );
                out.emplace_back(tx, gap);
            }
        }
    }
    return out;
}

void collect_accounts(const block& b, std::unordered_set<std::string>& out)
{
    for (const auto& tx : b.transactions) {
        out.insert(tx.sender);
        out.insert(tx.recipient);
    }
}

} // namespace beastchain::core
