// Account state of a signed chain: a balance and a next nonce per address, changed only by whole
// blocks, each change journaled so a chain switch can take blocks back off.
#pragma once

#include <beastchain/core/block.hpp>
#include <beastchain/core/mempool.hpp>
#include <beastchain/core/validation.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace beastchain::core {

struct account
{
    std::uint64_t balance = 0;
    std::uint64_t next_nonce = 0; ///< the nonce the sender's next transaction must carry

    friend bool operator==(const account&, const account&) = default;
};

/**
 * Balances and nonces. A transaction is valid against the state only if its nonce is the
 * sender's next one (not reused, no gap) and the balance covers amount plus fee; applying it
 * moves the amount, leaves the fee for the block's miner and advances the nonce. No sum wraps:
 * every addition that could is checked and refused instead.
 *
 * @par Thread Safety
 * None: it belongs to the ledger, on its strand.
 */
class account_state
{
public:
    /// The account at `address` (all zero when it never received anything).
    account get(const std::string& address) const;
    std::size_t size() const noexcept { return accounts_.size(); }

    /// Whether `tx` (already checked on its own) can be applied now.
    validation_result check(const transaction& tx) const;

    /// What one block changed: every account's value before the block, in the order first touched.
    using journal = std::vector<std::pair<std::string, account>>;

    /// Applies a block's transactions in order, then its reward, which must be exactly
    /// `block_reward` plus the fees. All or nothing: on failure the state is as before and the
    /// result names the rule and the transaction. `undo` receives what undo_block needs.
    validation_result apply_block(const block& b, std::uint64_t block_reward, journal& undo);

    /// Takes a block back off, given its journal (blocks are undone newest first).
    void undo_block(const journal& undo);

private:
    account& touch(const std::string& address, journal& undo, std::unordered_set<std::string_view>& seen);

    std::unordered_map<std::string, account> accounts_;
};

/// Whether a signed transaction (already checked on its own) can join the pending set on top of
/// `state`: its nonce is the sender's next after what is pending, and the balance covers every
/// pending spend of the sender plus this one. `conflict` is set when the nonce is taken by a
/// pending transaction, which is a conflict (409) rather than a malformed request.
validation_result
check_pending(const account_state& state, const mempool& pool, const transaction& tx, bool& conflict);

/// Whether a signed transaction that passed check_pending has room in the pool: refused when
/// its sender already holds a 16th of the pool (only a sender's last nonce can be evicted, so one
/// long queue of low fees behind a high one could otherwise hold it), and in a full pool unless
/// it pays more than the cheapest last-nonce transaction of another sender, which it evicts.
struct pool_room
{
    validation_result refusal;          ///< failed: no room (fee_too_low, and why)
    const transaction* evict = nullptr; ///< to take out first
};
pool_room room_for(const mempool& pool, const transaction& tx);

/// Why an evicted transaction left the pool.
validation_result evicted_by_fee();

/// The pending signed transactions of `senders` that no longer fit `state` (their nonce was
/// spent, or a gap or an overdraft follows a change of chain), with the rule each broke. Each
/// sender's queue is walked in nonce order: everything behind the first misfit goes too.
std::vector<std::pair<const transaction*, validation_result>> stale_pending(
    const account_state& state, const mempool& pool, const std::unordered_set<std::string>& senders
);

/// Senders and recipients of `b`'s transactions: the accounts a block changes.
void collect_accounts(const block& b, std::unordered_set<std::string>& out);

} // namespace beastchain::core
