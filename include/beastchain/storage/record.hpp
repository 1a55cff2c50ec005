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
    block_connected = 3, ///< a block was appended to the best chain (or, inside a switch, its next block)
    /// The chain switched: fork index plus the new suffix. Never a frame of its own (format 1 wrote
    /// one, unbounded): it is written as switch_begin, one block_connected per block, switch_commit,
    /// and reading the log turns a committed run back into this one record.
    chain_replaced = 4,
    peer_added = 5,    ///< the operator registered a peer (`--peer`, `/register-node`)
    switch_begin = 6,  ///< a chain switch starts: fork index and block count; nothing counts until its commit
    switch_commit = 7, ///< the chain switch begun just before is complete (fork index and count again)
    peer_announced = 8, ///< a peer announced itself and was registered
    peer_removed = 9,   ///< a peer was evicted (an announced one that kept failing, or made room)
    /// A peer announced itself from a public address: contact with it stays on public addresses
    /// (net::peer_url::public_only), whatever its name resolves to later.
    peer_announced_public = 10,
    /// The network the directory holds: "GENESIS_HEX NAME" (the genesis hash names it, the spec
    /// name is for people). Written at the first start; a node of another chain refuses the directory.
    chain_identity = 11,
    /// Signed chains: a pending transaction (its id) was evicted from a full pool by a higher
    /// fee. Without it a restart would bring it back beside the one that took its place.
    transaction_evicted = 12,
};

struct stored_block
{
    core::block blk;
    core::hash256 hash{}; ///< stored so start-up need not rehash (checked again with --reverify)
};

struct record
{
    record_type type = record_type::node_identity;
    std::string text;                 ///< node_identity, chain_identity and the peer records
    core::transaction tx;             ///< transaction_accepted
    std::uint64_t fork_index = 0;     ///< chain_replaced, switch_begin, switch_commit
    std::uint64_t block_count = 0;    ///< switch_begin, switch_commit: blocks in the switch
    std::vector<stored_block> blocks; ///< block_connected (one), chain_replaced (the new suffix)
};

/// Payload bytes of a record that is one frame (the frame adds type, length and checksums).
/// Throws std::invalid_argument for chain_replaced, which is several frames (encode_frames).
std::string encode_payload(const record& r);

struct encoded_frame
{
    record_type type;
    std::string payload;
};

/// The frames a record is written as: its own, or for chain_replaced switch_begin, one
/// block_connected per block and switch_commit, each bounded by the size of one block.
std::vector<encoded_frame> encode_frames(const record& r);

/// Decodes a payload; nullopt when it is malformed (wrong lengths, trailing bytes, bounds exceeded).
std::optional<record> decode_payload(record_type type, std::string_view payload);

} // namespace beastchain::storage
