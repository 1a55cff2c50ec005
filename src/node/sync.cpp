// Incremental sync: status, locator, pages; parsing and validation run on the verifier executor.
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/clock.hpp>
#include <beastchain/node/sync.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "peer_calls.hpp"

namespace beastchain::node {

namespace asio = boost::asio;

namespace {

/// The state one peer's download accumulates across pages.
struct download
{
    std::uint64_t from = 0; ///< height of the first fetched block
    std::vector<core::chain_entry> entries;
    std::unordered_set<std::string> txids;
};

/// How a page turned out.
struct page_check
{
    bool ok = false;
    bool ban = false;
    bool done = false; ///< no further pages are needed
    std::string error;
    std::string reason;
};

page_check failure(std::string error, std::string reason, bool ban)
{
    page_check c;
    c.error = std::move(error);
    c.reason = std::move(reason);
    c.ban = ban;
    return c;
}

/// Parses a /blocks page and validates its blocks onto `dl`. CPU-bound: runs on the verifier.
/// `first` is true for the locator reply, whose parent must be one of our locator blocks.
asio::awaitable<page_check>
check_page(std::string body, bool first, const sync_view* view, download* dl, sync_limits limits)
{
    // Arrays hold blocks (at most a page) or a block's transactions.
    const auto shape =
        json::kind::with_arrays(std::max(limits.page_blocks, limits.consensus.max_block_transactions));
    auto parsed = json::parse_body(body, shape, limits.max_json_depth);
    if (!parsed.ok())
        co_return failure("invalid reply: body " + parsed.error().detail, "invalid_reply", false);
    auto decoded = json::decode_blocks_page(parsed.value(), limits.page_blocks);
    if (!decoded.ok())
        co_return failure(
            "invalid reply: " + decoded.error().field + " " + decoded.error().detail, "invalid_reply", false
        );
    json::blocks_page& page = decoded.value();
    const core::chain_entry* parent = nullptr;
    if (first) {
        for (const auto& e : view->locator)
            if (page.from == e.blk.index + 1)
                parent = &e;
        if (parent == nullptr)
            co_return failure(
                "protocol violation: the reply does not start after a locator block",
                "bad_locator_reply",
                true
            );
        dl->from = page.from;
    } else {
        const std::uint64_t expected = dl->entries.back().blk.index + 1;
        if (page.from != expected)
            co_return failure(
                "protocol violation: asked for blocks from " + std::to_string(expected) + ", got " +
                    std::to_string(page.from),
                "invalid_reply",
                true
            );
        parent = &dl->entries.back();
        // The peer switched chains between two pages: keep what was valid and stop here.
        if (!page.blocks.empty() && page.blocks.front().previous_hash != parent->hash) {
            page_check c;
            c.ok = c.done = true;
            co_return c;
        }
    }
    if (page.blocks.empty()) {
        page_check c;
        c.ok = c.done = true;
        co_return c;
    }
    const std::size_t room = limits.max_blocks - std::min(limits.max_blocks, dl->entries.size());
    if (page.blocks.size() > room)
        page.blocks.resize(room);
    const core::chain_entry parent_copy = *parent; // `parent` may point into dl->entries
    core::chain_rejection rejection;
    if (!core::validate_extension(
            dl->entries,
            parent_copy,
            std::move(page.blocks),
            page.claimed_hashes,
            now_ms(),
            limits.consensus,
            dl->txids,
            rejection
        )) {
        if (rejection.result.reason == core::reject_reason::timestamp_too_far_in_future) {
            // Ahead of *our* clock, not invalid everywhere: clocks differ, so no ban. Keep the valid
            // blocks before it and stop; a later round fetches the rest once our clock catches up.
            page_check c;
            c.ok = c.done = true;
            co_return c;
        }
        co_return failure(
            "invalid chain: block " + std::to_string(rejection.index) + ": " +
                std::string(core::to_string(rejection.result.reason)) + ": " + rejection.result.detail,
            std::string(core::to_string(rejection.result.reason)),
            true
        );
    }
    page_check c;
    c.ok = true;
    c.done = dl->entries.back().blk.index >= page.height || dl->entries.size() >= limits.max_blocks;
    co_return c;
}

} // namespace

std::shared_ptr<const sync_view> make_sync_view(const core::chain& c)
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

/// Reads /status into `out.peer_work`, or says why its reply is unusable (and the metrics
/// reason: invalid_reply, or incompatible_protocol for a peer of another network).
std::optional<std::string>
read_status(const std::string& body, std::size_t depth, peer_sync_result& out, std::string& reason)
{
    auto parsed = json::parse_body(body, json::kind::status_reply, depth);
    if (!parsed.ok())
        return "invalid /status reply: body " + parsed.error().detail;
    auto st = json::decode_status_reply(parsed.value());
    if (!st.ok())
        return "invalid /status reply: " + st.error().field + " " + st.error().detail;
    if (st.value().protocol != json::protocol_version) {
        reason = "incompatible_protocol";
        return "speaks peer protocol " + std::to_string(st.value().protocol) + "; this node speaks " +
               std::to_string(json::protocol_version) + " (a different network: not banned)";
    }
    out.peer_work = st.value().cumulative_work;
    return std::nullopt;
}

} // namespace

