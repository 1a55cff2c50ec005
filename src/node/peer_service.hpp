// Who the node's peers are and what is on its way to them: membership, bans, relay, announcements.
#pragma once

#include <beastchain/net/peer_client.hpp>
#include <beastchain/node/metrics.hpp>
#include <beastchain/node/peer_table.hpp>

#include <functional>
#include <unordered_set>

#include "chain_state.hpp"
#include "relay.hpp"

namespace beastchain::node {

/**
 * Owns the peer table (back-off, bans, announced versus operator peers, eviction), our
 * announcements, and the relay that sends what chain_state publishes to every peer but the one
 * it came from.
 *
 * @par Thread Safety
 * Everything runs on the chain strand, the relay and announcement coroutines included (they are
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
    void notify_link()
    {
        if (link_)
            link_();
    }

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
    void load(const std::vector<storage::record>& records);
    peer_table::add_result add_peer(const net::peer_url& peer, bool announced);
    void forget_peer(const std::string& peer, const std::string& why);

    void announce_to(const net::peer_url& peer);
    asio::awaitable<void> send_announcement(net::peer_url peer, std::string self);

    chain_state& chain_;
    const config& cfg_;
    peer_table peers_;
    relay relay_; ///< the outboxes; it asks this service about membership and back-off
    std::unordered_set<std::string> unannounced_; ///< peers we have not yet told our address
    std::function<void()> link_;                  ///< see on_link
    std::string advertise_;                       ///< our announced address; empty: do not announce
    bool stopped_ = false;
};

} // namespace beastchain::node
