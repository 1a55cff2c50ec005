// The peer protocol's messages: each one's encoder beside its decoder, so the two cannot drift.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/json/conversions.hpp>

#include <boost/json/fwd.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::json {

/// The peer protocol's version, carried in /status as `protocol`. Peers talk only to peers of
/// the same version; anything that changes what a message means, which blocks are valid or which
/// routes a peer must serve bumps it. A peer of another version (or of none: every node before
/// 2, whose transaction ids were not bound to their content) is refused with that reason and
/// never banned: it is a different network, not a liar. 2: content-bound transaction ids (log
/// format 2). 3: headers-first sync (`GET /headers`, which a version-2 node does not serve) and
/// relay inventories (`POST /inventory`). 4: peers announce through `POST /announce`, as
/// `/register-node` became the operator's (behind the token off loopback).
inline constexpr std::uint32_t protocol_version = 4;

// ---- GET /status ---------------------------------------------------------------------------

/// A peer's `/status` reply, reduced to what sync needs to decide whether to fetch anything.
struct peer_status
{
    std::uint64_t height = 0;
    core::hash256 tip_hash{};
    core::work_t cumulative_work = 0;
    std::uint32_t protocol = 0; ///< 0 when the reply names none
    /// The peer's genesis block, which names its network. A node from before chain specs names
    /// none; it can only be on the tutorial chain, whose genesis is the tutorial's.
    std::optional<core::hash256> genesis_hash;

    /// The genesis that names the peer's network: the one it names, else the tutorial's.
    core::hash256 network() const { return genesis_hash.value_or(core::genesis_hash()); }
};
/// Writes the fields peers read into a `/status` reply (which carries more, for people),
/// `protocol` always being this node's protocol_version.
void encode_status(boost::json::object& o, const peer_status& st);
decoded<peer_status> decode_status_reply(const boost::json::value& jv);

// ---- GET /blocks ---------------------------------------------------------------------------

/// A `/blocks` page: `{"blocks": [block, ...], "from": H, "height": N, "tip_hash": ...}` with at
/// most `max_blocks` blocks; `from` is the first block's height and `height` the sender's tip.
struct blocks_page
{
    std::uint64_t from = 0;
    std::uint64_t height = 0;
    std::vector<core::block> blocks;
    std::vector<std::optional<core::hash256>> claimed_hashes;
};
/// A page is written as this head, the serialized blocks joined by commas (the node's shared
/// per-block text, never copied), and `blocks_page_tail`.
inline constexpr std::string_view blocks_page_head = "{\"blocks\":[";
std::string blocks_page_tail(std::uint64_t from, const core::chain_entry& tip);
decoded<blocks_page> decode_blocks_page(const boost::json::value& jv, std::size_t max_blocks);

/// The request target for a page of blocks from a height.
std::string blocks_from_target(std::uint64_t from, std::size_t limit);

// ---- GET /headers --------------------------------------------------------------------------

/// Headers per `/headers` page at most (Bitcoin's `headers` message carries 2,000 too).
inline constexpr std::size_t max_headers_per_page = 2000;

/// A `/headers` page: `{"from": H, "headers": ["<192 hex digits>", ...], "height": N}`. Each
/// entry is the 96-byte header its block hash covers, so the receiver recomputes every hash and
/// checks proof of work and links without a single transaction.
struct headers_page
{
    std::uint64_t from = 0;
    std::uint64_t height = 0;
    std::vector<core::header_bytes> headers;
};
/// `headers` are already hex (the node's per-block cache).
std::string encode_headers_page(
    std::uint64_t from, const core::chain_entry& tip, std::span<const std::string* const> headers
);
decoded<headers_page> decode_headers_page(const boost::json::value& jv, std::size_t max_headers);

std::string headers_after_target(std::string_view locator, std::size_t limit);
std::string headers_from_target(std::uint64_t from, std::size_t limit);

// ---- POST /transactions --------------------------------------------------------------------

/// A relayed batch `{"transactions": [transaction, ...]}` (ids included), at most `max` of them.
std::string encode_transaction_batch(std::span<const core::transaction> txs);
decoded<std::vector<core::transaction>>
decode_transaction_batch(const boost::json::value& jv, std::size_t max);

// ---- POST /inventory ------------------------------------------------------------------------

/// Transaction ids per inventory message at most (a relay batch's size).
inline constexpr std::size_t max_inventory = 500;

/// `{"transactions": ["<id>", ...]}`: ids of pending transactions a peer may lack (ones that fell
/// out of its full relay queue). The reply names the ones it lacks by position:
/// `{"missing": [i, ...]}`, ascending, each below the number of ids sent.
std::string encode_inventory(std::span<const std::string> ids);
decoded<std::vector<std::string>> decode_inventory(const boost::json::value& jv, std::size_t max);
std::string encode_missing(std::span<const std::size_t> positions);
decoded<std::vector<std::size_t>> decode_missing(const boost::json::value& jv, std::size_t sent);

// ---- POST /register-node (a client's registration or a peer's announcement) ------------------

std::string encode_register_request(std::string_view address);
/// `{"address": "..."}` (the URL itself is checked by the network layer).
decoded<std::string> decode_register_request(const boost::json::value& jv);

} // namespace beastchain::json
