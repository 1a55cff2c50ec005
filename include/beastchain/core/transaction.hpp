// The transaction type, its consensus limits and its stateless well-formedness check.
#pragma once

#include <beastchain/core/keys.hpp>
#include <beastchain/core/validation.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace beastchain::core {

/// Sender of the block reward, as in the tutorial: no real address can be "0".
inline constexpr std::string_view reward_sender = "0";
/// The tutorial pays the miner 1 per block (the default of a chain spec's block_reward).
inline constexpr std::uint64_t reward_amount = 1;
/// Addresses are free-form strings (the tutorial uses "addr1"); bound them so blocks stay small.
inline constexpr std::size_t max_address_bytes = 256;
/// Amounts are positive integers up to 10^15: exact in a double, so JavaScript clients read them losslessly.
inline constexpr std::uint64_t max_amount = 1'000'000'000'000'000ULL;
/// Transaction ids are the SHA-256 of the transaction's canonical bytes, in lower-case hex.
inline constexpr std::size_t transaction_id_chars = 64;
/// Nonces stay below 2^53 so that JSON carries them exactly to any client, JavaScript included.
inline constexpr std::uint64_t max_transaction_nonce = (std::uint64_t{1} << 53) - 1;

struct transaction
{
    std::string transaction_id; ///< transaction_id_of(*this); recomputed for everything received
    std::string sender;
    std::string recipient;
    std::uint64_t amount = 0;
    /// Chosen by the node that first accepted the transaction (the block index for a reward), so
    /// two identical payments have different ids.
    std::uint64_t nonce = 0;
    /// Signed chains only (core/signing.hpp): the fee the block's miner collects, and the
    /// sender's BIP340 signature. Absent on the tutorial's open chain, whose ids are unchanged;
    /// there `nonce` is the node's tie-breaker, here the sender's account sequence number.
    std::uint64_t fee = 0;
    std::optional<signature> sig;

    bool is_reward() const noexcept { return sender == reward_sender; }
    bool is_signed() const noexcept { return sig.has_value(); }
    friend bool operator==(const transaction&, const transaction&) = default;
};

/// A fresh random uuid4 in 32-character lower-case hex (no dashes), for node addresses.
std::string make_uuid_hex();

/// A fresh random nonce in [0, max_transaction_nonce].
std::uint64_t make_transaction_nonce();

/// The bytes a transaction id covers: a version byte, then sender and recipient (each a u32
/// little-endian length and the bytes), amount and nonce (u64 little-endian). A signed
/// transaction is version 2 and adds its fee (u64) and its 64-byte signature, so its id covers
/// the signature too. See docs/design.md.
std::string canonical_bytes(const transaction& tx);

/// SHA-256 of canonical_bytes(tx), as 64 lower-case hex digits.
std::string transaction_id_of(const transaction& tx);

/// A transaction with its id computed from its content.
transaction
make_transaction(std::string sender, std::string recipient, std::uint64_t amount, std::uint64_t nonce);

/// True when `id` is 64 lower-case hex digits.
bool is_valid_transaction_id(std::string_view id) noexcept;

/// Checks an address field: non-empty, bounded, no control characters.
validation_result check_address(std::string_view address, reject_reason reason, std::string_view field);

/// Checks one transaction on its own: id shape, addresses, amount and nonce ranges, and that the
/// id is the hash of the content (so nobody can reuse another transaction's id). Rewards are
/// checked by block rules, but they must be well-formed too.
validation_result check_transaction(const transaction& tx);

/// Checks a transaction submitted by a client: as above, and it may not pose as a reward.
validation_result check_client_transaction(const transaction& tx);

} // namespace beastchain::core
