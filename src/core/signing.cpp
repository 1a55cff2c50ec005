// Signing and checking transactions of a signed chain.
#include <beastchain/core/hash.hpp>
#include <beastchain/core/signing.hpp>

#include "little_endian.hpp"

namespace beastchain::core {

namespace {

constexpr std::string_view transaction_tag = "beastchain/transaction";

validation_result fail(reject_reason r, std::string detail)
{
    return validation_result::fail(r, std::move(detail));
}

} // namespace

hash256 tagged_hash(std::string_view tag, std::string_view data)
{
    const hash256 t = sha256(tag);
    std::string bytes(reinterpret_cast<const char*>(t.data()), t.size());
    bytes += bytes;
    bytes += data;
    return sha256(bytes);
}

hash256 signing_hash(const transaction& tx, const hash256& chain_id)
{
    transaction unsigned_copy = tx;
    unsigned_copy.sig.reset();
    std::string data(reinterpret_cast<const char*>(chain_id.data()), chain_id.size());
    data += canonical_bytes(unsigned_copy);
    // The fee is not in version 1's bytes: append it, so a relay cannot change what was paid.
    detail::put_le(data, tx.fee);
    return tagged_hash(transaction_tag, data);
}

transaction make_signed_transaction(
    const secret_key& key,
    std::string recipient,
    std::uint64_t amount,
    std::uint64_t fee,
    std::uint64_t nonce,
    const hash256& chain_id
)
{
    transaction tx;
    tx.sender = address_of(public_key_of(key));
    tx.recipient = std::move(recipient);
    tx.amount = amount;
    tx.fee = fee;
    tx.nonce = nonce;
    tx.sig = sign(key, signing_hash(tx, chain_id));
    tx.transaction_id = transaction_id_of(tx);
    return tx;
}

validation_result check_signed_transaction(const transaction& tx, const hash256& chain_id)
{
    if (!tx.sig)
        return fail(
            reject_reason::unsigned_transaction,
            "this chain takes signed transactions only: signature is missing"
        );
    // What every transaction must be: id form, bounded fields, amount, nonce, id = content hash.
    if (auto r = check_transaction(tx); !r)
        return r;
    const auto sender_key = public_key_from_address(tx.sender);
    if (!sender_key)
        return fail(
            reject_reason::bad_sender, "sender is not an address (bc..., 74 characters, checksummed)"
        );
    if (!public_key_from_address(tx.recipient))
        return fail(
            reject_reason::bad_recipient, "recipient is not an address (bc..., 74 characters, checksummed)"
        );
    // The amount is at most 10^15 (checked above) and so is the fee here: the sum cannot wrap.
    if (tx.fee > max_amount || tx.amount + tx.fee > max_amount)
        return fail(reject_reason::bad_fee, "amount plus fee must be at most " + std::to_string(max_amount));
    if (!verify(*sender_key, signing_hash(tx, chain_id), *tx.sig))
        return fail(
            reject_reason::bad_signature, "the signature does not verify for the sender's key on this chain"
        );
    return validation_result::success();
}

} // namespace beastchain::core
