// Transaction ids and the stateless rules every transaction must satisfy.
#include <beastchain/core/hash.hpp>
#include <beastchain/core/transaction.hpp>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid.hpp>

#include <algorithm>
#include <random>

#include "little_endian.hpp"

namespace beastchain::core {

std::string make_uuid_hex()
{
    // random_generator seeds from the OS once and is not thread-safe: one per thread.
    thread_local boost::uuids::random_generator generator;
    const boost::uuids::uuid id = generator();
    return to_hex(std::span<const std::uint8_t>(id.begin(), id.end()));
}

std::uint64_t make_transaction_nonce()
{
    // Not a secret, only a tie-breaker between identical payments: a seeded engine per thread.
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine() & max_transaction_nonce;
}

namespace {

constexpr std::uint8_t canonical_version = 1;
constexpr std::uint8_t signed_version = 2;

using detail::put_string;

void put_u64(std::string& out, std::uint64_t v)
{
    detail::put_le(out, v);
}

} // namespace

std::string canonical_bytes(const transaction& tx)
{
    std::string out;
    out.reserve(1 + 8 + tx.sender.size() + tx.recipient.size() + 16);
    out.push_back(static_cast<char>(canonical_version));
    put_string(out, tx.sender);
    put_string(out, tx.recipient);
    put_u64(out, tx.amount);
    put_u64(out, tx.nonce);
    if (tx.sig) {
        out[0] = static_cast<char>(signed_version);
        put_u64(out, tx.fee);
        out.append(reinterpret_cast<const char*>(tx.sig->data()), tx.sig->size());
    }
    return out;
}

std::string transaction_id_of(const transaction& tx)
{
    return to_hex(sha256(canonical_bytes(tx)));
}

transaction
make_transaction(std::string sender, std::string recipient, std::uint64_t amount, std::uint64_t nonce)
{
    transaction tx{{}, std::move(sender), std::move(recipient), amount, nonce, 0, std::nullopt};
    tx.transaction_id = transaction_id_of(tx);
    return tx;
}

bool is_valid_transaction_id(std::string_view id) noexcept
{
    return id.size() == transaction_id_chars && is_lower_hex(id);
}

validation_result check_address(std::string_view address, reject_reason reason, std::string_view field)
{
    if (address.empty())
        return validation_result::fail(reason, std::string(field) + " must not be empty");
    if (address.size() > max_address_bytes)
        return validation_result::fail(
            reason, std::string(field) + " is longer than " + std::to_string(max_address_bytes) + " bytes"
        );
    const bool has_control = std::any_of(address.begin(), address.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (has_control)
        return validation_result::fail(reason, std::string(field) + " contains control characters");
    return validation_result::success();
}

validation_result check_transaction(const transaction& tx)
{
    if (!is_valid_transaction_id(tx.transaction_id))
        return validation_result::fail(
            reject_reason::bad_transaction_id, "transaction_id must be 64 lower-case hex digits"
        );
    if (auto r = check_address(tx.sender, reject_reason::bad_sender, "sender"); !r)
        return r;
    if (auto r = check_address(tx.recipient, reject_reason::bad_recipient, "recipient"); !r)
        return r;
    if (tx.amount < 1 || tx.amount > max_amount)
        return validation_result::fail(
            reject_reason::bad_amount, "amount must be an integer from 1 to " + std::to_string(max_amount)
        );
    if (!tx.is_signed() && tx.fee != 0)
        return validation_result::fail(reject_reason::bad_fee, "only a signed transaction pays a fee");
    if (tx.nonce > max_transaction_nonce)
        return validation_result::fail(
            reject_reason::bad_nonce,
            "nonce must be an integer from 0 to " + std::to_string(max_transaction_nonce)
        );
    // Last, as the costliest check: an id not bound to the content would let anyone confirm a
    // different payment under an acknowledged transaction's id and so erase it.
    if (tx.transaction_id != transaction_id_of(tx))
        return validation_result::fail(
            reject_reason::transaction_id_mismatch,
            "transaction_id is not the hash of the transaction's content"
        );
    return validation_result::success();
}

validation_result check_client_transaction(const transaction& tx)
{
    if (tx.is_reward())
        return validation_result::fail(
            reject_reason::bad_sender, "sender \"0\" is reserved for mining rewards"
        );
    return check_transaction(tx);
}

} // namespace beastchain::core
