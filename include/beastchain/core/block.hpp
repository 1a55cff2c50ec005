// The block type, its canonical header serialization and hash, and the shared genesis block.
#pragma once

#include <beastchain/core/hash.hpp>
#include <beastchain/core/transaction.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace beastchain::core {

struct block
{
    std::uint64_t index = 0;
    hash256 previous_hash{};
    std::uint64_t proof = 0;        ///< The proof-of-work nonce.
    std::uint64_t timestamp_ms = 0; ///< Milliseconds since the epoch; JSON carries it as float seconds.
    std::uint32_t difficulty = 0;   ///< Required leading zero bits of the block hash.
    std::vector<transaction> transactions;

    friend bool operator==(const block&, const block&) = default;
};

/// Version tag at the start of every serialized header, so a future format cannot be confused with this one.
inline constexpr std::uint32_t header_version = 1;
/// Size of the canonical header; see docs/design.md ("Hash serialization").
inline constexpr std::size_t header_size = 96;
/// Offset of the 8-byte nonce: it is last, so miners hash the first 64 bytes once (the midstate).
inline constexpr std::size_t header_nonce_offset = 88;

using header_bytes = std::array<std::uint8_t, header_size>;

/// Leaf hash of one transaction: SHA-256 over 0x00 and its length-prefixed fields.
hash256 transaction_leaf_hash(const transaction& tx);

/// Merkle root over the transactions' leaf hashes (all-zero for an empty list). Internal nodes are
/// SHA-256(0x01 || left || right); an odd node is carried up unchanged, so no list has a twin.
hash256 merkle_root(std::span<const transaction> txs);

/// The 96-byte header that the block hash covers; `merkle` must be merkle_root(b.transactions).
header_bytes serialize_header(const block& b, const hash256& merkle);

/// SHA-256 of the header: covers every field and, through the Merkle root, every transaction.
hash256 block_hash(const block& b);

/// The genesis block every beastchain node starts from (index 0, proof 0, previous hash 0, no
/// transactions, a fixed timestamp), so chains from different nodes are comparable.
const block& genesis_block();
const hash256& genesis_hash();

} // namespace beastchain::core
