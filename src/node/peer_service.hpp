// Who the node's peers are and what is on its way to them: membership, bans, relay, announcements.
#pragma once

#include <beastchain/net/peer_client.hpp>
#include <beastchain/node/metrics.hpp>
#include <beastchain/node/peer_table.hpp>

#include <deque>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "chain_state.hpp"

namespace beastchain::node {

/**
 * Owns the peer table (back-off, bans, announced versus operator peers, eviction), one bounded
 * outbox per peer with the coroutine that drains it, and our announcements. It relays what
 * chain_state publishes to every peer but the one it came from.
 *
 * @par Thread Safety
 * Everything runs on the chain strand, the drain and announcement coroutines included (they are
 * spawned there), so no member is ever touched from another thread.
 */
class peer_service final : public chain_events
{
public:
    peer_service(chain_state& chain, metrics& stats);

    /// Adds the --peer peers, announces us to every peer and keeps `advertise` as our address.
    void start(std::string advertise);
    void stop();
    /// Announces us again to the peers a failed announcement left out (background sync's tick).
    void retry_announcements();

    /// Adds a peer (persisted) and, when it is new, announces us to it. The caller waits for
    /// the ticket chain_state hands out after this.
    node_result<register_outcome> register_peer(const net::peer_url& peer, bool announced);

    /// Called on a new link (a peer added in either direction, or one answering again after
    /// failures): the node exchanges status with its peers at once rather than at the next timer.
    void on_link(std::function<void()> handler) { link_ = std::move(handler); }

    /// Records how an exchange with a peer went: success, failure (back-off) or ban. An announced
    /// peer that keeps failing, or that answered as something other than a beastchain peer
    /// (`not_a_peer`), is evicted. Returns true when a failing peer answered again.
    bool note_contact(
        const std::string& peer, bool ok, const std::string& error, bool ban, bool not_a_peer = false
    );

    const peer_table& table() const noexcept { return peers_; }
    bool is_peer(const std::string& normalized) const { return peers_.find(normalized) != nullptr; }
    const std::string& advertised() const noexcept { return advertise_; }
    /// Pushes our tip to a peer that has less work (once per tip), so it syncs with us now.
    void push_tip(const std::string& peer);
    std::vector<peer_view> views() const;

    void on_transaction_accepted(const core::transaction& tx, const std::string& origin) override;
    void on_block_connected(const core::chain_entry& e, const std::string& origin) override;
    void on_chain_replaced(std::size_t fork_index, const std::string& origin) override;
    void on_state_reloaded(const std::vector<storage::record>& records) override;

private:
    /// What is waiting to go to one peer. Bounded: a slow peer only ever delays itself.
    struct outbox
    {
        std::deque<core::transaction> txs;
        std::deque<std::string> blocks; ///< serialized blocks, newest last
        /// Ids of transactions that fell out of a full `txs`, announced later with POST
        /// /inventory so a burst larger than --relay-queue still reaches the peer. 32 bytes
        /// each, at most --max-pending (an id no longer pending is not worth announcing).
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

    void load(const std::vector<storage::record>& records);
    peer_table::add_result add_peer(const net::peer_url& peer, bool announced);
    void forget_peer(const std::string& peer, const std::string& why);

    template <class Item>
    void enqueue_for_peers(
        std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item, const std::string& origin
    );
    void relay_block(std::size_t index, const std::string& origin);
    template <class Item>
    void enqueue(
        const net::peer_url& peer, std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item
    );
    void wake_outbox(const net::peer_url& peer, outbox& box);
    outbound next_outbound(const std::string& peer);
    asio::awaitable<void> drain_outbox(net::peer_url peer);
    /// POST /inventory, then the transactions the peer named (still pending) in one batch.
    asio::awaitable<net::peer_result> send_inventory(const net::peer_url& peer, std::vector<std::string> ids);
    void announce_to(const net::peer_url& peer);
    asio::awaitable<void> send_announcement(net::peer_url peer, std::string self);

    chain_state& chain_;
    metrics& stats_;
    const config& cfg_;
    peer_table peers_;
    std::unordered_map<std::string, outbox> outboxes_;
    std::unordered_set<std::string> unannounced_;                ///< peers we have not yet told our address
    std::unordered_map<std::string, core::hash256> pushed_tips_; ///< the tip push_tip last sent each peer
    std::function<void()> link_;                                 ///< see on_link
    std::string advertise_; ///< our announced address; empty: do not announce
    bool stopped_ = false;
};

} // namespace beastchain::node
