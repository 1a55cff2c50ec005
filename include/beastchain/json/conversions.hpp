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

/// Float seconds as JSON carries them <-> integer milliseconds. Seconds must be a finite,
/// non-negative number that is an exact millisecond.
double timestamp_to_seconds(std::uint64_t ms) noexcept;
std::optional<std::uint64_t> timestamp_from_seconds(double seconds) noexcept;

} // namespace beastchain::json