asio::awaitable<peer_sync_result> sync_with_peer(
    net::peer_url peer,
    std::shared_ptr<const sync_view> view,
    sync_limits limits,
    asio::any_io_executor verifier
)
{
    peer_sync_result out;
    out.peer = peer.normalized;
    const auto deadline = std::chrono::steady_clock::now() + limits.download_deadline;

    // 1. Does the peer claim more work than we have? If not, one small reply is the whole cost.
    ++out.requests;
    net::peer_result res = co_await peer_calls::get_status(peer, limits.peer);
    if (!res.reply)
        co_return failed(std::move(out), res.error, "unreachable", false);
    out.bytes += res.reply->body.size();
    if (res.reply->status != 200)
        co_return failed(
            std::move(out), "/status answered HTTP " + std::to_string(res.reply->status), "http_error", false
        );
    std::string reason = "invalid_reply";
    if (auto bad = read_status(res.reply->body, limits.max_json_depth, out, reason))
        co_return failed(std::move(out), std::move(*bad), std::move(reason), false);
    if (*out.peer_work <= view->work) {
        out.result = peer_sync_result::kind::nothing_new;
        co_return out;
    }

    // 2. The blocks after our last common block, page by page, each validated as it arrives.
    auto dl = std::make_shared<download>();
    for (bool first = true;; first = false) {
        // Each page gets what is left of the download's deadline at most; rounded up, so that a
        // request cut off by it ends at or after the deadline and is recognised as such below.
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            out.truncated = true;
            break;
        }
        net::peer_limits page_limits = limits.peer;
        page_limits.connect_timeout = std::min(page_limits.connect_timeout, left);
        page_limits.response_timeout = std::min(page_limits.response_timeout, left);
        ++out.requests;
        if (first)
            res = co_await peer_calls::get_blocks_after(
                peer, locator_parameter(*view), limits.page_blocks, page_limits
            );
        else
            res = co_await peer_calls::get_blocks_from(
                peer, dl->entries.back().blk.index + 1, limits.page_blocks, page_limits
            );
        if (!res.reply && std::chrono::steady_clock::now() >= deadline && !dl->entries.empty()) {
            out.truncated = true; // cut off by the deadline, not by a fault of its own making
            break;
        }
        if (!res.reply)
            co_return failed(std::move(out), res.error, "unreachable", false);
        out.bytes += res.reply->body.size();
        if (first && res.reply->status == 404)
            co_return failed(
                std::move(out), "shares no block with us (a different genesis)", "bad_genesis", true
            );
        if (res.reply->status != 200)
            co_return failed(
                std::move(out),
                "/blocks answered HTTP " + std::to_string(res.reply->status),
                "http_error",
                false
            );
        page_check c = co_await asio::co_spawn(
            verifier,
            check_page(std::move(res.reply->body), first, view.get(), dl.get(), limits),
            asio::use_awaitable
        );
        if (!c.ok)
            co_return failed(std::move(out), std::move(c.error), std::move(c.reason), c.ban);
        if (c.done || dl->entries.empty())
            break;
    }
    if (dl->entries.empty() && out.truncated)
        co_return failed(
            std::move(out),
            "no block arrived within the " + std::to_string(limits.download_deadline.count()) +
                " ms download deadline",
            "unreachable",
            false
        );
    if (dl->entries.empty()) {
        out.result = peer_sync_result::kind::nothing_new;
        co_return out;
    }
    if (out.truncated)
        out.error = "download stopped at its " + std::to_string(limits.download_deadline.count()) +
                    " ms deadline after " + std::to_string(dl->entries.size()) + " blocks";
    out.result = peer_sync_result::kind::candidate;
    out.suffix = core::chain_suffix{dl->from, std::move(dl->entries)};
    co_return out;
}

} // namespace beastchain::node
