// libFuzzer target: a client's /create-transaction body through parsing, decoding and the transaction rules.
#include <beastchain/core/transaction.hpp>
#include <beastchain/json/conversions.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain;
    auto parsed = json::parse_body(
        std::string_view(reinterpret_cast<const char*>(data), size), json::kind::client_request
    );
    if (!parsed.ok())
        return 0;
    auto tx = json::decode_transaction_request(parsed.value());
    if (!tx.ok())
        return 0;
    tx.value().nonce = core::make_transaction_nonce();
    tx.value().transaction_id = core::transaction_id_of(tx.value());
    (void)core::check_client_transaction(tx.value());
    return 0;
}
