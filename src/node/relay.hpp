// Relay: one bounded outbox per peer (blocks, transactions, an inventory of dropped ids) and the
// coroutine that drains it.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/node/metrics.hpp>
#include <beastchain/node/outcomes.hpp>

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain_state.hpp"

namespace beastchain::node {

class peer_service;

/**
 * What is waiting to go to each peer, and the one coroutine per peer that sends it: blocks
 * first, then transactions in batches, then ids of transactions that fell out of a full queue
 * (POST /inventory, and the ones the peer lacks). Bounded per peer, so a slow peer only ever
 * delays itself. Membership, back-off and bans are peer_service's; relay asks it.
 *
 * @par Thread Safety
 * Everything runs on the chain strand, the drain coroutines included.
 */
class relay
{
public:
    relay(chain_state& chain, metrics& stats, peer_service& peers);

    void stop() noexcept { stopped_ = true; }
    /// To every peer but `origin`.
    void transaction(const core::transaction& tx, const std::string& origin);
    void block(std::size_t index, const std::string& origin);
    /// Our tip to one peer that is behind, once per tip.
    void push_tip(const std::string& peer);
    /// A peer removed or banned: its idle outbox and the tip it was pushed go.
    void forget(const std::string& peer);
    /// The state was reloaded: every tip may be pushed again.
    void reset_pushed_tips() { pushed_tips_.clear(); }
    /// Its queue lengths, for /nodes.
    void describe(const std::string& peer, peer_view& v) const;

private:
    struct outbox
    {
        std::deque<core::transaction> txs;
        std::deque<std::string> blocks; ///< serialized blocks, newest last
        /// Ids of transactions that fell out of a full `txs`, announced later with POST
        /// /inventory so a burst larger than --relay-queue still reaches the peer. 32 bytes
        /// each, at most 4 x --relay-queue (and at least 1,000).
        std::deque<core::hash256> inventory;
        bool sending = false; ///< a drain coroutine owns the queue
        std::uint64_t dropped = 0;
    };
    /// The next request a peer's drain coroutine should make.
    struct outbound
    {
        enum class kind
        {
            stop, ///< nothing queued (or the peer is gone or banned): the coroutine ends
            wait, ///< the peer is backing off
            send
        };
        kind what = kind::stop;
        std::uint64_t wait_ms = 0;
        std::string block;                  ///< a serialized block to push, or
        std::vector<core::transaction> txs; ///< a batch to relay, or
        std::vector<std::string> inventory; ///< ids to announce
    };

    template <class Item>
    void enqueue_for_peers(
        std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item, const std::string& origin
    );
    template <class Item>
    void enqueue(
        const net::peer_url& peer, std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item
    );
    void wake_outbox(const net::peer_url& peer, outbox& box);
    outbound next_outbound(const std::string& peer);
    asio::awaitable<void> drain_outbox(net::peer_url peer);
    /// POST /inventory, then the transactions the peer named (still pending) in one batch.
    asio::awaitable<net::peer_result> send_inventory(const net::peer_url& peer, std::vector<std::string> ids);

    chain_state& chain_;
    metrics& stats_;
    peer_service& peers_;
    const config& cfg_;
    std::unordered_map<std::string, outbox> outboxes_;
    std::unordered_map<std::string, core::hash256> pushed_tips_; ///< the tip push_tip last sent each peer
    bool stopped_ = false;
};

} // namespace beastchain::node
