// sync_service: coalesced rounds, the orphan rate limit, the background timer, adopting the best.
#include "sync_service.hpp"

#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <iterator>

namespace beastchain::node {

namespace {

constexpr std::size_t page_blocks = 500;                  ///< blocks asked for per /blocks request
constexpr std::uint64_t min_peer_share = 2 * 1024 * 1024; ///< about 10,000 headers

std::string seconds_from_now(std::uint64_t at_ms, std::uint64_t now_ms)
{
    return std::to_string((at_ms - std::min(at_ms, now_ms) + 999) / 1000) + " s";
}

} // namespace

sync_service::sync_service(chain_state& chain, peer_service& peers, metrics& stats)
    : chain_(chain)
    , peers_(peers)
    , stats_(stats)
    , cfg_(chain.settings())
    , timer_(chain.strand())
    , orphan_timer_(chain.strand())
{}

void sync_service::start()
{
    if (stopped_)
        return;
    if (peers_.table().size() > 0)
        request(std::nullopt);
    if (cfg_.sync_interval_seconds > 0)
        spawn_on(chain_.strand(), run_background(), asio::detached);
}

void sync_service::stop()
{
    stopped_ = true;
    timer_.cancel();
    orphan_timer_.cancel();
}

void sync_service::hit_fail_point(std::string_view name)
{
    if (fail_point_fired_ || cfg_.fail_point != name)
        return;
    fail_point_fired_ = true;
    throw std::runtime_error("fail point " + std::string(name));
}

// ---- triggers --------------------------------------------------------------------------------

void sync_service::request(std::optional<sync_handler> waiter)
{
    if (stopped_) {
        if (waiter) {
            sync_outcome out;
            out.chain_json = chain_.chain_array();
            complete(std::move(*waiter), node_result<sync_outcome>(std::move(out)));
        }
        return;
    }
    if (waiter)
        waiters_.push_back(std::move(*waiter));
    if (running_) {
        again_ = true; // a round that starts after this request
        return;
    }
    running_ = true;
    again_ = false;
    spawn_on(chain_.strand(), run_round(std::exchange(waiters_, {})), asio::detached);
}

void sync_service::on_link()
{
    if (stopped_)
        return;
    // A token bucket: a few links at once (a node joining its neighbours) each start a round;
    // a stream of them gets one a second.
    const std::uint64_t now = now_ms();
    const std::uint64_t full = link_burst * orphan_interval_ms;
    if (link_refill_at_ms_ == 0)
        link_refill_at_ms_ = now;
    link_tokens_ms_ = std::min(full, link_tokens_ms_ + (now - std::min(now, link_refill_at_ms_)));
    link_refill_at_ms_ = std::max(link_refill_at_ms_, now);
    if (link_tokens_ms_ >= orphan_interval_ms) {
        link_tokens_ms_ -= orphan_interval_ms;
        request(std::nullopt);
        return;
    }
    if (orphan_round_due_)
        return; // the deferred round already due covers this link too
    // The deferred round spends the token it waits for: refilling starts again after it.
    const std::uint64_t wait = orphan_interval_ms - link_tokens_ms_;
    link_tokens_ms_ = 0;
    link_refill_at_ms_ = now + wait;
    schedule_orphan_round(wait, std::nullopt);
}

void sync_service::on_orphan(const core::hash256& hash, const std::string& origin)
{
    if (stopped_ || !recent_orphans_.insert(hash))
        return; // this block already started a round
    orphan_retries_ = orphan_retries;
    // The origin header is only a hint: unregistered origins share one budget, and entries of
    // peers that are gone are pruned, so the map stays as small as the peer table.
    const std::string key = peers_.is_peer(origin) ? origin : std::string();
    if (orphan_sync_at_.size() > peers_.table().size() + 1)
        std::erase_if(orphan_sync_at_, [this](const auto& e) {
            return !e.first.empty() && !peers_.is_peer(e.first);
        });
    const std::uint64_t now = now_ms();
    auto [it, fresh] = orphan_sync_at_.try_emplace(key, now);
    const std::uint64_t since = now - std::min(now, it->second);
    if (fresh || since >= orphan_interval_ms) {
        it->second = now;
        request(std::nullopt);
        return;
    }
    // Too soon after this origin's last round: one round when its interval is over, so a real
    // fork still converges within a second while a flood of orphans starts no more rounds.
    schedule_orphan_round(orphan_interval_ms - since, key);
}

void sync_service::schedule_orphan_round(std::uint64_t delay_ms, std::optional<std::string> key)
{
    if (orphan_round_due_)
        return; // a deferred round is already due; it covers this too
    orphan_round_due_ = true;
    orphan_timer_.expires_after(std::chrono::milliseconds(delay_ms));
    orphan_timer_.async_wait([this, key = std::move(key)](boost::system::error_code ec) {
        orphan_round_due_ = false; // on the strand: the timer's executor
        if (ec || stopped_)
            return; // cancelled at shutdown
        if (key)
            orphan_sync_at_[*key] = now_ms();
        request(std::nullopt);
    });
}

asio::awaitable<void> sync_service::run_background()
{
    for (;;) {
        timer_.expires_after(std::chrono::seconds(cfg_.sync_interval_seconds));
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || stopped_)
            co_return;
        peers_.retry_announcements();
        request(std::nullopt);
    }
}

