// Page checks for headers-first sync: every rule a header or block can break, off the I/O thread.
#include "sync_pages.hpp"

#include <beastchain/core/headers.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <thread>

namespace beastchain::node::sync_pages {

namespace asio = boost::asio;

namespace {

page_check failure(std::string error, std::string reason, bool ban)
{
    page_check c;
    c.error = std::move(error);
    c.reason = std::move(reason);
    c.ban = ban;
    return c;
}

page_check finished(bool stopped_early)
{
    page_check c;
    c.ok = c.done = true;
    c.stopped_early = stopped_early;
    return c;
}

page_check invalid_chain(const core::chain_rejection& rejection, std::string_view what)
{
    page_check c = failure(
        "invalid chain: " + std::string(what) + " " + std::to_string(rejection.index) + ": " +
            std::string(core::to_string(rejection.result.reason)) + ": " + rejection.result.detail,
        std::string(core::to_string(rejection.result.reason)),
        true
    );
    return c;
}

} // namespace

asio::awaitable<page_check>
check_headers(std::string body, bool first, const sync_view* view, header_download* hd, sync_limits limits)
{
    auto parsed =
        json::parse_body(body, json::kind::with_arrays(json::max_headers_per_page), limits.max_json_depth);
    if (!parsed.ok())
        co_return failure("invalid reply: body " + parsed.error().detail, "invalid_reply", false);
    auto decoded = json::decode_headers_page(parsed.value(), json::max_headers_per_page);
    if (!decoded.ok())
        co_return failure(
            "invalid reply: " + decoded.error().field + " " + decoded.error().detail, "invalid_reply", false
        );
    json::headers_page& page = decoded.value();
    if (first) {
        const auto it = std::find_if(view->locator.begin(), view->locator.end(), [&](const auto& e) {
            return page.from == e.blk.index + 1;
        });
        if (it == view->locator.end())
            co_return failure(
                "protocol violation: the reply does not start after a locator block",
                "bad_locator_reply",
                true
            );
        hd->parent = *it;
        hd->parent_timing = view->locator_timing.at(static_cast<std::size_t>(it - view->locator.begin()));
    } else if (const std::uint64_t expected = hd->entries.back().blk.index + 1; page.from != expected) {
        co_return failure(
            "protocol violation: asked for headers from " + std::to_string(expected) + ", got " +
                std::to_string(page.from),
            "invalid_reply",
            true
        );
    }
    if (page.headers.empty())
        co_return finished(false);
    const std::size_t room = limits.max_blocks - std::min(limits.max_blocks, hd->entries.size());
    if (page.headers.size() > room)
        page.headers.resize(room);
    const std::size_t before = hd->entries.size();
    core::chain_rejection rejection;
    // The peer switched chains between two pages: its new headers do not link. Keep what we
    // have; its work decides below whether that is enough.
    if (!first) {
        const auto h = core::parse_header(page.headers.front());
        if (h && h->fields.previous_hash != hd->entries.back().hash)
            co_return finished(false);
    }
    const bool valid = core::validate_headers(
        hd->entries, hd->parent, hd->parent_timing, page.headers, now_ms(), limits.consensus, rejection
    );
    // One we refused before, anywhere in the new headers: the rest is that chain again.
    for (std::size_t i = before; i < hd->entries.size(); ++i)
        if (view->rejected.contains(hd->entries[i].hash)) {
            page_check c = failure(
                "serves a chain this node already refused (block " +
                    std::to_string(hd->entries[i].blk.index) + " " + core::to_hex(hd->entries[i].hash) + ")",
                "rejected_chain",
                false
            );
            co_return c;
        }
    if (!valid) {
        // Ahead of *our* clock is not invalid everywhere: keep the headers before it, no ban.
        if (rejection.result.reason == core::reject_reason::timestamp_too_far_in_future)
            co_return finished(true);
        // Nothing to remember: checking headers again is cheap, and the peer is banned.
        co_return invalid_chain(rejection, "header");
    }
    page_check c;
    c.ok = true;
    if (hd->entries.size() >= limits.max_blocks) {
        c.done = c.stopped_early = true;
    } else {
        c.done = hd->entries.back().blk.index >= page.height;
    }
    co_return c;
}

asio::awaitable<page_check>
check_bodies(std::string body, const header_download* hd, body_download* dl, sync_limits limits)
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
    const std::uint64_t expected = hd->from() + dl->entries.size();
    if (page.from != expected)
        co_return failure(
            "protocol violation: asked for blocks from " + std::to_string(expected) + ", got " +
                std::to_string(page.from),
            "invalid_reply",
            true
        );
    const std::size_t want = hd->entries.size() - dl->entries.size();
    if (page.blocks.empty())
        co_return finished(false); // it has no more: a short delivery
    if (page.blocks.size() > want) {
        page.blocks.resize(want);
        page.claimed_hashes.resize(want);
    }
    const core::chain_entry& parent = dl->entries.empty() ? hd->parent : dl->entries.back();
    // The peer switched chains since it sent its headers: stop at the switch.
    if (page.blocks.front().previous_hash != parent.hash)
        co_return finished(false);
    const core::chain_entry parent_copy = parent; // `parent` may point into dl->entries
    const std::size_t before = dl->entries.size();
    // A signed chain's signatures first, over the cores, so validate_extension finds them in the
    // signature cache; only for blocks that are the ones their (proof-of-work-checked) headers
    // promised, so a peer's junk does not cost a verification per transaction.
    if (limits.consensus.signed_transactions)
        for (std::size_t k = 0; k < page.blocks.size() && before + k < hd->entries.size(); ++k) {
            if (core::block_hash(page.blocks[k]) != hd->entries[before + k].hash)
                break;
            core::preverify_signatures(
                page.blocks[k].transactions, limits.consensus.chain_id, std::thread::hardware_concurrency()
            );
        }
    core::chain_rejection rejection;
    const bool valid = core::validate_extension(
        dl->entries,
        parent_copy,
        hd->parent_timing,
        std::move(page.blocks),
        page.claimed_hashes,
        now_ms(),
        limits.consensus,
        dl->txids,
        rejection
    );
    // Each block must be the one its header promised; from the first that is not, the peer is on
    // another chain than it showed (a switch between requests, or a lie): stop there.
    for (std::size_t i = before; i < dl->entries.size(); ++i)
        if (dl->entries[i].hash != hd->entries[i].hash) {
            dl->entries.resize(i);
            co_return finished(false);
        }
    if (!valid) {
        if (rejection.result.reason == core::reject_reason::timestamp_too_far_in_future)
            co_return finished(true);
        // A block hash covers its transactions (the Merkle root) and, through previous_hash, its
        // ancestors. A block that is the one its checked header named, at that header's height
        // on checked ancestors, and still fails, fails on its own content: it is invalid
        // wherever it appears, and so is every descendant, the header tip included. Anything
        // else says nothing about the block: an honest block served out of place fails
        // bad_index, a wrong claimed "hash" fails hash_mismatch, and a liar could use either to
        // get an honest chain refused. Those ban the sender and are not remembered.
        page_check c = invalid_chain(rejection, "block");
        const std::size_t at = static_cast<std::size_t>(rejection.index - hd->from());
        if (rejection.result.reason != core::reject_reason::hash_mismatch && at < hd->entries.size() &&
            hd->entries[at].hash == rejection.hash) {
            c.rejected.push_back(rejection.hash);
            c.rejected.push_back(hd->entries.back().hash);
        }
        co_return c;
    }
    page_check c;
    c.ok = true;
    c.done = dl->entries.size() >= hd->entries.size();
    co_return c;
}

std::optional<std::string> read_status(
    const std::string& body,
    std::size_t depth,
    const core::hash256& our_genesis,
    peer_sync_result& out,
    core::hash256& tip,
    std::string& reason
)
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
    const core::hash256 genesis = st.value().network();
    if (genesis != our_genesis) {
        reason = "other_network";
        return "is on another network: its genesis is " + core::to_hex(genesis) + ", this node's " +
               core::to_hex(our_genesis) + " (a different chain spec: not banned)";
    }
    out.peer_work = st.value().cumulative_work;
    tip = st.value().tip_hash;
    return std::nullopt;
}

} // namespace beastchain::node::sync_pages
