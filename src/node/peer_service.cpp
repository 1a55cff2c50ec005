// peer_service: membership (operator's before announced), bounded relay outboxes, announcements.
#include "peer_service.hpp"

#include <beastchain/json/parse.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "peer_calls.hpp"

namespace beastchain::node {

namespace {

constexpr std::size_t relay_batch = 500; ///< transactions per POST /transactions
constexpr std::size_t block_queue = 16;  ///< pushed blocks queued per peer
constexpr std::uint64_t min_backoff_wait_ms = 50;

std::string not_a_peer_answer(std::string_view target, const net::peer_reply& r)
{
    return std::string(target) + " answered HTTP " + std::to_string(r.status) +
           (r.json ? "" : " without JSON");
}

} // namespace

peer_service::peer_service(chain_state& chain, metrics& stats)
    : chain_(chain)
    , stats_(stats)
    , cfg_(chain.settings())
    , peers_(cfg_.max_peers)
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
        if (auto p = net::parse_peer_url(r.text, why))
            peers_.add(std::move(*p), now, r.type == storage::record_type::peer_announced);
    }
}

void peer_service::on_state_reloaded(const std::vector<storage::record>& records)
{
    load(records); // outboxes of peers no longer listed are cleared by their drain
    pushed_tips_.clear();
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
            if (link_)
                link_();
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
        pushed_tips_.erase(peer);
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
        r.type = announced ? storage::record_type::peer_announced : storage::record_type::peer_added;
        r.text = peer.normalized;
        chain_.write(r);
    }
    return result;
}

void peer_service::forget_peer(const std::string& peer, const std::string& why)
{
    peers_.remove(peer);
    if (const auto it = outboxes_.find(peer); it != outboxes_.end() && !it->second.sending)
        outboxes_.erase(it); // a running drain sees the peer gone and clears its queue itself
    unannounced_.erase(peer);
    pushed_tips_.erase(peer);
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
        if (const auto it = outboxes_.find(p.url.normalized); it != outboxes_.end()) {
            v.queued_transactions = it->second.txs.size();
            v.queued_blocks = it->second.blocks.size();
            v.queued_inventory = it->second.inventory.size();
            v.dropped = it->second.dropped;
        }
        out.push_back(std::move(v));
    }
    return out;
}

// ---- relay -----------------------------------------------------------------------------------

void peer_service::on_transaction_accepted(const core::transaction& tx, const std::string& origin)
{
    enqueue_for_peers(&outbox::txs, cfg_.relay_queue, tx, origin);
}

void peer_service::on_block_connected(const core::chain_entry& e, const std::string& origin)
{
    relay_block(e.blk.index, origin);
}

void peer_service::on_chain_replaced(std::size_t, const std::string& origin)
{
    // Peers learn of a switch from its tip: one that cannot connect it syncs with us.
    relay_block(chain_.ledger().best_chain().size() - 1, origin);
}

void peer_service::relay_block(std::size_t index, const std::string& origin)
{
    enqueue_for_peers(&outbox::blocks, block_queue, chain_.entry_json(index), origin);
}

template <class Item>
void peer_service::enqueue_for_peers(
    std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item, const std::string& origin
)
{
    if (stopped_)
        return;
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.all())
        if (p.url.normalized != origin && !peers_.banned(p, now))
            enqueue(p.url, queue, capacity, item);
}

template <class Item>
void peer_service::enqueue(
    const net::peer_url& peer, std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item
)
{
    outbox& box = outboxes_[peer.normalized];
    std::deque<Item>& q = box.*queue;
    if (q.size() >= capacity) {
        // A dropped transaction is announced later by id (POST /inventory); a dropped block is
        // covered by the newer one behind it, which makes a behind peer sync.
        if constexpr (std::is_same_v<Item, core::transaction>) {
            if (const auto id = core::hash_from_hex(q.front().transaction_id)) {
                if (box.inventory.size() >= cfg_.max_pending)
                    box.inventory.pop_front(); // older than anything the pool can still hold
                box.inventory.push_back(*id);
            }
        }
        q.pop_front();
        ++box.dropped;
        stats_.relay_dropped(1);
    }
    q.push_back(item);
    wake_outbox(peer, box);
}

void peer_service::push_tip(const std::string& peer)
{
    const peer_info* info = peers_.find(peer);
    const auto& tip = chain_.ledger().best_chain().tip();
    if (stopped_ || info == nullptr || tip.blk.index == 0 || peers_.banned(*info, now_ms()))
        return;
    auto [it, fresh] = pushed_tips_.try_emplace(peer, tip.hash);
    if (!fresh && it->second == tip.hash)
        return; // it has had this tip: a peer that cannot use it must not get it every round
    it->second = tip.hash;
    log::debug("pushing our tip " + std::to_string(tip.blk.index) + " to " + peer + ", which is behind");
    enqueue(info->url, &outbox::blocks, block_queue, chain_.entry_json(tip.blk.index));
}

void peer_service::wake_outbox(const net::peer_url& peer, outbox& box)
{
    if (box.sending)
        return;
    box.sending = true;
    auto on_exit = [this, key = peer.normalized](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log::error("relay to " + key + " failed internally: " + ex.what());
        }
        outboxes_[key].sending = false; // on the strand: the coroutine ran there
    };
    spawn_on(chain_.strand(), drain_outbox(peer), std::move(on_exit));
}

