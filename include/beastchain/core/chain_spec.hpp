// The chain spec: the consensus rules a network is created with, and the genesis that commits to them.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/core/validation.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::core {

/// Who may spend: the tutorial's open transactions (any sender, no balances), or signed ones.
enum class transaction_rules : std::uint8_t
{
    open = 1,
    signed_by_sender = 2,
};

/// How a block's required difficulty is set.
enum class difficulty_rule : std::uint8_t
{
    /// Any difficulty from `min_difficulty` up; each node mines at its own `--difficulty`, and
    /// the chain with the most work wins. The tutorial's rule.
    minimum = 1,
    /// The chain sets each block's target (core/target.hpp: ASERT, as Bitcoin Cash's aserti3-2d)
    /// toward `target_block_ms`, from block 1 at `min_difficulty`; a miner cannot choose it.
    asert = 2,
};

/**
 * Everything every node of one network must agree on. Two nodes with different specs are
 * different networks: the genesis block commits to the spec's id (its previous hash is the id),
 * so their chains share nothing, and peers tell them apart before any block is exchanged.
 */
struct chain_spec
{
    std::string name = "tutorial";
    transaction_rules transactions = transaction_rules::open;
    /// Paid to the miner of each block (the tutorial's 1).
    std::uint64_t block_reward = 1;
    difficulty_rule difficulty = difficulty_rule::minimum;
    /// Minimum rule: blocks below this difficulty are invalid. ASERT: block 1's difficulty, the
    /// anchor the chain's targets move from (JSON calls it initial_difficulty there).
    std::uint32_t min_difficulty = 20;
    /// ASERT only: the block interval it steers toward, and the time ahead of (behind) schedule
    /// that doubles (halves) the difficulty. Both 0 under the minimum rule.
    std::uint64_t target_block_ms = 0;
    std::uint64_t half_life_ms = 0;
    /// Transactions per block, the reward included.
    std::uint32_t max_block_transactions = 1000;
    /// How far a block's timestamp may run ahead of the validating node's clock.
    std::uint32_t max_future_seconds = 2 * 60 * 60;

    friend bool operator==(const chain_spec&, const chain_spec&) = default;
};

/// Bounds every spec must respect, whoever wrote it.
inline constexpr std::size_t max_spec_name_bytes = 64;
inline constexpr std::uint32_t max_spec_block_transactions = 100'000;
inline constexpr std::uint32_t max_spec_future_seconds = 7 * 24 * 60 * 60;
inline constexpr std::uint64_t max_spec_block_ms = 24 * 60 * 60 * 1000;             // a day
inline constexpr std::uint64_t max_spec_half_life_ms = 30ULL * 24 * 60 * 60 * 1000; // 30 days

/// Stable names: "open"/"signed", "minimum"/"asert". Parsers use these.
std::string_view to_string(transaction_rules r) noexcept;
std::string_view to_string(difficulty_rule r) noexcept;

/// Names of the built-in specs, and the spec for one of them.
std::vector<std::string_view> builtin_spec_names();
std::optional<chain_spec> builtin_spec(std::string_view name);

/// Whether a spec is one this version can run: a name of 1 to 64 characters from [a-z0-9._-],
/// a positive reward of at most max_amount, limits within their bounds, and rules it implements.
/// The name "tutorial" is the built-in tutorial chain's: a spec using it must keep that chain's
/// transaction rule, reward and future-timestamp limit, because its genesis does not commit to
/// them (see below); only its minimum difficulty and block size stay node settings.
validation_result check_spec(const chain_spec& s);

/// The bytes the spec id covers: a tag and version, then every field in declaration order
/// (strings as a u32 little-endian length and the bytes, integers little-endian).
std::string canonical_bytes(const chain_spec& s);

/// SHA-256 of canonical_bytes(s): the network's id, committed to by its genesis block.
hash256 spec_id(const chain_spec& s);

/// What the genesis block's previous hash holds: the spec id, so each spec is its own network.
/// The tutorial chain alone keeps the tutorial's genesis, whose previous hash is 0, as the
/// tutorial's clients read it; its minimum difficulty and block limits stay node settings, as
/// they were before specs, until difficulty becomes a rule of the chain.
hash256 genesis_commitment(const chain_spec& s);

/// The rules a chain of this spec is validated with, its genesis commitment included.
consensus_params consensus_of(const chain_spec& s);

} // namespace beastchain::core
