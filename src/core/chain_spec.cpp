// Chain specs: the built-ins, their bounds, their canonical bytes and the genesis they commit to.
#include <beastchain/core/chain_spec.hpp>
#include <beastchain/core/hash.hpp>
#include <beastchain/core/pow.hpp>
#include <beastchain/core/target.hpp>
#include <beastchain/core/transaction.hpp>

#include <algorithm>

#include "little_endian.hpp"

namespace beastchain::core {

namespace {

bool name_char(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

validation_result bad(std::string detail)
{
    return validation_result::fail(reject_reason::bad_chain_spec, std::move(detail));
}

} // namespace

std::string_view to_string(transaction_rules r) noexcept
{
    switch (r) {
    case transaction_rules::open:
        return "open";
    case transaction_rules::signed_by_sender:
        return "signed";
    }
    return "unknown";
}

std::string_view to_string(difficulty_rule r) noexcept
{
    switch (r) {
    case difficulty_rule::minimum:
        return "minimum";
    case difficulty_rule::asert:
        return "asert";
    }
    return "unknown";
}

std::vector<std::string_view> builtin_spec_names()
{
    return {"tutorial", "signed"};
}

std::optional<chain_spec> builtin_spec(std::string_view name)
{
    if (name == "tutorial")
        return chain_spec{};
    if (name == "signed") {
        chain_spec s;
        s.name = "signed";
        s.transactions = transaction_rules::signed_by_sender;
        // Room for fees well below one reward: a fee of 1 is a millionth of a block's pay.
        s.block_reward = 1'000'000;
        // Ten-second blocks, retargeted every block; a half-life of an hour (360 blocks, as
        // aserti3-2d's two days are 288 of its blocks) keeps the interval steady at a steady hash
        // rate. Block 1 starts where the minimum rule's default was.
        s.difficulty = difficulty_rule::asert;
        s.target_block_ms = 10'000;
        s.half_life_ms = 60 * 60 * 1000;
        // A clock may run ahead by a minute, not two hours: every second ahead is a second of
        // schedule a miner could claim (median time past bounds the rest).
        s.max_future_seconds = 60;
        return s;
    }
    return std::nullopt;
}

validation_result check_spec(const chain_spec& s)
{
    if (s.name.empty() || s.name.size() > max_spec_name_bytes ||
        !std::all_of(s.name.begin(), s.name.end(), name_char))
        return bad("name must be 1 to 64 characters from a-z, 0-9, '.', '_' and '-'");
    if (s.transactions != transaction_rules::open && s.transactions != transaction_rules::signed_by_sender)
        return bad("transactions must be \"open\" or \"signed\"");
    if (s.block_reward == 0 || s.block_reward > max_amount)
        return bad("block_reward must be from 1 to " + std::to_string(max_amount));
    if (s.difficulty != difficulty_rule::minimum && s.difficulty != difficulty_rule::asert)
        return bad("unknown difficulty rule");
    const bool asert = s.difficulty == difficulty_rule::asert;
    const char* const start = asert ? "initial_difficulty" : "min_difficulty";
    if (s.min_difficulty < 1 || s.min_difficulty > max_difficulty)
        return bad(std::string(start) + " must be from 1 to " + std::to_string(max_difficulty));
    if (!asert && (s.target_block_ms != 0 || s.half_life_ms != 0))
        return bad("target_block_seconds and half_life_seconds belong to the \"asert\" rule");
    if (asert && (s.target_block_ms < 1 || s.target_block_ms > max_spec_block_ms))
        return bad("target_block_seconds must be from 0.001 to 86400");
    // The rule reads median time past, which trails the tip by about six blocks: a half-life of
    // fewer than 16 blocks would turn that lag into oscillation.
    if (asert && (s.half_life_ms < 16 * s.target_block_ms || s.half_life_ms > max_spec_half_life_ms))
        return bad("half_life_seconds must be from 16 times target_block_seconds to 30 days (2592000)");
    if (s.max_block_transactions < 2 || s.max_block_transactions > max_spec_block_transactions)
        return bad(
            "max_block_transactions must be from 2 (a transaction and the reward) to " +
            std::to_string(max_spec_block_transactions)
        );
    if (s.max_future_seconds > max_spec_future_seconds)
        return bad("max_future_seconds must be at most " + std::to_string(max_spec_future_seconds));
    // Timestamps that far ahead, all of a majority's, move the median that much ahead of real
    // time: at most one half-life of schedule, so at most one halving of the work.
    if (asert && std::uint64_t{s.max_future_seconds} * 1000 > s.half_life_ms)
        return bad("max_future_seconds must be at most half_life_seconds on an \"asert\" chain");
    if (const chain_spec tutorial;
        s.name == tutorial.name &&
        (s.transactions != tutorial.transactions || s.block_reward != tutorial.block_reward ||
         s.max_future_seconds != tutorial.max_future_seconds || s.difficulty != tutorial.difficulty))
        return bad(
            "\"tutorial\" names the built-in tutorial chain: give a chain with other rules its own name"
        );
    return validation_result::success();
}

std::string canonical_bytes(const chain_spec& s)
{
    std::string out = "beastchain-chain-spec";
    out.push_back(1); // version of this layout
    detail::put_string(out, s.name);
    out.push_back(static_cast<char>(s.transactions));
    detail::put_le(out, s.block_reward);
    out.push_back(static_cast<char>(s.difficulty));
    detail::put_le(out, s.min_difficulty);
    detail::put_le(out, s.max_block_transactions);
    detail::put_le(out, s.max_future_seconds);
    if (s.difficulty == difficulty_rule::asert) { // absent otherwise, so older specs keep their ids
        detail::put_le(out, s.target_block_ms);
        detail::put_le(out, s.half_life_ms);
    }
    return out;
}

hash256 spec_id(const chain_spec& s)
{
    return sha256(canonical_bytes(s));
}

consensus_params consensus_of(const chain_spec& s)
{
    consensus_params p;
    p.min_difficulty = s.min_difficulty;
    p.max_block_transactions = s.max_block_transactions;
    p.max_future_ms = std::uint64_t{s.max_future_seconds} * 1000;
    p.block_reward = s.block_reward;
    p.genesis_commitment = genesis_commitment(s);
    p.signed_transactions = s.transactions == transaction_rules::signed_by_sender;
    p.chain_id = spec_id(s);
    if (s.difficulty == difficulty_rule::asert)
        p.asert = asert_params{
            .target_block_ms = s.target_block_ms,
            .half_life_ms = s.half_life_ms,
            .anchor_bits = compact_from_target(target_of_difficulty(s.min_difficulty))};
    return p;
}

hash256 genesis_commitment(const chain_spec& s)
{
    return s.name == chain_spec{}.name ? hash256{} : spec_id(s);
}

} // namespace beastchain::core
