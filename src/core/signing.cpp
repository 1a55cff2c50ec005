// Signing and checking transactions of a signed chain.
#include <beastchain/core/hash.hpp>
#include <beastchain/core/signing.hpp>

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
    for (int i = 0; i < 8; ++i)
        data.push_back(static_cast<char>((tx.fee >> (8 * i)) & 0xff));
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
    if (!is_valid_transaction_id(tx.transaction_id))
        return fail(reject_reason::bad_transaction_id, "transaction_id must be 64 lower-case hex digits");
    const auto sender_key = public_key_from_address(tx.sender);
    if (!sender_key)
        return fail(
            reject_reason::bad_sender, "sender is not an address (bc..., 74 characters, checksummed)"
        );
    if (!public_key_from_address(tx.recipient))
        return fail(
            reject_reason::bad_recipient, "recipient is not an address (bc..., 74 characters, checksummed)"
        );
    if (tx.amount < 1 || tx.amount > max_amount)
        return fail(
            reject_reason::bad_amount, "amount must be an integer from 1 to " + std::to_string(max_amount)
        );
    // Both bounded by 10^15, so their sum cannot wrap: it is compared, never trusted.
    if (tx.fee > max_amount || tx.amount + tx.fee > max_amount)
        return fail(reject_reason::bad_fee, "amount plus fee must be at most " + std::to_string(max_amount));
    if (tx.nonce > max_transaction_nonce)
        return fail(
            reject_reason::bad_nonce,
            "nonce must be an integer from 0 to " + std::to_string(max_transaction_nonce)
        );
    if (tx.transaction_id != transaction_id_of(tx))
        return fail(
            reject_reason::transaction_id_mismatch,
            "transaction_id is not the hash of the transaction's content"
        );
    if (!verify(*sender_key, signing_hash(tx, chain_id), *tx.sig))
        return fail(
            reject_reason::bad_signature, "the signature does not verify for the sender's key on this chain"
        );
    return validation_result::success();
}

} // namespace beastchain::core
