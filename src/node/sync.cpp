// Headers-first sync with one peer: status, headers, bodies; every check runs on the verifier.
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/clock.hpp>
#include <beastchain/node/sync.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

#include "peer_calls.hpp"
#include "sync_pages.hpp"

namespace beastchain::node {

namespace asio = boost::asio;

std::shared_ptr<sync_view> make_sync_view(const core::chain& c)
{
    auto view = std::make_shared<sync_view>();
    view->work = c.cumulative_work();
    const auto& entries = c.entries();
    // Ten most recent blocks one apart, then doubling steps back to genesis: O(log n) entries.
    std::size_t step = 1;
    for (std::size_t h = entries.size() - 1;; h -= step) {
        core::chain_entry header = entries[h];
        header.blk.transactions.clear();
        view->locator.push_back(std::move(header));
        view->locator_timing.push_back(c.timing_at(h));
        if (h == 0)
            break;
        if (view->locator.size() >= 10)
            step *= 2;
        if (step > h)
            step = h; // always end at genesis
    }
    return view;
}

std::string locator_parameter(const sync_view& view)
{
    std::string out;
    for (const auto& e : view.locator) {
        if (!out.empty())
            out += ',';
        out += std::to_string(e.blk.index) + ':' + core::to_hex(e.hash);
    }
    return out;
}

namespace {

/// Ends a sync with one peer as failed.
peer_sync_result failed(peer_sync_result out, std::string error, std::string reason, bool ban)
{
    out.result = peer_sync_result::kind::failed;
    out.error = std::move(error);
    out.reason = std::move(reason);
    out.ban = ban;
    return out;
}

} // namespace

namespace {

/// One peer's download: the request budget (deadline, round bytes) and the reply checks they share.
class peer_download
{
public:
    peer_download(const sync_limits& limits, peer_sync_result& out)
        : limits_(limits)
        , out_(out)
        , deadline_(std::chrono::steady_clock::now() + limits.download_deadline)
    {}

    /// Whether a request may start: false (and the download marked truncated) once the deadline
    /// has passed or, when `budget_applies`, this peer's share of the round's bytes is spent.
    bool may_continue(bool budget_applies = true)
    {
        if (left().count() <= 0) {
            out_.truncated = true;
            budget_spent_ = false;
            return false;
        }
        if (budget_applies && limits_.max_bytes != 0 && out_.bytes >= limits_.max_bytes) {
            out_.truncated = true; // stays set: whatever follows, the peer has more to give
            budget_spent_ = true;
            return false;
        }
        return true;
    }

    /// Its byte share stopped this download: nobody's fault.
    bool budget_spent() const noexcept { return budget_spent_; }

    /// Limits for the next request: what is left of the deadline at most, rounded up, so that a
    /// request cut off by it ends at or after the deadline and is recognised as such.
    net::peer_limits request_limits() const
    {
        net::peer_limits l = limits_.peer;
        l.connect_timeout = std::min(l.connect_timeout, left());
        l.response_timeout = std::min(l.response_timeout, left());
        return l;
    }

    /// Accounts for a reply; an error text when it is unusable (`reason` set), nullopt when it is
    /// a 200 whose body can be checked. A request cut off by the deadline after `have_some` marks
    /// the download truncated instead (and returns an empty error). The byte share is checked
    /// between requests, so a peer's download reads at most its share plus the reply in flight
    /// and one page of bodies: a reply is never cut for it, and every round makes progress.
    std::optional<std::string>
    check_reply(const net::peer_result& res, std::string_view what, bool have_some, std::string& reason)
    {
        ++out_.requests;
        if (!res.reply) {
            if (have_some && left().count() <= 0) {
                out_.truncated = true; // cut off by our limits, not by a fault of its own making
                return std::string();
            }
            reason = "unreachable";
            return res.error;
        }
        out_.bytes += res.reply->body.size();
        if (res.reply->status != 200) {
            reason = "http_error";
            return peer_calls::not_a_peer_answer(what, *res.reply);
        }
        return std::nullopt;
    }

    /// Ends the download by choice (enough headers for one round): truncated, nobody's fault.
    void stop_here()
    {
        out_.truncated = true;
        lookahead_hit_ = true;
    }

    /// What stopped a truncated download, for messages.
    std::string limit_hit() const
    {
        if (lookahead_hit_)
            return "the " + std::to_string(limits_.header_lookahead) + " headers one round fetches ahead";
        if (budget_spent_)
            return "its share of the round's byte budget (--sync-round-bytes)";
        return "the " + std::to_string(limits_.download_deadline.count()) + " ms download deadline";
    }

private:
    std::chrono::milliseconds left() const
    {
        return std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    }

