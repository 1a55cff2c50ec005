// Headers-first sync with one peer: compare work, fetch and check headers from the fork, then only the bodies
// they promise.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/net/peer_client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace beastchain::node {

/// A peer's /status claim it failed to deliver: its tip and the work it said that tip has.
struct undelivered_claim
{
    core::hash256 tip{};
    core::work_t work = 0;
    friend bool operator==(const undelivered_claim&, const undelivered_claim&) = default;
};

/// Our side of a sync, snapshotted on the strand: our work, and headers (transactions dropped) of
/// blocks at exponentially spaced heights, tip first and genesis last, as Bitcoin Core's block
/// locator. Whatever fork a peer is on, one of these is its last common block with us, give or
/// take the spacing, so the peer can answer with only the blocks after it.
struct sync_view
{
    core::work_t work = 0;
    std::vector<core::chain_entry> locator;
    /// The timing at each locator block (same order): what its children's rules need.
    std::vector<core::block_timing> locator_timing;
    /// Hashes of blocks found invalid, and of header tips descending from them: a peer whose tip or
    /// headers contain one serves that chain again, and is not downloaded from.
    std::set<core::hash256> rejected;
    /// Per peer, the /status claim it failed to deliver (less work than claimed): while it makes
    /// the same claim, nothing is downloaded from it. Per peer, as a liar can name an honest tip.
    std::map<std::string, undelivered_claim> undelivered;
};
std::shared_ptr<sync_view> make_sync_view(const core::chain& c);

/// The locator as the `/blocks?locator=` parameter: `height:hash` pairs joined by commas.
std::string locator_parameter(const sync_view& view);

struct sync_limits
{
    net::peer_limits peer;
    core::consensus_params consensus;
    std::size_t page_blocks = 500; ///< blocks asked for per /blocks request
    std::size_t max_blocks = 1'000'000;
    std::size_t max_json_depth = 32;
    /// The whole download from one peer. Per-request deadlines alone would let a peer drip valid
    /// pages just inside them and hold the (coalesced) sync round for hours.
    std::chrono::milliseconds download_deadline{120'000};
    /// Reply bytes this peer's download may read, checked before each request (its share of
    /// the round's --sync-round-bytes, so one peer cannot starve the others). 0: no cap.
    std::uint64_t max_bytes = 0;
    /// Headers fetched per round once they show more work than ours: enough for a good stretch
    /// of bodies, and the next round carries on from the new tip rather than re-reading a
    /// far-behind node's whole header chain every round.
    std::size_t header_lookahead = 10'000;
};

/// What syncing with one peer produced.
struct peer_sync_result
{
    enum class kind
    {
        failed,      ///< unreachable, garbage, or invalid data (see `ban`)
        nothing_new, ///< the peer has no more work than we had
        candidate    ///< validated blocks after our fork point; adopt them if they have more work
    };
    std::string peer;
    kind result = kind::failed;
    std::optional<core::chain_suffix> suffix;
    bool truncated =
        false; ///< the download hit its deadline or the round's byte cap: `suffix` is what arrived
    /// The bodies fell short of the headers (or diverged from them): `suffix` is the part that
    /// matched, and the peer still gets a failure (its delivered work is less than it showed).
    bool short_delivery = false;
    std::vector<core::hash256> rejected;          ///< invalid block hashes to remember (sync_view::rejected)
    std::optional<undelivered_claim> undelivered; ///< its claim, when it fell short of it
    std::string error;
    std::string reason = "unreachable";    ///< metrics label: how the fetch failed or a reject_reason name
    bool ban = false;                      ///< it served invalid blocks or a foreign chain
    std::optional<core::work_t> peer_work; ///< the work its /status claimed, once it answered
    std::uint64_t bytes = 0;               ///< reply bodies received
    unsigned requests = 0;
};

/**
 * Syncs with one peer, headers first: `GET /status`; if the peer claims more work than `view`,
 * `GET /headers?locator=...` then `?from=...` pages (2,000 headers each) until its tip, each
 * checked on `verifier` (proof of work, links, timestamps, cumulative work) as it arrives. Only
 * when the header chain has more work than ours, and at least the work the peer claimed (else it
 * fails as `work_short`), are bodies fetched: `GET /blocks?from=...` for exactly the heights the
 * headers cover, each block validated in full and matched against its header. At
 * `download_deadline`, or when the round's byte budget runs out, the download stops and the blocks
 * validated so far are the (truncated) candidate, so a slow peer still moves a node forward.
 * Never throws for peer misbehaviour: it is reported in the result.
 */
boost::asio::awaitable<peer_sync_result> sync_with_peer(
    net::peer_url peer,
    std::shared_ptr<const sync_view> view,
    sync_limits limits,
    boost::asio::any_io_executor verifier
);

} // namespace beastchain::node
