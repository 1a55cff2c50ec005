// libFuzzer target: a peer's /chain reply through parsing, decoding and whole-chain validation.
#include <beastchain/core/chain.hpp>
#include <beastchain/json/conversions.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain;
    auto parsed = json::parse_body(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!parsed.ok())
        return 0;
    auto chain = json::decode_chain_reply(parsed.value(), 10'000);
    if (!chain.ok())
        return 0;
    core::consensus_params params;
    params.min_difficulty = 1; // let fuzzed blocks reach the deeper rules
    core::chain_rejection why;
    (void)core::validate_chain(
        std::move(chain.value().blocks), chain.value().claimed_hashes, 1'800'000'000'000ULL, params, why
    );
    return 0;
}