    const sync_limits& limits_;
    peer_sync_result& out_;
    bool budget_spent_ = false;
    bool lookahead_hit_ = false;
    std::chrono::steady_clock::time_point deadline_;
};

/// Whether the peer's /status still names `tip` (nullopt: no usable answer). A shortfall from a
/// peer that has moved on is a switch between our requests (common while blocks race), not a
/// lie, and costs it nothing; only a confirmed one is remembered against its claim.
asio::awaitable<std::optional<bool>> still_claims(
    net::peer_url peer, core::hash256 tip, net::peer_limits limits, std::size_t depth, peer_sync_result* out
)
{
    ++out->requests;
    const net::peer_result res = co_await peer_calls::get_status(peer, limits);
    if (!res.reply || res.reply->status != 200)
        co_return std::nullopt;
    out->bytes += res.reply->body.size();
    const auto st = peer_calls::status_in(*res.reply, depth);
    if (!st)
        co_return std::nullopt;
    co_return st->tip_hash == tip;
}

} // namespace

asio::awaitable<peer_sync_result> sync_with_peer(
    net::peer_url peer,
    std::shared_ptr<const sync_view> view,
    sync_limits limits,
    asio::any_io_executor verifier
)
{
    using namespace sync_pages;
    peer_sync_result out;
    out.peer = peer.normalized;
    peer_download download(limits, out);
    std::string reason;

    // 1. Does the peer claim more work than we have? If not, one small reply is the whole cost.
    net::peer_result res = co_await peer_calls::get_status(peer, limits.peer);
    if (auto bad = download.check_reply(res, "/status", false, reason))
        co_return failed(std::move(out), std::move(*bad), std::move(reason), false);
    reason = "invalid_reply";
    core::hash256 claimed_tip{};
    if (auto bad = read_status(
            res.reply->body, limits.max_json_depth, view->locator.back().hash, out, claimed_tip, reason
        ))
        co_return failed(std::move(out), std::move(*bad), std::move(reason), false);
    if (*out.peer_work <= view->work) {
        out.result = peer_sync_result::kind::nothing_new;
        co_return out;
    }
    if (view->rejected.contains(claimed_tip))
        co_return failed(
            std::move(out),
            "its tip " + core::to_hex(claimed_tip) + " is on a chain this node found invalid",
            "rejected_chain",
            false
        );
    const undelivered_claim claim{claimed_tip, *out.peer_work};
    if (const auto it = view->undelivered.find(out.peer);
        it != view->undelivered.end() && it->second == claim)
        co_return failed(
            std::move(out), "still claims the tip and work it did not deliver last time", "work_short", false
        );

    // 2. Headers from our last common block, checked as they arrive: proof of work, links and
    // cumulative work cost one hash per block, and no body is fetched for a chain without more work.
    auto hd = std::make_shared<header_download>();
    bool stopped_early = false;
    // The first page is fetched whatever the byte share, like the first page of bodies.
    for (bool first = true; download.may_continue(!first); first = false) {
        const auto rl = download.request_limits();
        if (first)
            res = co_await peer_calls::get_headers_after(
                peer, locator_parameter(*view), json::max_headers_per_page, rl
            );
        else
            res = co_await peer_calls::get_headers_from(
                peer, hd->entries.back().blk.index + 1, json::max_headers_per_page, rl
            );
        if (first && res.reply && res.reply->status == 404)
            co_return failed(
                std::move(out), "shares no block with us (a different genesis)", "bad_genesis", true
            );
        if (auto bad = download.check_reply(res, "/headers", !first, reason)) {
            if (bad->empty())
                break; // truncated
            co_return failed(std::move(out), std::move(*bad), std::move(reason), false);
        }
        page_check c = co_await asio::co_spawn(
            verifier,
            check_headers(std::move(res.reply->body), first, view.get(), hd.get(), limits),
            asio::use_awaitable
        );
        if (!c.ok)
            co_return failed(std::move(out), std::move(c.error), std::move(c.reason), c.ban);
        stopped_early = c.stopped_early;
        if (c.done || hd->entries.empty())
            break;
        if (hd->entries.back().cumulative_work > view->work &&
            hd->entries.size() >= limits.header_lookahead) {
            download.stop_here(); // enough for this round: the next one carries on from there
            break;
        }
    }
    const core::work_t shown = hd->entries.empty() ? 0 : hd->entries.back().cumulative_work;
    if (shown < *out.peer_work && !out.truncated && !stopped_early) {
        // All its headers, and less work than it claimed: a liar, unless it switched chains
        // between our requests (then its pages stop linking). No body is worth fetching.
        const std::optional<bool> same_claim =
            co_await still_claims(peer, claimed_tip, limits.peer, limits.max_json_depth, &out);
        if (same_claim == false) {
            out.result = peer_sync_result::kind::nothing_new; // the next round sees its new chain
            co_return out;
        }
        if (same_claim)
            out.undelivered = claim;
        co_return failed(
            std::move(out),
            "its headers carry less work (" + core::work_to_string(shown) + ") than its /status claimed (" +
                core::work_to_string(*out.peer_work) + ")",
            "work_short",
            false
        );
    }
    if (shown <= view->work && stopped_early) {
        out.result = peer_sync_result::kind::nothing_new; // ahead of our clock: no fault of its own
        co_return out;
    }
    // Not a success either way: a peer whose headers never beat ours within its deadline or byte
    // share must not keep a clean record (nor clear a claim it failed to deliver).
    if (shown <= view->work)
        co_return failed(
            std::move(out),
            out.truncated
                ? "the header download reached " + download.limit_hit() + " before showing more work"
                : "its headers show no more work than ours",
            !out.truncated            ? "work_short"
            : download.budget_spent() ? "byte_budget"
                                      : "unreachable",
            false
        );

    // 3. Bodies, exactly for the heights the headers cover, each matched against its header. The
    // first page is fetched even when the headers spent the budget, so every round moves on.
    auto dl = std::make_shared<body_download>();
    bool short_delivery = false;
    bool remember_claim = false; ///< a short delivery confirmed by a second /status
    while (dl->entries.size() < hd->entries.size() && download.may_continue(!dl->entries.empty())) {
        const std::uint64_t from = hd->from() + dl->entries.size();
        const std::size_t want = std::min(limits.page_blocks, hd->entries.size() - dl->entries.size());
        res = co_await peer_calls::get_blocks_from(peer, from, want, download.request_limits());
        if (auto bad = download.check_reply(res, "/blocks", !dl->entries.empty(), reason)) {
            if (bad->empty())
                break; // truncated
            co_return failed(std::move(out), std::move(*bad), std::move(reason), false);
        }
        page_check c = co_await asio::co_spawn(
            verifier,
            check_bodies(std::move(res.reply->body), hd.get(), dl.get(), limits),
            asio::use_awaitable
        );
        if (!c.ok) {
            out = failed(std::move(out), std::move(c.error), std::move(c.reason), c.ban);
            out.rejected = std::move(c.rejected);
            co_return out;
        }
        if (c.done) {
            short_delivery = dl->entries.size() < hd->entries.size() && !c.stopped_early;
            break;
        }
    }
    if (short_delivery) {
        const std::optional<bool> same_claim =
            co_await still_claims(peer, claimed_tip, limits.peer, limits.max_json_depth, &out);
        short_delivery = same_claim != false; // moved on: what matched is all there was, no fault
        remember_claim = same_claim.value_or(false);
        if (!short_delivery && dl->entries.empty()) {
            out.result = peer_sync_result::kind::nothing_new;
            co_return out;
        }
    }
    if (dl->entries.empty() && !short_delivery && download.budget_spent()) {
        out.result = peer_sync_result::kind::nothing_new; // the next round carries on
        co_return out;
    }
    if (dl->entries.empty()) {
        if (remember_claim)
            out.undelivered = claim;
        co_return failed(
            std::move(out),
            short_delivery ? "served no blocks for the headers it sent"
                           : "no block arrived within " + download.limit_hit(),
            short_delivery ? "work_short" : "unreachable",
            false
        );
    }
    if (short_delivery) {
        out.short_delivery = true;
        if (remember_claim)
            out.undelivered = claim;
        out.error = "delivered " + std::to_string(dl->entries.size()) + " of the " +
                    std::to_string(hd->entries.size()) + " blocks its headers promised";
        out.reason = "work_short";
    } else if (out.truncated) {
        out.error = "download stopped at " + download.limit_hit() + " after " +
                    std::to_string(dl->entries.size()) + " blocks";
    }
    out.result = peer_sync_result::kind::candidate;
    out.suffix = core::chain_suffix{static_cast<std::size_t>(hd->from()), std::move(dl->entries)};
    co_return out;
}

} // namespace beastchain::node
