// peer_service: membership (operator's before announced), bans and back-off, announcements.
#include "peer_service.hpp"

#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/asio/detached.hpp>

#include "peer_calls.hpp"

namespace beastchain::node {

peer_service::peer_service(chain_state& chain, metrics& stats)
    : chain_(chain)
    , cfg_(chain.settings())
    , peers_(cfg_.max_peers)
    , relay_(chain, stats, *this)
{
    load(chain_.take_peer_records());
}

void peer_service::load(const std::vector<storage::record>& records)
{
    peers_ = peer_table(cfg_.max_peers);
    const std::uint64_t now = now_ms();
    for (const auto& r : records) {
        if (r.type == storage::record_type::peer_removed) {
            peers_.remove(r.text);
            continue;
        }
        std::string why;
        if (auto p = net::parse_peer_url(r.text, why)) {
            p->public_only = r.type == storage::record_type::peer_announced_public;
            peers_.add(std::move(*p), now, r.type != storage::record_type::peer_added);
        }
    }
}

void peer_service::on_state_reloaded(const std::vector<storage::record>& records)
{
    load(records); // outboxes of peers no longer listed are cleared by their drain
    relay_.reset_pushed_tips();
}

void peer_service::start(std::string advertise)
{
    if (stopped_)
        return;
    advertise_ = std::move(advertise);
    for (const auto& text : cfg_.bootstrap_peers) {
        std::string why;
        auto url = net::parse_peer_url(text, why);
        if (!url || url->normalized == advertise_)
            continue;
        // An operator's peer: it takes an announced peer's slot if the table is full.
        if (add_peer(*url, false) == peer_table::add_result::full)
            log::warning(
                "--peer " + url->normalized +
                " skipped: the peer table is full of peers the operator registered (raise --max-peers)"
            );
    }
    chain_.take_ticket(); // nobody waits for these: a lost --peer record is re-added next start
    for (const auto& p : peers_.all())
        announce_to(p.url);
}

void peer_service::stop()
{
    stopped_ = true;
    relay_.stop();
}

// ---- membership ------------------------------------------------------------------------------

node_result<register_outcome> peer_service::register_peer(const net::peer_url& peer, bool announced)
{
    register_outcome out;
    const peer_info* known = peers_.find(peer.normalized);
    if (peer.normalized == advertise_)
        return node_error{node_errc::own_address, "address is this node's own address", "address"};
    if (known == nullptr || (known->announced && !announced)) {
        if (!chain_.writable())
            return node_error{node_errc::storage_unavailable, {}};
        if (add_peer(peer, announced) == peer_table::add_result::full)
            return node_error{node_errc::peer_limit, "this node already has its maximum number of peers"};
        if (known == nullptr) {
            log::info(
                std::string(announced ? "peer announced itself: " : "registered peer ") + peer.normalized
            );
            out.added = true;
            // Make the link two-way, and compare chains now: whichever side has less work
            // catches up within a round trip, not at the next background sync.
            announce_to(peer);
            notify_link();
        }
    }
    for (const auto& p : peers_.all())
        out.nodes.push_back(p.url.normalized);
    return out;
}

bool peer_service::note_contact(
    const std::string& peer, bool ok, const std::string& error, bool ban, bool not_a_peer
)
{
    const std::uint64_t now = now_ms();
    if (ban) {
        peers_.ban(peer, now, cfg_.ban_seconds, error);
        relay_.forget(peer);
        log::warning("banned peer " + peer + " for " + std::to_string(cfg_.ban_seconds) + " s: " + error);
        return false;
    }
    const peer_info* before = peers_.find(peer);
    if (before == nullptr)
        return false; // evicted while the exchange ran
    if (ok) {
        const bool recovered = before->failures > 0;
        peers_.succeeded(peer, now);
        if (recovered)
            log::info("peer " + peer + " answers again");
        return recovered;
    }
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
        return false;
    }
    // One line when a peer goes bad; repeats are debug noise.
    if (first)
        log::warning("peer " + peer + " failed: " + error + "; backing off");
    else
        log::debug("peer " + peer + " failed again: " + error);
    return false;
}

peer_table::add_result peer_service::add_peer(const net::peer_url& peer, bool announced)
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
        r.type = !announced         ? storage::record_type::peer_added
                 : peer.public_only ? storage::record_type::peer_announced_public
                                    : storage::record_type::peer_announced;
        r.text = peer.normalized;
        chain_.write(r);
    }
    return result;
}

void peer_service::forget_peer(const std::string& peer, const std::string& why)
{
    peers_.remove(peer);
    relay_.forget(peer);
    unannounced_.erase(peer);
    storage::record r;
    r.type = storage::record_type::peer_removed;
    r.text = peer;
    chain_.write(r);
    log::warning("removed peer " + peer + ": " + why);
}

std::vector<peer_view> peer_service::views() const
{
    std::vector<peer_view> out;
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.all()) {
        peer_view v;
        v.address = p.url.normalized;
        v.state = peers_.state(p, now);
        v.last_seen_ms = p.last_seen_ms;
        v.failures = p.failures;
        v.retry_at_ms = p.retry_at_ms > now ? p.retry_at_ms : 0;
        v.banned_until_ms = peers_.banned(p, now) ? p.banned_until_ms : 0;
        v.last_error = p.last_error;
        relay_.describe(v.address, v);
        out.push_back(std::move(v));
    }
    return out;
}

// ---- relay -----------------------------------------------------------------------------------

void peer_service::on_transaction_accepted(const core::transaction& tx, const std::string& origin)
{
    relay_.transaction(tx, origin);
}

void peer_service::on_block_connected(const core::chain_entry& e, const std::string& origin)
{
    relay_.block(e.blk.index, origin);
}

void peer_service::on_chain_replaced(std::size_t, const std::string& origin)
{
    // Peers learn of a switch from its tip: one that cannot connect it syncs with us.
    relay_.block(chain_.ledger().best_chain().size() - 1, origin);
}

void peer_service::push_tip(const std::string& peer)
{
    relay_.push_tip(peer);
}

// ---- announcements ---------------------------------------------------------------------------

void peer_service::announce_to(const net::peer_url& peer)
{
    if (advertise_.empty() || stopped_)
        return;
    unannounced_.erase(peer.normalized);
    spawn_on(chain_.strand(), send_announcement(peer, advertise_), asio::detached);
}

void peer_service::retry_announcements()
{
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.all())
        if (unannounced_.contains(p.url.normalized) && peers_.usable(p, now))
            announce_to(p.url);
}

asio::awaitable<void> peer_service::send_announcement(net::peer_url peer, std::string self)
{
    const net::peer_result res = co_await peer_calls::announce(peer, self, cfg_.peer);
    const bool ok = res.reply && net::answered_as_peer(*res.reply);
    const std::string error = res.reply ? peer_calls::not_a_peer_answer("/announce", *res.reply) : res.error;
    // The status only: a peer's reply body is never copied into our log.
    if (res.reply && res.reply->status != 201)
        log::warning(
            "peer " + peer.normalized + " refused our address (HTTP " + std::to_string(res.reply->status) +
            ")"
        );
    if (note_contact(peer.normalized, ok, error, false, res.reply && !ok && res.reply->status < 500))
        notify_link(); // back from back-off: compare chains now
    if (!ok && peers_.find(peer.normalized) != nullptr)
        unannounced_.insert(peer.normalized); // retried by the background sync
}

} // namespace beastchain::node
