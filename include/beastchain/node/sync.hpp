// Incremental sync with one peer: compare work, find the fork with a locator, fetch only what is missing.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/net/peer_client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beastchain::node {

/// Our side of a sync, snapshotted on the strand: our work, and headers (transactions dropped) of
/// blocks at exponentially spaced heights, tip first and genesis last, as Bitcoin Core's block
/// locator. Whatever fork a peer is on, one of these is its last common block with us, give or
/// take the spacing, so the peer can answer with only the blocks after it.
struct sync_view
{
    core::work_t work = 0;
    std::vector<core::chain_entry> locator;
};
std::shared_ptr<const sync_view> make_sync_view(const core::chain& c);

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
    bool truncated = false; ///< the download hit its deadline: `suffix` is what arrived in time
    std::string error;
    std::string reason = "unreachable";    ///< metrics label: how the fetch failed or a reject_reason name
    bool ban = false;                      ///< it served invalid blocks or a foreign chain
    std::optional<core::work_t> peer_work; ///< the work its /status claimed, once it answered
    std::uint64_t bytes = 0;               ///< reply bodies received
    unsigned requests = 0;
};

/**
 * Syncs with one peer: `GET /status`; if the peer claims more work than `view`, `GET
 * /blocks?locator=...` then `GET /blocks?from=...` pages until its tip (or `max_blocks`). Each page
 * is parsed and validated on `verifier` as it arrives, so a bad block stops the download. At
 * `download_deadline` the download stops and the pages validated so far are the (truncated)
 * candidate, so a slow peer still moves a node forward. Never throws for peer misbehaviour: it is
 * reported in the result.
 */
boost::asio::awaitable<peer_sync_result> sync_with_peer(
    net::peer_url peer,
    std::shared_ptr<const sync_view> view,
    sync_limits limits,
    boost::asio::any_io_executor verifier
);

} // namespace beastchain::node
