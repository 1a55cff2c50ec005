// Signed transactions: what the sender signs (bound to one chain), how they are made, and the
// stateless checks a signed chain adds (address form, fee, amount plus fee, the signature).
#pragma once

#include <beastchain/core/address.hpp>
#include <beastchain/core/transaction.hpp>

#include <span>

namespace beastchain::core {

/// BIP340's tagged hash, SHA-256(SHA-256(tag) || SHA-256(tag) || data): a signature for one
/// purpose can never be replayed as one for another.
hash256 tagged_hash(std::string_view tag, std::string_view data);

/// The 32 bytes a sender signs: tagged "beastchain/transaction" over the chain's spec id, then
/// sender, recipient, amount, fee and nonce as canonical_bytes lays them out. The chain id makes
/// a transaction signed for one network worthless on every other.
hash256 signing_hash(const transaction& tx, const hash256& chain_id);

/// A transaction from the key's address, signed for `chain_id`, with its id.
transaction make_signed_transaction(
    const secret_key& key,
    std::string recipient,
    std::uint64_t amount,
    std::uint64_t fee,
    std::uint64_t nonce,
    const hash256& chain_id
);

/// Every rule a signed transaction must pass on its own: it is signed, check_transaction's
/// rules (id form, amount, nonce, id = hash of content), both parties are addresses, fee 0 to
/// max_amount and amount + fee at most max_amount, and last, as the costliest, the signature
/// verifies for the sender's key over signing_hash(tx, chain_id). Rewards are checked by block
/// rules.
validation_result check_signed_transaction(const transaction& tx, const hash256& chain_id);

/// Verifies the signed transactions among `txs` on up to `threads` threads (one below 64
/// transactions, where starting threads costs more than it saves) and remembers each that
/// verifies, so check_signed_transaction on the chain strand does not verify it again. Returns
/// whether all verified; the strand's check then names the one that did not.
bool preverify_signatures(std::span<const transaction> txs, const hash256& chain_id, unsigned threads);

/// The signature cache (Bitcoin Core keeps one for the same reason): valid (chain id,
/// transaction id) pairs, whose id covers the signature. Thread-safe and bounded: two
/// generations of at most `signature_cache_generation` entries each.
inline constexpr std::size_t signature_cache_generation = 50'000;
bool signature_cache_contains(const transaction& tx, const hash256& chain_id);
/// Forgets every entry: benchmarks time verification itself with it.
void signature_cache_clear();

} // namespace beastchain::core