peer_service::outbound peer_service::next_outbound(const std::string& peer)
{
    outbound out;
    outbox& box = outboxes_[peer];
    const std::uint64_t now = now_ms();
    const peer_info* info = peers_.find(peer);
    if (stopped_ || info == nullptr || peers_.banned(*info, now)) {
        box.txs.clear();
        box.blocks.clear();
        box.inventory.clear();
        box.sending = false;
        return out;
    }
    if (box.txs.empty() && box.blocks.empty() && box.inventory.empty()) {
        box.sending = false;
        return out;
    }
    if (!peers_.usable(*info, now)) {
        out.what = outbound::kind::wait;
        out.wait_ms = std::max(min_backoff_wait_ms, info->retry_at_ms - now);
        return out;
    }
    if (box.txs.empty() && box.blocks.empty()) {
        // The queue has caught up: announce what fell out of it, if it is still pending (what
        // was mined meanwhile reaches the peer in its block).
        const auto& pool = chain_.ledger().pending();
        while (!box.inventory.empty() && out.inventory.size() < json::max_inventory) {
            std::string id = core::to_hex(box.inventory.front());
            box.inventory.pop_front();
            if (pool.contains(id))
                out.inventory.push_back(std::move(id));
        }
        if (out.inventory.empty()) {
            box.sending = false; // all of it was mined meanwhile
            return out;
        }
        out.what = outbound::kind::send;
        return out;
    }
    out.what = outbound::kind::send;
    if (!box.blocks.empty()) {
        // Blocks first: transactions they confirm need not travel separately.
        out.block = std::move(box.blocks.front());
        box.blocks.pop_front();
        return out;
    }
    const std::size_t n = std::min(relay_batch, box.txs.size());
    out.txs.assign(std::make_move_iterator(box.txs.begin()), std::make_move_iterator(box.txs.begin() + n));
    box.txs.erase(box.txs.begin(), box.txs.begin() + n);
    return out;
}

asio::awaitable<void> peer_service::drain_outbox(net::peer_url peer)
{
    // Runs on the strand: between its awaits it owns the outbox like any other strand code.
    const std::string key = peer.normalized;
    asio::steady_timer timer(chain_.strand());
    for (;;) {
        outbound job = next_outbound(key);
        if (job.what == outbound::kind::stop)
            co_return;
        if (job.what == outbound::kind::wait) {
            timer.expires_after(std::chrono::milliseconds(job.wait_ms));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        const bool block = !job.block.empty();
        const bool inventory = !job.inventory.empty();
        const std::string_view target = block ? "/blocks" : inventory ? "/inventory" : "/transactions";
        net::peer_result res;
        if (block)
            res = co_await peer_calls::push_block(peer, std::move(job.block), cfg_.peer, advertise_);
        else if (inventory)
            res = co_await send_inventory(peer, std::move(job.inventory));
        else
            res = co_await peer_calls::relay_transactions(peer, job.txs, cfg_.peer, advertise_);
        // A 400 is an answer (e.g. the peer found our block stale). Silence, a 5xx, and anything
        // showing the URL is not a beastchain peer (404, 405, an HTML page) count against it.
        const bool ok = res.reply && net::answered_as_peer(*res.reply);
        const std::string error = !res.reply ? res.error
                                  : ok       ? std::string()
                                             : not_a_peer_answer(target, *res.reply);
        if (note_contact(key, ok, error, false, res.reply && !ok && res.reply->status < 500) && link_)
            link_(); // back from back-off: compare chains now
        if (ok)
            stats_.relayed(job.txs.size(), block ? 1 : 0);
    }
}

asio::awaitable<net::peer_result>
peer_service::send_inventory(const net::peer_url& peer, std::vector<std::string> ids)
{
    net::peer_result res = co_await peer_calls::announce_inventory(peer, ids, cfg_.peer, advertise_);
    if (!res.reply || res.reply->status != 200 || !res.reply->json)
        co_return res; // judged by the caller like any relay reply
    // A few KiB at most (peer_calls caps it): parsed here, on the strand.
    auto parsed =
        json::parse_body(res.reply->body, json::kind::with_arrays(json::max_inventory), cfg_.max_json_depth);
    auto missing = parsed.ok()
                       ? json::decode_missing(parsed.value(), ids.size())
                       : json::decoded<std::vector<std::size_t>>(json::decode_error{"body", "not JSON"});
    if (!missing.ok()) {
        res.reply.reset();
        res.error = "/inventory reply: " + missing.error().field + " " + missing.error().detail;
        co_return res;
    }
    std::vector<core::transaction> txs;
    const auto& pool = chain_.ledger().pending();
    for (const std::size_t i : missing.value())
        if (const core::transaction* tx = pool.find(ids[i]))
            txs.push_back(*tx); // still pending after the round trip
    if (txs.empty())
        co_return res;
    res = co_await peer_calls::relay_transactions(peer, txs, cfg_.peer, advertise_);
    if (res.reply && net::answered_as_peer(*res.reply))
        stats_.relayed(txs.size(), 0);
    co_return res;
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
    const std::string error = res.reply ? not_a_peer_answer("/register-node", *res.reply) : res.error;
    if (res.reply && res.reply->status != 201)
        log::warning("peer " + peer.normalized + " refused our address: " + res.reply->body);
    if (note_contact(peer.normalized, ok, error, false, res.reply && !ok && res.reply->status < 500) && link_)
        link_(); // back from back-off: compare chains now
    if (!ok && peers_.find(peer.normalized) != nullptr)
        unannounced_.insert(peer.normalized); // retried by the background sync
}

} // namespace beastchain::node