// ---- rounds ----------------------------------------------------------------------------------

asio::awaitable<void> sync_service::run_round(std::vector<sync_handler> waiters)
{
    node_result<sync_outcome> out;
    try {
        out = co_await round(!waiters.empty());
    } catch (const std::exception& e) {
        log::error(std::string("sync round failed internally: ") + e.what());
        out = sync_outcome{};
    }
    // First, so that nothing below (a throw included) can leave the next round locked out.
    running_ = false;
    std::exception_ptr failed;
    try {
        if (!waiters.empty())
            hit_fail_point("sync-finish"); // a caller's round, not one a new link started
        // Shutting down: callers that queued during this round get its result rather than a
        // round that will never start.
        if (stopped_) {
            std::move(waiters_.begin(), waiters_.end(), std::back_inserter(waiters));
            waiters_.clear();
        }
        if (out && !out->chain_json && !waiters.empty())
            out->chain_json = chain_.chain_array();
    } catch (const std::exception& e) {
        log::error(std::string("finishing a sync round failed: ") + e.what());
        failed = std::current_exception(); // each waiting caller gets a 500, not silence
    }
    for (auto& w : waiters)
        complete(std::move(w), out, failed);
    if (!stopped_ && (again_ || !waiters_.empty())) {
        request(std::nullopt);
    } else if (out && out->status == sync_outcome::result::replaced) {
        orphan_retries_ = 0; // whatever an orphan called for, this round found it
    } else if (!stopped_ && orphan_retries_ > 0 && last_round_asked_peers_) {
        // A block we could not place told us some peer is ahead, but this round found nothing
        // to adopt: the peer that relayed it may have been a step behind its own neighbour
        // when we asked. Ask again a few times, a second apart, rather than wait for the
        // background sync; a round that adopts, or a new orphan, resets the count.
        --orphan_retries_;
        schedule_orphan_round(orphan_interval_ms, std::nullopt);
    }
}

asio::awaitable<node_result<sync_outcome>> sync_service::round(bool want_chain)
{
    std::vector<net::peer_url> usable;
    std::vector<peer_failure> skipped;
    const std::uint64_t now = now_ms();
    for (const auto& p : peers_.table().all()) {
        if (peers_.table().usable(p, now))
            usable.push_back(p.url);
        else if (peers_.table().banned(p, now))
            skipped.push_back(
                {p.url.normalized,
                 "banned for another " + seconds_from_now(p.banned_until_ms, now) + ": " + p.last_error}
            );
        else
            skipped.push_back(
                {p.url.normalized,
                 "backing off for " + seconds_from_now(p.retry_at_ms, now) + " after " +
                     std::to_string(p.failures) + " failures: " + p.last_error}
            );
    }
    std::erase_if(undelivered_, [this](const auto& e) { return !peers_.is_peer(e.first); });
    const auto view = make_sync_view(chain_.ledger().best_chain());
    view->rejected = rejected_.set();
    view->undelivered = undelivered_;
    last_round_asked_peers_ = !usable.empty();

    std::vector<peer_sync_result> results;
    if (!usable.empty()) {
        const sync_limits limits{
            cfg_.peer,
            cfg_.consensus,
            page_blocks,
            cfg_.max_peer_chain_blocks,
            cfg_.max_json_depth,
            cfg_.peer_download_timeout,
            // A share of at least a few header pages (or the whole budget, if smaller), however
            // many peers: a peer one block ahead must not fail for want of budget.
            std::max(std::min(min_peer_share, cfg_.sync_round_bytes), cfg_.sync_round_bytes / usable.size())};
        auto ex = co_await asio::this_coro::executor;
        using op_type =
            decltype(asio::co_spawn(ex, sync_with_peer({}, nullptr, limits, verifier()), asio::deferred));
        std::vector<op_type> ops;
        ops.reserve(usable.size());
        for (const auto& p : usable)
            ops.push_back(asio::co_spawn(ex, sync_with_peer(p, view, limits, verifier()), asio::deferred));
        auto [order, errors, done] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                         .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        for (std::size_t i = 0; i < done.size(); ++i) {
            if (errors[i]) {
                // sync_with_peer reports peer faults as values; an exception here is our bug.
                try {
                    std::rethrow_exception(errors[i]);
                } catch (const std::exception& e) {
                    log::error("sync with " + usable[i].normalized + " failed internally: " + e.what());
                }
                done[i] = peer_sync_result{};
                done[i].peer = usable[i].normalized;
                done[i].error = "internal error";
                done[i].reason = "internal";
            }
            results.push_back(std::move(done[i]));
        }
    }

    if (log::enabled(log::level::debug)) {
        std::string what;
        for (const auto& r : results)
            what += " " + r.peer + "=" +
                    (r.result == peer_sync_result::kind::failed ? "failed(" + r.error + ")"
                     : r.result == peer_sync_result::kind::nothing_new
                         ? std::string("nothing_new")
                         : "candidate(" + std::to_string(r.suffix ? r.suffix->entries.size() : 0) + ")");
        log::debug("sync round: " + std::to_string(usable.size()) + " usable peers," + what);
    }
    const std::size_t failed_before = skipped.size();
    node_result<sync_outcome> out = adopt_best(want_chain, std::move(skipped), std::move(results));
    stats_.sync_run(out ? out->failed.size() : failed_before);
    if (!co_await chain_.wait_durable(chain_.take_ticket()))
        co_return node_error{node_errc::storage_unavailable, {}};
    co_return out;
}

