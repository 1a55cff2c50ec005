// The explorer's data behind the chain strand: the history index, the event stream, and the
// JSON views that the page and scripts read.
#pragma once

#include <beastchain/core/history_index.hpp>
#include <beastchain/net/event_hub.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "chain_state.hpp"

namespace beastchain::node {

/// A page of an address's history: the newest `limit` after skipping `offset`.
struct history_query
{
    std::string address;
    std::size_t offset = 0;
    std::size_t limit = 25;
};

/**
 * Follows the best chain as a chain_events listener: keeps core::history_index in step (block
 * hashes, each address's transactions) and publishes every change to the event hub as one
 * event (`block`, `switch`, `transaction`). Transaction events are capped per second, so a
 * load test cannot turn every stream into a copy of the write load; the ones left out are
 * counted in the next one's `skipped`.
 *
 * @par Thread Safety
 * The listener callbacks and the index run on the chain strand; the awaitable reads go there
 * and back. `events()` is thread-safe.
 */
class explorer_service final : public chain_events
{
public:
    /// Builds the index from the chain as loaded (on the loader thread, before the strand runs).
    explicit explorer_service(chain_state& chain);

    net::event_hub& events() noexcept { return hub_; }
    /// Ends every stream (shutdown).
    void close() { hub_.close(); }

    /// One block by its hash, as /blocks/{height} serves it; nullopt off the best chain.
    asio::awaitable<std::optional<std::string>> block_by_hash(core::hash256 hash);
    /// `{"address":..., "transactions":[...], "total":N, "received":..., "sent":..., ...}`.
    asio::awaitable<std::string> address_json(history_query q);
    /// What `q` names, tried in order: a height, a block hash, a transaction id, an address
    /// this chain has seen (or, on a signed chain, any valid one):
    /// `{"kind":"block"|"transaction"|"address"|"none","id":...,"query":q}`.
    asio::awaitable<std::string> search_json(std::string q);
    /// The newest `limit` confirmed transactions, newest first, and the newest pending ones.
    asio::awaitable<std::string> recent_json(std::size_t limit);
    /// Pending pool: count, capacity, the oldest and newest `limit` entries.
    asio::awaitable<std::string> mempool_json(std::size_t limit);

    /// Transaction events per second beyond which they are counted, not sent.
    static constexpr double transaction_events_per_second = 50;

    // chain_events, on the strand.
    void on_transaction_accepted(const core::transaction& tx, const std::string& origin) override;
    void on_block_connected(const core::chain_entry& e, const std::string& origin) override;
    void on_chain_replaced(std::size_t fork_index, const std::string& origin) override;
    void on_state_reloaded(const std::vector<storage::record>& records) override;

private:
    void rebuild();
    /// search_json's answer on the strand: the kind and id `q` names, or {"none", null}.
    std::pair<std::string_view, boost::json::value> search(const std::string& q) const;

    chain_state& chain_;
    core::history_index index_;
    net::event_hub hub_;
    double tokens_ = transaction_events_per_second;
    std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
    std::uint64_t skipped_ = 0; ///< transaction events left out since the last one sent
};

} // namespace beastchain::node
