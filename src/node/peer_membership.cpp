// Who the node's peers are: adding (operator's before announced), back-off and bans, eviction.
#include "node_impl.hpp"

namespace beastchain::node {

void node::impl::note_contact(
    const std::string& peer, bool ok, const std::string& error, bool ban, bool not_a_peer
)
{
    const std::uint64_t now = now_ms();
    if (ban) {
        peers_.ban(peer, now, cfg.ban_seconds, error);
        log::warning("banned peer " + peer + " for " + std::to_string(cfg.ban_seconds) + " s: " + error);
        return;
    }
    if (ok) {
        peers_.succeeded(peer, now);
        return;
    }
    const peer_info* before = peers_.find(peer);
    if (before == nullptr)
        return; // evicted while the exchange ran
    const bool first = before->failures == 0;
    peers_.failed(peer, now, error);
    const peer_info* after = peers_.find(peer);
    // An address someone announced to us costs a slot only while it works: evicting it is cheap,
    // as a real peer announces itself again when it restarts.
    if (after->announced && (not_a_peer || peers_.should_evict(*after))) {
        forget_peer(
            peer,
            not_a_peer ? "it announced itself but does not answer as a beastchain peer (" + error + ")"
                       : "it announced itself but failed " + std::to_string(after->failures) +
                             " times in a row (" + error + ")"
        );
        return;
    }
    // One line when a peer goes bad; repeats are debug noise.
    if (first)
        log::warning("peer " + peer + " failed: " + error + "; backing off");
    else
        log::debug("peer " + peer + " failed again: " + error);
}

peer_table::add_result node::impl::add_peer(const net::peer_url& peer, bool announced)
{
    const peer_info* known = peers_.find(peer.normalized);
    const bool promoted = known != nullptr && known->announced && !announced;
    std::string evicted;
    const auto result = peers_.add(peer, now_ms(), announced, &evicted);
    if (!evicted.empty()) {
        // The table already dropped it; this clears its queues and logs the removal first, so a
        // replay frees the slot before it adds the new peer.
        forget_peer(evicted, "an operator's peer " + peer.normalized + " needed its slot");
    }
    if (result == peer_table::add_result::added || promoted) {
        storage::record r;
        r.type = announced ? storage::record_type::peer_announced : storage::record_type::peer_added;
        r.text = peer.normalized;
        write_record(r);
    }
    return result;
}

void node::impl::forget_peer(const std::string& peer, const std::string& why)
{
    peers_.remove(peer);
    if (const auto it = outboxes_.find(peer); it != outboxes_.end() && !it->second.sending)
        outboxes_.erase(it); // a running drain sees the peer gone and clears its queue itself
    unannounced_.erase(peer);
    orphan_sync_at_.erase(peer);
    storage::record r;
    r.type = storage::record_type::peer_removed;
    r.text = peer;
    write_record(r);
    log::warning("removed peer " + peer + ": " + why);
}

} // namespace beastchain::node
