// The chain's one owner: strand, ledger, data directory, identity and serialized-chain cache.
#pragma once

#include <beastchain/core/ledger.hpp>
#include <beastchain/node/config.hpp>
#include <beastchain/node/outcomes.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain_text.hpp"
#include "strand_ops.hpp"

namespace beastchain::node {

/// What a strand operation wrote to storage: the sequence number to wait for, or a refusal.
struct durability_ticket
{
    std::uint64_t seq = 0; ///< 0: nothing was written
    bool refused = false;  ///< storage is failed: the change was not kept
};

/// What chain_state publishes after each change, on the strand. `origin` names the peer the
/// change came from (empty: this node), so relay can skip it. Handlers may read chain_state and
/// call its operations; they run after the ledger call that caused them has returned.
class chain_events
{
public:
    virtual ~chain_events() = default;
    virtual void on_transaction_accepted(const core::transaction&, const std::string& /*origin*/) {}
    /// The best chain grew by `e` (a mined, pushed or replayed-from-nowhere block).
    virtual void on_block_connected(const core::chain_entry& /*e*/, const std::string& /*origin*/) {}
    /// The best chain was replaced from `fork_index` on.
    virtual void on_chain_replaced(std::size_t /*fork_index*/, const std::string& /*origin*/) {}
    /// Storage recovery rebuilt the state from the log; `records` are its non-chain records
    /// (peers), in log order.
    virtual void on_state_reloaded(const std::vector<storage::record>& /*records*/) {}
};

/**
 * Owns the strand and everything behind it that is the chain: the ledger (best chain and pending
 * pool), the data directory, the node's identity and the serialized-chain cache. It writes a
 * record for every ledger change, hands out durability tickets, replays the log at start and
 * after a failed write, and publishes chain_events. It calls no other service.
 *
 * @par Thread Safety
 * Construction runs on the loader thread. After that, everything but `strand()`, `address()` and
 * `settings()` is called on the strand only.
 */
class chain_state final : core::ledger_observer
{
public:
    /// Opens and replays the data directory (unless in-memory). Throws storage::storage_error.
    chain_state(asio::io_context& ioc, const config& cfg);
    ~chain_state() override;
    chain_state(const chain_state&) = delete;
    chain_state& operator=(const chain_state&) = delete;

    const chain_strand& strand() const noexcept { return strand_; }
    const config& settings() const noexcept { return cfg_; }
    const std::string& address() const noexcept { return address_; }
    void subscribe(chain_events& listener) { listeners_.push_back(&listener); }
    /// The peer records the start-up replay found (once; later reloads publish them).
    std::vector<storage::record> take_peer_records() { return std::exchange(peer_records_, {}); }

    // ---- on the strand ----------------------------------------------------------------------
    const core::ledger& ledger() const noexcept { return ledger_; }
    bool writable() const noexcept { return !store_ || !store_->failed(); }

    /// A client's transaction: accepted (and published) or refused with the reason.
    core::ledger::accept_result accept(core::transaction tx, const std::string& origin);
    /// A block on our tip (mined here or pushed by `origin`).
    core::validation_result connect(core::block b, const std::string& origin);
    core::ledger::adopt_result
    adopt(core::chain_suffix suffix, core::validation_result* why, const std::string& origin);
    core::block make_template(std::uint32_t difficulty, std::uint64_t now_ms) const;
    /// On an ASERT chain, core::check_block_timing of `header` (its target and timestamp) when its
    /// parent is on our chain at its height; nullopt otherwise (another rule, or a parent we do not
    /// hold). Only the header's fields are read.
    std::optional<core::validation_result> check_timing(const core::block& header) const;

    /// Pending transactions dropped since start (not those a replay finds again), for /metrics.
    struct drop_counts
    {
        std::uint64_t conflicted = 0;
        std::uint64_t evicted = 0;
    };
    const drop_counts& dropped() const noexcept { return dropped_; }

    /// A record that is not the chain's (peers), kept with the same durability.
    void write(const storage::record& r);
    /// The writes of the operation that just ran on the strand.
    durability_ticket take_ticket() { return std::exchange(pending_ticket_, {}); }
    /// Calls `done(ok)` (on any thread) once the ticket's writes are durable or have failed.
    void when_durable(durability_ticket t, std::function<void(bool)> done);
    /// Resumes the awaiting coroutine once the ticket is durable (true) or failed (false).
    asio::awaitable<bool> wait_durable(durability_ticket t);

    /// Block `i` of the best chain as JSON, from the per-block cache.
    const std::string& entry_json(std::size_t i);
    /// The best chain's blocks, shared text joined by commas (the inside of `/chain`'s array).
    std::shared_ptr<const net::joined_text> chain_array();
    /// A `/blocks` page; nullopt when no locator block is on our chain.
    std::optional<net::reply_body::value_type> blocks_page(const blocks_query& q);
    /// A `/headers` page (the same query); nullopt when no locator block is on our chain.
    std::optional<std::string> headers_page(const blocks_query& q);

    /// Where transaction `id` stands, dated by the tip's height.
    transaction_status find_transaction(const std::string& id) const;
    /// An account at the tip and what it has pending.
    account_status find_account(const std::string& address) const;

    storage::store::stats storage_statistics() const;

private:
    /// "GENESIS_HEX NAME": the chain_identity record this node writes and expects.
    std::string chain_identity_text() const;
    struct pending_event
    {
        enum class kind
        {
            transaction,
            block,
            replaced
        };
        kind what;
        core::transaction tx;  ///< transaction
        std::size_t index = 0; ///< block: its height; replaced: the fork index
    };

    void load_state(std::vector<storage::record> records);
    void write_record(const storage::record& r);
    void publish(const std::string& origin);
    void schedule_recovery();
    /// The ticket's answer when it needs no wait (refused, in memory, nothing written), else nothing.
    std::optional<bool> settled(durability_ticket t);

    void on_transaction_accepted(const core::transaction& tx) override;
    void on_block_connected(const core::chain_entry& e) override;
    void on_chain_replaced(std::size_t fork_index, std::span<const core::block>) override;
    void on_transaction_dropped(const core::transaction& tx, const core::validation_result& why, bool evicted)
        override;

    const config& cfg_;
    chain_strand strand_;
    std::string address_; ///< set once at start-up, read-only afterwards
    /// Signed chains without --mining-address: the address of the node's key (node-key.json).
    std::string reward_address_;
    core::ledger ledger_;
    std::unique_ptr<storage::store> store_; ///< null when --in-memory
    std::vector<chain_events*> listeners_;
    std::vector<storage::record> peer_records_;
    std::vector<pending_event> events_; ///< what the ledger call in progress changed
    bool replaying_ = false;
    drop_counts dropped_;
    bool chain_recorded_ = false; ///< the log holds this node's chain_identity record
    durability_ticket pending_ticket_;
    chain_text text_; ///< serialized views of the best chain
};

} // namespace beastchain::node
