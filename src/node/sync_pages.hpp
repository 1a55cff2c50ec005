// The CPU-bound half of sync: parsing and checking one /headers or /blocks page, on the verifier.
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

} // namespace beastchain::node::sync_pages
