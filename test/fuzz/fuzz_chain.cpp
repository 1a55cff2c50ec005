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

namespace {

using namespace beastchain;

/// A /headers or /blocks page checked as sync checks one that claims to follow genesis.
void validate_pages(
    const boost::json::value& jv, const core::chain_entry& genesis, const core::consensus_params& params
)
{
    constexpr std::uint64_t now = 1'800'000'000'000ULL;
    if (auto page = json::decode_headers_page(jv, json::max_headers_per_page); page.ok()) {
        std::vector<core::chain_entry> headers;
        core::chain_rejection why;
        (void)core::validate_headers(
            headers, genesis, core::genesis_timing(genesis.blk), page.value().headers, now, params, why
        );
    }
    if (auto page = json::decode_blocks_page(jv, 500); page.ok()) {
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
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace beastchain;
    auto parsed = json::parse_body(
        std::string_view(reinterpret_cast<const char*>(data), size),
        json::kind::with_arrays(json::max_headers_per_page)
    );
    if (!parsed.ok())
        return 0;
    (void)json::decode_status_reply(parsed.value());
    (void)json::decode_transaction_batch(parsed.value(), 1'000);
    const core::chain_entry genesis{core::genesis_block(), core::genesis_hash(), core::block_work(0)};
    core::consensus_params minimum;
    minimum.min_difficulty = 1; // let fuzzed blocks reach the deeper rules
    // And the ASERT rule: compact targets, their canonical form, median time past and the
    // required target on hostile input. Block 1 at the easiest target, so a page can get past it.
    core::consensus_params asert;
    asert.asert = core::asert_params{1000, 20'000, core::compact_from_target(core::easiest_target())};
    for (const core::consensus_params* params : {&minimum, &asert})
        validate_pages(parsed.value(), genesis, *params);
    return 0;
}
