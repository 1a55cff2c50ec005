// Storage records: what the node writes to its log, and their compact binary encoding.
#pragma once

#include <beastchain/core/block.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::storage {

/// One log record per state change. Values are stable: they are on disk.
enum class record_type : std::uint8_t
{
    node_identity = 1,        ///< the node's reward address, written once
    transaction_accepted = 2, ///< a transaction entered the pending pool
    block_connected = 3,      ///< a block was appended to the best chain
    chain_replaced = 4,       ///< the chain switched: fork index plus the whole new suffix, atomically
    peer_added = 5,           ///< a peer was registered
};

struct stored_block
{
    core::block blk;
    core::hash256 hash{}; ///< stored so start-up need not rehash (checked again with --reverify)
};

struct record
{
    record_type type = record_type::node_identity;
    std::string text;                 ///< node_identity, peer_added
    core::transaction tx;             ///< transaction_accepted
    std::uint64_t fork_index = 0;     ///< chain_replaced
    std::vector<stored_block> blocks; ///< block_connected (one), chain_replaced (the new suffix)
};

/// Payload bytes of a record (the frame adds type, length and checksums).
std::string encode_payload(const record& r);

/// Decodes a payload; nullopt when it is malformed (wrong lengths, trailing bytes, bounds exceeded).
std::optional<record> decode_payload(record_type type, std::string_view payload);

} // namespace beastchain::storage
