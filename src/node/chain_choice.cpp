// Resolving --chain: built-in specs, spec files, and the node settings that still shape them.
#include <beastchain/json/chain_spec.hpp>
#include <beastchain/node/chain_choice.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace beastchain::node {

namespace {

/// A spec file is a few hundred bytes; refuse to read something that is clearly not one.
constexpr std::size_t max_spec_file_bytes = 64 * 1024;

core::chain_spec read_spec_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::string names;
        for (auto n : core::builtin_spec_names())
            names += (names.empty() ? "" : ", ") + std::string(n);
        throw std::runtime_error(
            "--chain " + path + ": no built-in chain has that name (" + names +
            ") and no file can be read there"
        );
    }
    std::string text(max_spec_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_spec_file_bytes)
        throw std::runtime_error("--chain " + path + ": larger than a chain spec can be (64 KiB)");
    auto s = json::decode_chain_spec(text);
    if (!s.ok())
        throw std::runtime_error("--chain " + path + ": " + s.error().field + " " + s.error().detail);
    return s.value();
}

} // namespace

chain_choice choose_chain(const std::string& name_or_file, const chain_overrides& o)
{
    chain_choice out;
    if (auto builtin = core::builtin_spec(name_or_file))
        out.spec = *builtin;
    else
        out.spec = read_spec_file(name_or_file);
    const bool tutorial = out.spec.name == core::chain_spec{}.name;
    if (tutorial) { // node settings, as before specs: its genesis does not commit to them
        if (o.min_difficulty)
            out.spec.min_difficulty = *o.min_difficulty;
        else if (o.difficulty)
            out.spec.min_difficulty = *o.difficulty;
        if (o.max_block_transactions)
            out.spec.max_block_transactions = *o.max_block_transactions;
    } else {
        // A spec file's rules come from the file alone. A setting that differs (from a config
        // file written for the tutorial, say) would silently make another network.
        const auto same = [&](const char* flag, std::optional<std::uint32_t> given, std::uint32_t spec) {
            if (given && *given != spec)
                throw std::runtime_error(
                    std::string("--") + flag + " " + std::to_string(*given) + " differs from chain \"" +
                    out.spec.name + "\"'s " + std::to_string(spec) +
                    ": its rules come from its spec file (drop the setting, or edit the spec to make another "
                    "network)"
                );
        };
        same("min-difficulty", o.min_difficulty, out.spec.min_difficulty);
        same("max-block-transactions", o.max_block_transactions, out.spec.max_block_transactions);
    }
    if (out.spec.difficulty == core::difficulty_rule::asert && o.difficulty)
        throw std::runtime_error(
            "--difficulty " + std::to_string(*o.difficulty) + ": chain \"" + out.spec.name +
            "\" sets every block's difficulty itself (rule \"asert\"); drop the setting"
        );
    out.difficulty = o.difficulty.value_or(out.spec.min_difficulty);
    if (out.difficulty < out.spec.min_difficulty)
        throw std::runtime_error(
            "--difficulty " + std::to_string(out.difficulty) + " is below the chain's minimum of " +
            std::to_string(out.spec.min_difficulty) + ": its blocks would be invalid"
        );
    if (auto ok = core::check_spec(out.spec); !ok)
        throw std::runtime_error("--chain " + name_or_file + ": " + ok.detail);
    return out;
}

} // namespace beastchain::node
