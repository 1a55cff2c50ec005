// Boost.JSON mapping of core types: tag_invoke serializers, and field-naming decoders for untrusted input.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/json/parse.hpp>

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::core {

// Serializers, found by ADL from boost::json::value_from. Keys are emitted in alphabetical order,
// as the tutorial's Flask jsonify does, so replies diff cleanly against the tutorial's.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const transaction& tx);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const chain_entry& e);

} // namespace beastchain::core

namespace beastchain::json {

/// A client's `{sender, recipient, amount}`; the node assigns the id. Unknown fields are ignored.
decoded<core::transaction> decode_transaction_request(const boost::json::value& jv);

/// A transaction as it appears inside a block: the client fields plus `transaction_id`.
decoded<core::transaction> decode_transaction(const boost::json::value& jv, std::string_view path = "");

/// A block as peers send it; `hash`, when present, is the sender's claim and is checked later.
struct received_block
{
    core::block blk;
    std::optional<core::hash256> claimed_hash;
};
decoded<received_block> decode_block(const boost::json::value& jv, std::string_view path = "");

/// A peer's `/status` reply, reduced to what sync needs to decide whether to fetch anything.
struct peer_status
{
    std::uint64_t height = 0;
    core::hash256 tip_hash{};
    core::work_t cumulative_work = 0;
};
decoded<peer_status> decode_status_reply(const boost::json::value& jv);

/// A `/blocks` page: `{"blocks": [block, ...], "from": H, "height": N}` with at most `max_blocks`
/// blocks; `from` is the first block's height and `height` the sender's tip height.
struct blocks_page
{
    std::uint64_t from = 0;
    std::uint64_t height = 0;
    std::vector<core::block> blocks;
    std::vector<std::optional<core::hash256>> claimed_hashes;
};
decoded<blocks_page> decode_blocks_page(const boost::json::value& jv, std::size_t max_blocks);

/// A relayed batch `{"transactions": [transaction, ...]}` (ids included), at most `max` of them.
decoded<std::vector<core::transaction>>
decode_transaction_batch(const boost::json::value& jv, std::size_t max);

/// `{"address": "..."}` of /register-node (the URL itself is checked by the network layer).
decoded<std::string> decode_register_request(const boost::json::value& jv);

/// Float seconds as JSON carries them <-> integer milliseconds. Seconds must be a finite,
/// non-negative number that is an exact millisecond.
double timestamp_to_seconds(std::uint64_t ms) noexcept;
std::optional<std::uint64_t> timestamp_from_seconds(double seconds) noexcept;

} // namespace beastchain::json
