// The node's network side: peers and announcements, bounded per-peer relay queues, block pushes,
// serving /blocks pages, and coalesced incremental sync rounds (foreground and background).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include <iterator>

#include "node_impl.hpp"

namespace beastchain::node {

namespace {

constexpr std::size_t relay_batch = 500;            ///< transactions per POST /transactions
constexpr std::size_t block_queue = 16;             ///< pushed blocks queued per peer
constexpr std::size_t page_blocks = 500;            ///< blocks per /blocks page, at most
constexpr std::size_t page_bytes = 8 * 1024 * 1024; ///< a page stops growing past this
constexpr std::uint64_t min_backoff_wait_ms = 50;

std::string seconds_from_now(std::uint64_t at_ms, std::uint64_t now_ms)
{
    return std::to_string((at_ms - std::min(at_ms, now_ms) + 999) / 1000) + " s";
}

std::string not_a_peer_answer(std::string_view target, const net::peer_reply& r)
{
    return std::string(target) + " answered HTTP " + std::to_string(r.status) + (r.json ? "" : " without JSON");
}

} // namespace

// ---- relay ---------------------------------------------------------------------------------

template <class Item>
void node::impl::enqueue_for_peers(std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item)
{
    if (shut_down_)
        return;
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.all()) {
        if (p.url.normalized == relay_origin_ || peers_.banned(p, now))
            continue;
        outbox& box = outboxes_[p.url.normalized];
        std::deque<Item>& q = box.*queue;
        if (q.size() >= capacity) {
            // A dropped transaction still reaches the peer inside a block; a dropped block is
            // covered by the newer one behind it, which makes a behind peer sync.
            q.pop_front();
            ++box.dropped;
            metrics_.relay_dropped(1);
        }
        q.push_back(item);
        wake_outbox(p.url, box);
    }
}

void node::impl::relay_transaction(const core::transaction& tx)
{
    enqueue_for_peers(&outbox::txs, cfg.relay_queue, tx);
}

void node::impl::relay_block(const core::chain_entry& e)
{
    // `e` is always the best chain's block at its index, so its JSON comes from the block cache.
    enqueue_for_peers(&outbox::blocks, block_queue, entry_json(e.blk.index));
}

void node::impl::wake_outbox(const net::peer_url& peer, outbox& box)
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
        asio::post(strand_, [this, key] { outboxes_[key].sending = false; });
    };
    asio::co_spawn(io, drain_outbox(peer), std::move(on_exit));
}

node::impl::outbound node::impl::next_outbound(const std::string& peer)
{
    outbound out;
    outbox& box = outboxes_[peer];
    const std::uint64_t now = now_ms();
    const peer_info* info = peers_.find(peer);
    if (shut_down_ || info == nullptr || peers_.banned(*info, now)) {
        box.txs.clear();
        box.blocks.clear();
        box.sending = false;
        return out;
    }
    if (box.txs.empty() && box.blocks.empty()) {
        box.sending = false;
        return out;
    }
    if (!peers_.usable(*info, now)) {
        out.what = outbound::kind::wait;
        out.wait_ms = std::max(min_backoff_wait_ms, info->retry_at_ms - now);
        return out;
    }
    out.what = outbound::kind::send;
    if (!box.blocks.empty()) {
        // Blocks first: transactions they confirm need not travel separately.
        out.target = "/blocks";
        out.body = std::move(box.blocks.front());
        out.blocks = 1;
        box.blocks.pop_front();
        return out;
    }
    boost::json::array batch;
    while (!box.txs.empty() && batch.size() < relay_batch) {
        batch.push_back(boost::json::value_from(box.txs.front()));
        box.txs.pop_front();
    }
    out.transactions = batch.size();
    out.target = "/transactions";
    out.body = boost::json::serialize(boost::json::object{{"transactions", std::move(batch)}});
    return out;
}