void sync_service::remember(const peer_sync_result& r)
{
    for (const auto& h : r.rejected)
        rejected_.insert(h);
    if (r.undelivered)
        undelivered_[r.peer] = *r.undelivered;
    else if (r.result != peer_sync_result::kind::failed)
        undelivered_.erase(r.peer); // it delivered what it claimed this time
}

node_result<sync_outcome> sync_service::adopt_best(
    bool want_chain, std::vector<peer_failure> skipped, std::vector<peer_sync_result> results
)
{
    sync_outcome out;
    out.failed = std::move(skipped);
    bool any_answer = false;
    std::vector<peer_sync_result*> candidates;
    for (auto& r : results) {
        stats_.peer_traffic(r.requests, r.bytes);
        remember(r);
        if (r.result == peer_sync_result::kind::failed) {
            peers_.note_contact(r.peer, false, r.error, r.ban);
            out.failed.push_back({r.peer, r.error});
            if (r.ban)
                stats_.block_rejected(r.reason);
            continue;
        }
        // Bodies short of its headers: what matched may still be adopted, but the peer showed
        // more work than it delivered, which costs it a failure.
        if (r.short_delivery) {
            peers_.note_contact(r.peer, false, r.error, false);
            out.failed.push_back({r.peer, r.error});
        } else {
            peers_.note_contact(r.peer, true, {}, false);
        }
        any_answer = true;
        if (r.result == peer_sync_result::kind::candidate)
            candidates.push_back(&r);
    }
    out.status = any_answer ? sync_outcome::result::up_to_date : sync_outcome::result::no_neighbour_chain;
    std::sort(candidates.begin(), candidates.end(), [](const auto* a, const auto* b) {
        return a->suffix->work() > b->suffix->work();
    });
    for (auto* c : candidates) {
        if (c->suffix->work() <= chain_.ledger().best_chain().cumulative_work())
            break; // sorted: none of the rest has more work either
        if (!chain_.writable())
            return node_error{node_errc::storage_unavailable, {}}; // a better chain we cannot keep
        core::validation_result why;
        const std::size_t blocks = c->suffix->entries.size();
        const auto r = chain_.adopt(std::move(*c->suffix), &why, c->peer);
        if (r.switched) {
            stats_.blocks_received(blocks);
            out.status = sync_outcome::result::replaced;
            log::info(
                "adopted " + std::to_string(blocks) + " blocks from " + c->peer + ": height " +
                std::to_string(chain_.ledger().best_chain().tip().blk.index) + " (fork at " +
                std::to_string(r.fork_index) + ", " + std::to_string(r.abandoned_blocks) +
                " blocks abandoned, " + std::to_string(r.returned_to_pending) +
                " transactions back to pending" +
                (r.dropped_unacknowledged == 0
                     ? std::string()
                     : ", " + std::to_string(r.dropped_unacknowledged) +
                           " never acknowledged here dropped: the pending pool is full") +
                ")"
            );
            if (c->truncated) {
                // The rest of that peer's chain comes in the next round, from our new tip.
                log::info(c->peer + ": " + c->error + "; continuing in another round");
                again_ = true;
            }
            break;
        }
        const bool moved = why.reason == core::reject_reason::bad_previous_hash ||
                           why.reason == core::reject_reason::bad_index ||
                           why.reason == core::reject_reason::empty_chain;
        if (!why.ok() && !moved) {
            // Valid on its own but repeats a transaction of the prefix it claims to extend, or
            // (signed chains) breaks a balance or nonce rule on it. Not remembered as invalid:
            // whether it does depends on which prefix we held when it was checked, and ours may
            // have moved during the round. The peer is charged, so it is not fetched every round.
            const std::string error =
                "invalid chain: " + std::string(core::to_string(why.reason)) + ": " + why.detail;
            peers_.note_contact(c->peer, false, error, true);
            out.failed.push_back({c->peer, error});
            stats_.block_rejected(core::to_string(why.reason));
        } else if (moved) {
            again_ = true; // our chain moved while we fetched: try again on the new tip
        }
    }
    // A peer that told us it has less work than we now have gets our tip: it cannot connect it,
    // so it syncs with us at once (a new link, or a peer that missed our blocks while away).
    const core::work_t ours = chain_.ledger().best_chain().cumulative_work();
    for (const auto& r : results)
        if (r.peer_work && *r.peer_work < ours)
            peers_.push_tip(r.peer);
    if (want_chain)
        out.chain_json = chain_.chain_array();
    return out;
}

} // namespace beastchain::node
