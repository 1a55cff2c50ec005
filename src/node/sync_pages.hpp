// The checking half of sync: a peer's small /status reply, and each /headers or /blocks page
// (CPU-bound, so on the verifier).
#pragma once

#include <beastchain/node/sync.hpp>

#include <unordered_set>

namespace beastchain::node::sync_pages {

/// How a page turned out.
struct page_check
{
    bool ok = false;
    bool ban = false;
    bool done = false;          ///< no further pages are needed
    bool stopped_early = false; ///< done before the peer's tip for a reason that is nobody's fault
    std::string error;
    std::string reason;
    std::vector<core::hash256> rejected; ///< hashes to remember as refused
};

/// The header chain one peer has shown so far: headers after our block `from - 1`.
struct header_download
{
    core::chain_entry parent; ///< our (locator) block the headers hang off
    core::block_timing parent_timing;
    std::vector<core::chain_entry> entries;
    std::uint64_t from() const noexcept { return parent.blk.index + 1; }
};

/// The blocks downloaded so far, one per header, from the same parent.
struct body_download
{
    std::vector<core::chain_entry> entries;
    std::unordered_set<std::string> txids;
};

/// A `/headers` page checked onto `hd`. `first`: the locator reply, whose parent must be one of
/// our locator blocks (it becomes hd->parent).
boost::asio::awaitable<page_check>
check_headers(std::string body, bool first, const sync_view* view, header_download* hd, sync_limits limits);

/// A `/blocks` page checked onto `dl`: full validation, then each block must be the one its
/// header named. Blocks that diverge from the headers end the download (`stopped_early` unset:
/// the caller counts a short delivery).
boost::asio::awaitable<page_check>
check_bodies(std::string body, const header_download* hd, body_download* dl, sync_limits limits);

/// Reads /status into `out.peer_work` and `tip`, or says why its reply is unusable and sets
/// `reason` for the metrics: incompatible_protocol or other_network for a peer of another
/// network (never banned); otherwise it stays as the caller set it.
std::optional<std::string> read_status(
    const std::string& body,
    std::size_t depth,
    const core::hash256& our_genesis,
    peer_sync_result& out,
    core::hash256& tip,
    std::string& reason
);

} // namespace beastchain::node::sync_pages
