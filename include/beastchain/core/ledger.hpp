// The ledger: best chain plus pending pool, and the state transitions that must keep them consistent.
#pragma once

#include <beastchain/core/accounts.hpp>
#include <beastchain/core/chain.hpp>
#include <beastchain/core/mempool.hpp>
#include <beastchain/core/observer.hpp>

#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace beastchain::core {

/**
 * Owns the best chain and the pending pool and is the only code that changes them, so that the
 * invariant "every accepted transaction is either pending or in the best chain, exactly once"
 * lives in one place.
 *
 * @par Thread Safety
 * None: the node confines it to one strand.
 */
class ledger
{
public:
    ledger(consensus_params params, std::size_t mempool_capacity, ledger_observer* observer = nullptr);

    const chain& best_chain() const noexcept { return chain_; }
    const mempool& pending() const noexcept { return pool_; }
    /// Balances and nonces at the tip (empty unless the chain is signed).
    const account_state& accounts() const noexcept { return accounts_; }

    enum class accept_status
    {
        accepted,
        invalid,
        duplicate, ///< already pending or already in the chain
        pool_full,
        conflict, ///< signed: its nonce is taken by another pending transaction
    };
    struct accept_result
    {
        accept_status status = accept_status::accepted;
        validation_result detail;
    };

    /// Where a transaction is: pending, confirmed in a block of the best chain, or unknown here.
    struct transaction_lookup
    {
        enum class state
        {
            unknown,
            pending,
            confirmed,
            dropped, ///< signed chains: left the pool unconfirmed, see `why`
        };
        state where = state::unknown;
        transaction tx;                ///< unless unknown
        std::uint64_t block_index = 0; ///< when confirmed
        validation_result why;         ///< when dropped
        bool evicted = false;          ///< when dropped: by a higher fee, not by a conflict
    };
    transaction_lookup find_transaction(const std::string& id) const;

    /// Accepts a well-formed, non-reward transaction into the pending pool. On a signed chain it
    /// must also be signed for this chain, take the sender's next nonce after its pending ones,
    /// and fit its balance less what is pending; a full pool then evicts the lowest fee when
    /// this one pays more.
    accept_result accept_transaction(transaction tx);

    /// The block a miner should work on: pending transactions as mempool::select orders them (up
    /// to the block limit) followed by the reward to `miner_address`, which adds their fees. Its
    /// timestamp is `now_ms` unless that breaks the timestamp rule (then the earliest it allows);
    /// its difficulty is `difficulty` on chains of the minimum rule, the required target on ASERT.
    block
    make_block_template(std::string_view miner_address, std::uint32_t difficulty, std::uint64_t now_ms) const;

    /// Appends a block at the tip after checking every rule; its transactions leave the pool.
    validation_result connect_block(block b, std::uint64_t now_ms);

    struct adopt_result
    {
        bool switched = false;
        std::size_t fork_index = 0;
        std::size_t abandoned_blocks = 0;
        std::size_t returned_to_pending = 0;
        /// Transactions of abandoned blocks that this node never acknowledged (it saw them only
        /// inside those blocks) and that did not fit under the pool's capacity.
        std::size_t dropped_unacknowledged = 0;
    };

    /// Switches to `suffix` (blocks hanging off our chain, what incremental sync fetches) if the
    /// chain it makes has strictly more cumulative work than the best chain. Pending transactions
    /// the new chain confirms leave the pool; transactions of abandoned blocks that the new chain
    /// lacks return to it. What gives way at the pool's capacity: transactions this node
    /// acknowledged always return (they may take the pool over its capacity, which then refuses
    /// new ones until mining drains it); the others return only while there is room. A suffix
    /// that fails chain::check_suffix is refused with `rejected` set and nothing changed.
    adopt_result adopt_suffix_if_more_work(chain_suffix&& suffix, validation_result* rejected = nullptr);

    // ---- Replay from the node's own storage ------------------------------------------------
    // These re-apply changes this ledger already validated when it made them. The log is
    // checksummed, so by default they trust the stored hashes; `reverify` re-runs every rule.

    /// Re-adds a transaction accepted before a restart (unless the chain already holds it).
    void replay_transaction(transaction tx);

    /// Re-appends a block connected before a restart.
    validation_result replay_block(block b, const hash256& hash, bool reverify, std::uint64_t now_ms);

    /// Re-applies a chain switch: our first `fork_index` blocks, then `suffix`.
    validation_result replay_chain_switch(
        std::size_t fork_index,
        std::vector<std::pair<block, hash256>> suffix,
        bool reverify,
        std::uint64_t now_ms
    );

    /// Re-applies an eviction (signed chains): the transaction leaves the pool again.
    void replay_eviction(const std::string& id);

    /// After a replay (signed chains): re-checks every pending transaction against the state
    /// and trims a pool left over its capacity by fee, as accept would have.
    void finish_replay();

private:
    /// Applies a block's transfers to the account state (signed chains) and keeps its journal.
    validation_result apply_accounts(const block& b);
    /// Moves the account state from our blocks after the suffix's fork to the suffix's; all or nothing.
    validation_result switch_accounts(const chain_suffix& suffix);
    /// Drops what the chain's latest change made invalid among the pending transactions of `touched`.
    void drop_stale(const std::unordered_set<std::string>& touched);
    /// Takes a pending transaction out of the pool, remembers why, and tells the observer.
    void drop(const transaction& pending, validation_result why, bool evicted);

    /// Marks, for a block about to join the best chain, which of its transactions this node had
    /// acknowledged (pending here, or acknowledged in a block being abandoned), and takes them
    /// out of the pool.
    std::vector<bool> take_confirmed(const block& b, const std::unordered_set<std::string>& ours_abandoned);

    chain chain_;
    mempool pool_;
    ledger_observer* observer_;
    /// Parallel to the best chain's entries: which transactions of each block this node acknowledged.
    std::vector<std::vector<bool>> acknowledged_;
    account_state accounts_;
    /// Parallel to the best chain's entries on a signed chain: what each block changed.
    std::vector<account_state::journal> journals_;
    /// The latest dropped transactions, so a client polling one learns why; bounded.
    struct dropped_entry
    {
        transaction tx;
        validation_result why;
        bool evicted = false;
    };
    std::unordered_map<std::string, dropped_entry> dropped_;
    std::deque<std::string> dropped_order_;
};

} // namespace beastchain::core
