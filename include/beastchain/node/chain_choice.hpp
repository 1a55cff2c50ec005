// --chain NAME|FILE: which network a node runs, as the effective chain spec.
#pragma once

#include <beastchain/core/chain_spec.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace beastchain::node {

/// Node settings that shape the spec: unset ones leave the spec's values.
struct chain_overrides
{
    std::optional<std::uint32_t> difficulty;     ///< --difficulty (mining)
    std::optional<std::uint32_t> min_difficulty; ///< --min-difficulty
    std::optional<std::uint32_t> max_block_transactions;
};

/// What a node runs: the effective spec and the difficulty it mines at.
struct chain_choice
{
    core::chain_spec spec;
    std::uint32_t difficulty = 0;
};

/// Resolves `--chain`: a built-in name, else a spec file. Then applies the node settings:
/// - the tutorial chain's minimum follows --min-difficulty, else --difficulty, and
///   --max-block-transactions its limit, as before specs (its genesis does not commit to them);
/// - any other chain takes its rules from its spec alone: --min-difficulty and
///   --max-block-transactions, when given, must equal the spec's; its nodes mine at the spec's
///   minimum unless --difficulty says more.
/// Throws std::runtime_error with a message for the user when the name is neither, the file
/// cannot be read or is no valid spec, or the difficulty is below the minimum.
chain_choice choose_chain(const std::string& name_or_file, const chain_overrides& o);

} // namespace beastchain::node