asio::awaitable<void> node::impl::drain_outbox(net::peer_url peer)
{
    const std::string key = peer.normalized;
    asio::steady_timer timer(io);
    for (;;) {
        auto take = [this, key] {
            return next_outbound(key);
        };
        outbound job = co_await on_strand(std::move(take));
        if (job.what == outbound::kind::stop)
            co_return;
        if (job.what == outbound::kind::wait) {
            timer.expires_after(std::chrono::milliseconds(job.wait_ms));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        const net::peer_result res = co_await net::send_peer_request(
            peer, net::http::verb::post, job.target, std::move(job.body), cfg.peer, advertise_
        );
        // A 400 is an answer (e.g. the peer found our block stale). Silence, a 5xx, and anything
        // showing the URL is not a beastchain peer (404, 405, an HTML page) count against it.
        const bool ok = res.reply && net::answered_as_peer(*res.reply);
        const std::string error = !res.reply ? res.error : ok ? std::string() : not_a_peer_answer(job.target, *res.reply);
        const bool not_a_peer = res.reply && !ok && res.reply->status < 500;
        auto note = [this, key, ok, error, not_a_peer, job_txs = job.transactions, job_blocks = job.blocks] {
            note_contact(key, ok, error, false, not_a_peer);
            if (ok)
                metrics_.relayed(job_txs, job_blocks);
            return 0;
        };
        co_await on_strand(std::move(note));
    }
}

// ---- announcements -------------------------------------------------------------------------

void node::impl::announce_to(const net::peer_url& peer)
{
    if (advertise_.empty() || shut_down_)
        return;
    unannounced_.erase(peer.normalized);
    asio::co_spawn(io, send_announcement(peer, advertise_), asio::detached);
}

asio::awaitable<void> node::impl::send_announcement(net::peer_url peer, std::string self)
{
    std::string body = boost::json::serialize(boost::json::object{{"address", self}});
    const net::peer_result res = co_await net::send_peer_request(
        peer, net::http::verb::post, "/register-node", std::move(body), cfg.peer, self
    );
    const bool ok = res.reply && net::answered_as_peer(*res.reply);
    std::string error = res.reply ? not_a_peer_answer("/register-node", *res.reply) : res.error;
    if (res.reply && res.reply->status != 201)
        log::warning("peer " + peer.normalized + " refused our address: " + res.reply->body);
    const bool not_a_peer = res.reply && !ok && res.reply->status < 500;
    auto note = [this, key = peer.normalized, ok, not_a_peer, error = std::move(error)] {
        note_contact(key, ok, error, false, not_a_peer);
        if (!ok && peers_.find(key) != nullptr)
            unannounced_.insert(key); // retried by the background sync
        return 0;
    };
    co_await on_strand(std::move(note));
}

// ---- sync rounds ---------------------------------------------------------------------------

void node::impl::request_sync(std::optional<sync_handler> waiter)
{
    if (waiter)
        sync_waiters_.push_back(std::move(*waiter));
    if (sync_running_) {
        sync_again_ = true; // a round that starts after this request
        return;
    }
    sync_running_ = true;
    sync_again_ = false;
    asio::co_spawn(io, run_sync_round(std::exchange(sync_waiters_, {})), asio::detached);
}

void node::impl::sync_for_orphan(const core::hash256& hash, const std::string& origin)
{
    if (!recent_orphans_.insert(hash).second)
        return; // this block already started a round
    orphan_order_.push_back(hash);
    if (orphan_order_.size() > recent_orphans_kept) {
        recent_orphans_.erase(orphan_order_.front());
        orphan_order_.pop_front();
    }
    // The origin header is only a hint: unregistered origins share one budget, so the map stays small.
    const std::string key = peers_.find(origin) != nullptr ? origin : std::string();
    const std::uint64_t now = now_ms();
    auto [it, fresh] = orphan_sync_at_.try_emplace(key, now);
    const std::uint64_t since = now - std::min(now, it->second);
    if (fresh || since >= orphan_sync_interval_ms) {
        it->second = now;
        request_sync(std::nullopt);
        return;
    }
    if (orphan_timer_)
        return; // a deferred round is already due; it covers this block too
    // Too soon after this origin's last round: one round when its interval is over, so a real
    // fork still converges within a second while a flood of orphans starts no more rounds.
    orphan_timer_ = std::make_unique<asio::steady_timer>(io);
    orphan_timer_->expires_after(std::chrono::milliseconds(orphan_sync_interval_ms - since));
    orphan_timer_->async_wait([this, key](boost::system::error_code ec) {
        if (ec)
            return; // cancelled at shutdown
        asio::post(strand_, [this, key] {
            orphan_timer_.reset();
            if (shut_down_)
                return;
            orphan_sync_at_[key] = now_ms();
            request_sync(std::nullopt);
        });
    });
}

asio::awaitable<void> node::impl::run_sync_round(std::vector<sync_handler> waiters)
{
    sync_outcome out;
    try {
        out = co_await sync_round(!waiters.empty());
    } catch (const std::exception& e) {
        log::error(std::string("sync round failed internally: ") + e.what());
        out = {};
    }
    auto finish = [this, waiters = std::move(waiters), out = std::move(out)]() mutable {
        // First, so that nothing below (a throw included) can leave the next round locked out.
        sync_running_ = false;
        std::exception_ptr failed;
        try {
            hit_fail_point("sync-finish");
            // Shutting down: callers that queued during this round get its result rather than a
            // round that will never start.
            if (shut_down_) {
                std::move(sync_waiters_.begin(), sync_waiters_.end(), std::back_inserter(waiters));
                sync_waiters_.clear();
            }
            if (!out.chain_json && !waiters.empty())
                out.chain_json = chain_array();
        } catch (const std::exception& e) {
            log::error(std::string("finishing a sync round failed: ") + e.what());
            failed = std::current_exception(); // each waiting caller gets a 500, not silence
        }
        for (auto& w : waiters)
            complete(std::move(w), out, failed);
        if (!shut_down_ && (sync_again_ || !sync_waiters_.empty()))
            request_sync(std::nullopt);
        return 0;
    };
    try {
        co_await on_strand(std::move(finish));
    } catch (const std::exception& e) {
        // Only if getting onto the strand failed: unlock the next round anyway.
        log::error(std::string("sync round completion failed: ") + e.what());
        asio::post(strand_, [this] { sync_running_ = false; });
    }
}

asio::awaitable<sync_outcome> node::impl::sync_round(bool want_chain)
{
    struct snapshot
    {
        std::vector<net::peer_url> peers;
        std::vector<peer_failure> skipped;
        std::shared_ptr<const sync_view> view;
    };
    auto take = [this] {
        snapshot s;
        const std::uint64_t now = now_ms();
        for (const auto& p : peers_.all()) {
            if (peers_.usable(p, now))
                s.peers.push_back(p.url);
            else if (peers_.banned(p, now))
                s.skipped.push_back(
                    {p.url.normalized,
                     "banned for another " + seconds_from_now(p.banned_until_ms, now) + ": " + p.last_error}
                );
            else
                s.skipped.push_back(
                    {p.url.normalized,
                     "backing off for " + seconds_from_now(p.retry_at_ms, now) + " after " +
                         std::to_string(p.failures) + " failures: " + p.last_error}
                );
        }
        s.view = make_sync_view(ledger_.best_chain());
        return s;
    };
    snapshot snap = co_await on_strand(std::move(take));

    std::vector<peer_sync_result> results;
    if (!snap.peers.empty()) {
        const sync_limits limits{
            cfg.peer,
            cfg.consensus,
            page_blocks,
            cfg.max_peer_chain_blocks,
            cfg.max_json_depth,
            cfg.peer_download_timeout};
        auto ex = co_await asio::this_coro::executor;
        using op_type = decltype(asio::co_spawn(
            ex, sync_with_peer({}, nullptr, limits, verifier_.get_executor()), asio::deferred
        ));
        std::vector<op_type> ops;
        ops.reserve(snap.peers.size());
        for (const auto& p : snap.peers)
            ops.push_back(asio::co_spawn(
                ex, sync_with_peer(p, snap.view, limits, verifier_.get_executor()), asio::deferred
            ));
        auto [order, errors, done] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                         .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        for (std::size_t i = 0; i < done.size(); ++i) {
            if (errors[i]) {
                // sync_with_peer reports peer faults as values; an exception here is our bug.
                try {
                    std::rethrow_exception(errors[i]);
                } catch (const std::exception& e) {
                    log::error("sync with " + snap.peers[i].normalized + " failed internally: " + e.what());
                }
                done[i] = peer_sync_result{};
                done[i].peer = snap.peers[i].normalized;
                done[i].error = "internal error";
                done[i].reason = "internal";
            }
            results.push_back(std::move(done[i]));
        }
    }

    auto adopt = [this, want_chain, skipped = std::move(snap.skipped), results = std::move(results)](
                 ) mutable {
        sync_outcome out;
        out.failed = std::move(skipped);
        bool any_answer = false;
        std::vector<peer_sync_result*> candidates;
        for (auto& r : results) {
            metrics_.peer_traffic(r.requests, r.bytes);
            if (r.result == peer_sync_result::kind::failed) {
                note_contact(r.peer, false, r.error, r.ban);
                out.failed.push_back({r.peer, r.error});
                if (r.ban)
                    metrics_.block_rejected(r.reason);
                continue;
            }
            note_contact(r.peer, true, {}, false);
            any_answer = true;
            if (r.result == peer_sync_result::kind::candidate)
                candidates.push_back(&r);
        }
        out.status = any_answer ? sync_outcome::result::up_to_date : sync_outcome::result::no_neighbour_chain;
        std::sort(candidates.begin(), candidates.end(), [](const auto* a, const auto* b) {
            return a->suffix->work() > b->suffix->work();
        });
        for (auto* c : candidates) {
            if (c->suffix->work() <= ledger_.best_chain().cumulative_work())
                break; // sorted: none of the rest has more work either
            if (!storage_writable()) {
                out.storage_failed = true;
                break;
            }
            core::validation_result why;
            const std::size_t blocks = c->suffix->entries.size();
            const auto r = ledger_.adopt_suffix_if_more_work(std::move(*c->suffix), &why);
            if (r.switched) {
                metrics_.blocks_received(blocks);
                out.status = sync_outcome::result::replaced;
                chain_cache_.reset();
                log::info(
                    "adopted " + std::to_string(blocks) + " blocks from " + c->peer + ": height " +
                    std::to_string(ledger_.best_chain().tip().blk.index) + " (fork at " +
                    std::to_string(r.fork_index) + ", " + std::to_string(r.abandoned_blocks) +
                    " blocks abandoned, " + std::to_string(r.returned_to_pending) +
                    " transactions back to pending" +
                    (r.dropped_unacknowledged == 0
                         ? std::string()
                         : ", " + std::to_string(r.dropped_unacknowledged) +
                               " never acknowledged here dropped: the pending pool is full") +
                    ")"
                );
                restart_mining();
                if (c->truncated) {
                    // The rest of that peer's chain comes in the next round, from our new tip.
                    log::info(c->peer + ": " + c->error + "; continuing in another round");
                    sync_again_ = true;
                }
                break;
            }
            if (why.reason == core::reject_reason::duplicate_transaction) {
                // Valid on its own but repeats a transaction of the prefix it claims to extend.
                const std::string error = "invalid chain: " + why.detail;
                note_contact(c->peer, false, error, true);
                out.failed.push_back({c->peer, error});
                metrics_.block_rejected(core::to_string(why.reason));
            } else if (!why.ok()) {
                sync_again_ = true; // our chain moved while we fetched: try again on the new tip
            }
        }
        if (want_chain)
            out.chain_json = chain_array();
        return std::pair{std::move(out), take_ticket()};
    };
    auto [out, ticket] = co_await on_strand(std::move(adopt));
    metrics_.sync_run(out.failed.size());
    if (!co_await wait_durable(ticket)) {
        out.storage_failed = true;
        out.status = sync_outcome::result::up_to_date;
    }
    co_return out;
}

asio::awaitable<void> node::impl::run_background_sync()
{
    for (;;) {
        sync_timer_->expires_after(std::chrono::seconds(cfg.sync_interval_seconds));
        auto [ec] = co_await sync_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        auto tick = [this] {
            if (shut_down_)
                return false;
            const std::uint64_t now = now_ms();
            for (const auto& p : peers_.all())
                if (unannounced_.contains(p.url.normalized) && peers_.usable(p, now))
                    announce_to(p.url);
            request_sync(std::nullopt);
            return true;
        };
        if (!co_await on_strand(std::move(tick)))
            co_return;
    }
}

// ---- public operations -----------------------------------------------------------------------

asio::awaitable<register_outcome> node::register_peer(net::peer_url peer, bool announced)
{
    impl* self = impl_.get();
    auto add = [self, announced, peer = std::move(peer)]() mutable {
        register_outcome out;
        const peer_info* known = self->peers_.find(peer.normalized);
        if (peer.normalized == self->advertise_) {
            out.self = true;
        } else if (known == nullptr || (known->announced && !announced)) {
            if (!self->storage_writable()) {
                out.storage_failed = true;
            } else if (self->add_peer(peer, announced) == peer_table::add_result::full) {
                out.full = true;
            } else if (known == nullptr) {
                log::info(std::string(announced ? "peer announced itself: " : "registered peer ") + peer.normalized);
                out.added = true;
                // Make the link two-way. Catching up is left to /sync-chain (the tutorial's explicit
                // step), to block pushes that do not connect, and to the background sync.
                self->announce_to(peer);
            }
        }
        for (const auto& p : self->peers_.all())
            out.nodes.push_back(p.url.normalized);
        return std::pair{std::move(out), self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(add));
    if (!out.storage_failed && !co_await self->wait_durable(ticket))
        out.storage_failed = true;
    co_return out;
}

asio::awaitable<sync_outcome> node::sync()
{
    impl* self = impl_.get();
    auto initiate = [self](auto handler) {
        asio::post(self->strand_, [self, h = std::move(handler)]() mutable {
            if (self->shut_down_) {
                sync_outcome out;
                out.chain_json = self->chain_array();
                impl::complete(std::move(h), std::move(out));
                return;
            }
            self->request_sync(impl::sync_handler(std::move(h)));
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, sync_outcome)>(
        initiate, asio::use_awaitable
    );
}

asio::awaitable<relay_outcome>
node::receive_transactions(std::vector<core::transaction> txs, std::string origin)
{
    impl* self = impl_.get();
    auto accept = [self, txs = std::move(txs), origin = std::move(origin)]() mutable {
        relay_outcome out;
        if (!self->storage_writable()) {
            out.storage_failed = true;
            return std::pair{out, durability_ticket{}};
        }
        self->relay_origin_ = origin;
        for (auto& tx : txs) {
            switch (self->ledger_.accept_transaction(std::move(tx)).status) {
            case core::ledger::accept_status::accepted:
                ++out.accepted;
                break;
            case core::ledger::accept_status::duplicate:
                ++out.known;
                break;
            case core::ledger::accept_status::invalid: // checked by the handler; cannot happen
            case core::ledger::accept_status::pool_full:
                ++out.dropped;
                break;
            }
        }
        self->relay_origin_.clear();
        return std::pair{out, self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(accept));
    if (!out.storage_failed && !co_await self->wait_durable(ticket))
        out.storage_failed = true;
    co_return out;
}

asio::awaitable<block_outcome>
node::receive_block(core::block b, std::optional<core::hash256> claimed_hash, std::string origin)
{
    impl* self = impl_.get();
    const core::hash256 hash = core::block_hash(b);
    if (claimed_hash && *claimed_hash != hash) {
        block_outcome out;
        out.reason = core::to_string(core::reject_reason::hash_mismatch);
        out.detail =
            "claimed hash " + core::to_hex(*claimed_hash) + " is not the block's hash " + core::to_hex(hash);
        co_return out;
    }
    auto apply = [self, b = std::move(b), hash, origin = std::move(origin)]() mutable {
        block_outcome out;
        const core::chain& chain = self->ledger_.best_chain();
        const auto invalid = [&out](core::validation_result r) {
            out.status = block_outcome::result::invalid;
            out.reason = core::to_string(r.reason);
            out.detail = std::move(r.detail);
        };
        if (b.index < chain.size() && chain.entries()[b.index].hash == hash) {
            out.status = block_outcome::result::known;
        } else if (b.previous_hash == chain.tip().hash) {
            if (!self->storage_writable()) {
                out.storage_failed = true;
            } else {
                self->relay_origin_ = origin;
                const std::uint64_t index = b.index;
                auto r = self->ledger_.connect_block(std::move(b), now_ms());
                self->relay_origin_.clear();
                if (r) {
                    out.status = block_outcome::result::connected;
                    self->chain_cache_.reset();
                    self->metrics_.blocks_received(1);
                    log::info(
                        "received block " + std::to_string(index) + " " + core::to_hex(hash) +
                        (origin.empty() ? std::string() : " from " + origin)
                    );
                    self->restart_mining();
                } else if (r.reason == core::reject_reason::timestamp_too_far_in_future) {
                    out.status = block_outcome::result::ahead_of_clock; // clocks differ: no penalty
                    out.detail = std::move(r.detail);
                } else {
                    invalid(std::move(r));
                }
            }
        } else if (auto r = core::check_block_header(b, hash, chain.params()); !r) {
            invalid(std::move(r));
        } else if (auto c = core::check_block_contents(b, chain.params()); !c) {
            invalid(std::move(c));
        } else {
            // A valid block we cannot place: we are behind or on another fork. A sync (one
            // status request per peer when nothing is new) finds out which.
            out.status = block_outcome::result::syncing;
            if (!self->shut_down_)
                self->sync_for_orphan(hash, origin);
        }
        if (out.status == block_outcome::result::invalid)
            self->metrics_.block_rejected(out.reason);
        out.height = chain.tip().blk.index;
        return std::pair{std::move(out), self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(apply));
    if (!out.storage_failed && !co_await self->wait_durable(ticket))
        out.storage_failed = true;
    co_return out;
}

asio::awaitable<std::optional<std::string>> node::blocks_json(blocks_query q)
{
    impl* self = impl_.get();
    auto page = [self, q = std::move(q)]() -> std::optional<std::string> {
        const auto& entries = self->ledger_.best_chain().entries();
        std::uint64_t start = q.from.value_or(0);
        if (!q.locator.empty()) {
            const auto on_our_chain = [&](const auto& loc) {
                return loc.first < entries.size() && entries[loc.first].hash == loc.second;
            };
            const auto it = std::find_if(q.locator.begin(), q.locator.end(), on_our_chain);
            if (it == q.locator.end())
                return std::nullopt;
            start = it->first + 1;
        }
        std::string body = "{\"blocks\":[";
        std::size_t count = 0;
        for (std::uint64_t i = start; i < entries.size() && count < q.limit; ++i, ++count) {
            if (count > 0) {
                if (body.size() > page_bytes)
                    break;
                body += ',';
            }
            body += self->entry_json(i);
        }
        body += "],\"from\":" + std::to_string(start);
        body += ",\"height\":" + std::to_string(entries.back().blk.index);
        body += ",\"tip_hash\":\"" + core::to_hex(entries.back().hash) + "\"}";
        return body;
    };
    co_return co_await self->on_strand(std::move(page));
}

asio::awaitable<std::optional<std::string>> node::block_json(std::uint64_t index)
{
    impl* self = impl_.get();
    auto one = [self, index]() -> std::optional<std::string> {
        const auto& entries = self->ledger_.best_chain().entries();
        if (index >= entries.size())
            return std::nullopt;
        return self->entry_json(index);
    };
    co_return co_await self->on_strand(std::move(one));
}

asio::awaitable<std::vector<peer_view>> node::peers()
{
    impl* self = impl_.get();
    auto list = [self] {
        std::vector<peer_view> out;
        const std::uint64_t now = now_ms();
        for (const auto& p : self->peers_.all()) {
            peer_view v;
            v.address = p.url.normalized;
            v.state = self->peers_.state(p, now);
            v.last_seen_ms = p.last_seen_ms;
            v.failures = p.failures;
            v.retry_at_ms = p.retry_at_ms > now ? p.retry_at_ms : 0;
            v.banned_until_ms = self->peers_.banned(p, now) ? p.banned_until_ms : 0;
            v.last_error = p.last_error;
            if (const auto it = self->outboxes_.find(p.url.normalized); it != self->outboxes_.end()) {
                v.queued_transactions = it->second.txs.size();
                v.queued_blocks = it->second.blocks.size();
                v.dropped = it->second.dropped;
            }
            out.push_back(std::move(v));
        }
        return out;
    };
    co_return co_await self->on_strand(std::move(list));
}

void node::start_network(std::string advertise)
{
    impl* self = impl_.get();
    asio::post(self->strand_, [self, advertise = std::move(advertise)] {
        if (self->shut_down_)
            return;
        self->advertise_ = advertise;
        for (const auto& text : self->cfg.bootstrap_peers) {
            std::string why;
            auto url = net::parse_peer_url(text, why);
            if (!url || url->normalized == advertise)
                continue;
            // An operator's peer: it takes an announced peer's slot if the table is full.
            if (self->add_peer(*url, false) == peer_table::add_result::full)
                log::warning(
                    "--peer " + url->normalized + " skipped: the peer table is full of peers the operator "
                    "registered (raise --max-peers)"
                );
        }
        self->take_ticket(); // nobody waits for these: a lost --peer record is re-added next start
        for (const auto& p : self->peers_.all())
            self->announce_to(p.url);
        if (self->peers_.size() > 0)
            self->request_sync(std::nullopt);
        if (self->cfg.sync_interval_seconds > 0) {
            self->sync_timer_ = std::make_unique<asio::steady_timer>(self->io);
            asio::co_spawn(self->io, self->run_background_sync(), asio::detached);
        }
    });
}

} // namespace beastchain::node
