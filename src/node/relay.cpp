// relay: bounded per-peer outboxes drained by one coroutine each; inventories for what overflowed.
#include "relay.hpp"

#include <beastchain/json/parse.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>

#include "peer_calls.hpp"
#include "peer_service.hpp"

namespace beastchain::node {

namespace {

constexpr std::size_t relay_batch = 500; ///< transactions per POST /transactions
constexpr std::size_t block_queue = 16;  ///< pushed blocks queued per peer
constexpr std::uint64_t min_backoff_wait_ms = 50;

} // namespace

relay::relay(chain_state& chain, metrics& stats, peer_service& peers)
    : chain_(chain)
    , stats_(stats)
    , peers_(peers)
    , cfg_(chain.settings())
{}

void relay::transaction(const core::transaction& tx, const std::string& origin)
{
    enqueue_for_peers(&outbox::txs, cfg_.relay_queue, tx, origin);
}

void relay::block(std::size_t index, const std::string& origin)
{
    enqueue_for_peers(&outbox::blocks, block_queue, chain_.entry_json(index), origin);
}

void relay::forget(const std::string& peer)
{
    if (const auto it = outboxes_.find(peer); it != outboxes_.end() && !it->second.sending)
        outboxes_.erase(it); // a running drain sees the peer gone and clears its queue itself
    pushed_tips_.erase(peer);
}

void relay::describe(const std::string& peer, peer_view& v) const
{
    if (const auto it = outboxes_.find(peer); it != outboxes_.end()) {
        v.queued_transactions = it->second.txs.size();
        v.queued_blocks = it->second.blocks.size();
        v.queued_inventory = it->second.inventory.size();
        v.dropped = it->second.dropped;
    }
}

template <class Item>
void relay::enqueue_for_peers(
    std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item, const std::string& origin
)
{
    if (stopped_)
        return;
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.table().all())
        if (p.url.normalized != origin && !peers_.table().banned(p, now))
            enqueue(p.url, queue, capacity, item);
}

template <class Item>
void relay::enqueue(
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
                // Bounded: 4 queues' worth, at least 1,000, at most --max-pending (1.3 MB per
                // peer at the defaults), so a burst of five times the queue reaches a slow peer
                // in full; beyond that, the oldest still travel inside blocks.
                if (box.inventory.size() >=
                    std::min(cfg_.max_pending, std::max<std::size_t>(4 * cfg_.relay_queue, 1000)))
                    box.inventory.pop_front();
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

void relay::push_tip(const std::string& peer)
{
    const peer_info* info = peers_.table().find(peer);
    const auto& tip = chain_.ledger().best_chain().tip();
    if (stopped_ || info == nullptr || tip.blk.index == 0 || peers_.table().banned(*info, now_ms()))
        return;
    auto [it, fresh] = pushed_tips_.try_emplace(peer, tip.hash);
    if (!fresh && it->second == tip.hash)
        return; // it has had this tip: a peer that cannot use it must not get it every round
    it->second = tip.hash;
    log::debug("pushing our tip " + std::to_string(tip.blk.index) + " to " + peer + ", which is behind");
    enqueue(info->url, &outbox::blocks, block_queue, chain_.entry_json(tip.blk.index));
}

void relay::wake_outbox(const net::peer_url& peer, outbox& box)
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

relay::outbound relay::next_outbound(const std::string& peer)
{
    outbound out;
    outbox& box = outboxes_[peer];
    const std::uint64_t now = now_ms();
    const peer_info* info = peers_.table().find(peer);
    if (stopped_ || info == nullptr || peers_.table().banned(*info, now)) {
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
    if (!peers_.table().usable(*info, now)) {
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

asio::awaitable<void> relay::drain_outbox(net::peer_url peer)
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
            res = co_await peer_calls::push_block(peer, std::move(job.block), cfg_.peer, peers_.advertised());
        else if (inventory)
            res = co_await send_inventory(peer, std::move(job.inventory));
        else
            res = co_await peer_calls::relay_transactions(peer, job.txs, cfg_.peer, peers_.advertised());
        // A 400 is an answer (e.g. the peer found our block stale). Silence, a 5xx, and anything
        // showing the URL is not a beastchain peer (404, 405, an HTML page) count against it.
        const bool ok = res.reply && net::answered_as_peer(*res.reply);
        const std::string error = !res.reply ? res.error
                                  : ok       ? std::string()
                                             : peer_calls::not_a_peer_answer(target, *res.reply);
        if (peers_.note_contact(key, ok, error, false, res.reply && !ok && res.reply->status < 500))
            peers_.notify_link(); // back from back-off: compare chains now
        if (ok)
            stats_.relayed(job.txs.size(), block ? 1 : 0);
    }
}

asio::awaitable<net::peer_result>
relay::send_inventory(const net::peer_url& peer, std::vector<std::string> ids)
{
    net::peer_result res = co_await peer_calls::announce_inventory(peer, ids, cfg_.peer, peers_.advertised());
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
    res = co_await peer_calls::relay_transactions(peer, txs, cfg_.peer, peers_.advertised());
    if (res.reply && net::answered_as_peer(*res.reply))
        stats_.relayed(txs.size(), 0);
    co_return res;
}

} // namespace beastchain::node
