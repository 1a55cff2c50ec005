// The one channel through which core reports outward (storage, gossip, logs, metrics subscribe here).
#pragma once

#include <beastchain/core/block.hpp>
#include <beastchain/core/validation.hpp>

#include <span>

namespace beastchain::core {

struct chain_entry;

/**
 * Receives ledger events. Callbacks run synchronously on the thread that changed the ledger
 * (the node's strand), after the change is complete; they must not call back into the ledger.
 */
class ledger_observer
{
public:
    virtual ~ledger_observer() = default;

    /// A transaction was accepted into the pending pool.
    virtual void on_transaction_accepted(const transaction&) {}
    /// A block was appended to the best chain.
    virtual void on_block_connected(const chain_entry&) {}
    /// The best chain was replaced; `fork_index` is the first index that changed.
    virtual void on_chain_replaced(std::size_t /*fork_index*/, std::span<const block> /*abandoned*/) {}
    /// A pending transaction of a signed chain left the pool unconfirmed: a chain change made it
    /// invalid (conflicted), or a higher fee evicted it from a full pool.
    virtual void
    on_transaction_dropped(const transaction&, const validation_result& /*why*/, bool /*evicted*/)
    {}
};

} // namespace beastchain::core
