// libFuzzer target: what peers send (a /blocks or /headers page, a /status reply, a relayed
// transaction batch) through parsing, decoding and validation.
#include <beastchain/core/chain.hpp>
#include <beastchain/core/headers.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain;
    auto parsed = json::parse_body(
        std::string_view(reinterpret_cast<const char*>(data), size),
        json::kind::with_arrays(json::max_headers_per_page)
    );
    if (!parsed.ok())
        return 0;
    core::consensus_params params;
    params.min_difficulty = 1; // let fuzzed blocks reach the deeper rules
    constexpr std::uint64_t now = 1'800'000'000'000ULL;
    (void)json::decode_status_reply(parsed.value());
    (void)json::decode_transaction_batch(parsed.value(), 1'000);
    const core::chain_entry genesis{core::genesis_block(), core::genesis_hash(), core::block_work(0)};
    if (auto page = json::decode_headers_page(parsed.value(), json::max_headers_per_page); page.ok()) {
        // As headers-first sync does with a page that claims to follow genesis.
        std::vector<core::chain_entry> headers;
        core::chain_rejection why;
        (void)core::validate_headers(
            headers, genesis, core::genesis_timing(genesis.blk), page.value().headers, now, params, why
        );
    }
    if (auto page = json::decode_blocks_page(parsed.value(), 500); page.ok()) {
        // As incremental sync does with a page that claims to follow genesis.
        std::vector<core::chain_entry> entries;
        std::unordered_set<std::string> txids;
        core::chain_rejection why;
        (void)core::validate_extension(
            entries,
            genesis,
            core::genesis_timing(genesis.blk),
            std::move(page.value().blocks),
            page.value().claimed_hashes,
            now,
            params,
            txids,
            why
        );
    }
    return 0;
}
