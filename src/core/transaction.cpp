// Transaction ids and the stateless rules every transaction must satisfy.
#include <beastchain/core/hash.hpp>
#include <beastchain/core/transaction.hpp>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid.hpp>

#include <algorithm>

namespace beastchain::core {

std::string make_uuid_hex()
{
    // random_generator seeds from the OS once and is not thread-safe: one per thread.
    thread_local boost::uuids::random_generator generator;
    const boost::uuids::uuid id = generator();
    return to_hex(std::span<const std::uint8_t>(id.begin(), id.end()));
}

bool is_valid_transaction_id(std::string_view id) noexcept
{
    return id.size() == transaction_id_chars && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
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
            reject_reason::bad_transaction_id, "transaction_id must be 32 lower-case hex digits"
        );
    if (auto r = check_address(tx.sender, reject_reason::bad_sender, "sender"); !r)
        return r;
    if (auto r = check_address(tx.recipient, reject_reason::bad_recipient, "recipient"); !r)
        return r;
    if (tx.amount < 1 || tx.amount > max_amount)
        return validation_result::fail(
            reject_reason::bad_amount, "amount must be an integer from 1 to " + std::to_string(max_amount)
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
