// The chain spec's JSON form: what --print-chain-spec prints and --chain FILE reads.
#pragma once

#include <beastchain/core/chain_spec.hpp>
#include <beastchain/json/parse.hpp>

#include <string>
#include <string_view>

namespace beastchain::json {

/// The spec as an indented JSON document (one field per line, so it reads and diffs well),
/// with its derived `id` and `genesis_hash` for people; the decoder checks them when present.
std::string chain_spec_to_json(const core::chain_spec& s);

/// Reads a spec document. Strict, since it sets consensus: every field is required, an unknown
/// key is refused (a misspelt limit must not silently fall back to a default), and the result
/// must pass core::check_spec.
decoded<core::chain_spec> decode_chain_spec(std::string_view text);

/// Hex of the genesis block hash of the spec's chain.
std::string genesis_hash_hex(const core::chain_spec& s);

} // namespace beastchain::json
