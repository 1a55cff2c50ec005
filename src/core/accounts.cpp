// Balances and nonces: checked transfers, the reward with its fees, and journaled undo.
#include <beastchain/core/accounts.hpp>

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

} // namespace beastchain::core
