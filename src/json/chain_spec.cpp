// Chain spec documents: an indented writer and a strict reader for untrusted spec files.
#include <beastchain/json/chain_spec.hpp>

#include <boost/json/serialize.hpp>

#include <initializer_list>

#include "reader.hpp"

namespace beastchain::json {

namespace {

namespace bj = boost::json;

/// The first key of `jv` (an object) that is not in `known`, if any.
std::optional<std::string> unknown_key(const bj::value& jv, std::initializer_list<std::string_view> known)
{
    for (const auto& kv : jv.get_object())
        if (std::find(known.begin(), known.end(), kv.key()) == known.end())
            return std::string(kv.key());
    return std::nullopt;
}

std::optional<decode_error>
check_keys(const bj::value& jv, std::string_view path, std::initializer_list<std::string_view> known)
{
    if (!jv.is_object())
        return detail::error(path.empty() ? "body" : std::string(path), "must be a JSON object");
    if (auto k = unknown_key(jv, known))
        return detail::error(detail::join(path, *k), "is not a chain spec field");
    return std::nullopt;
}

} // namespace

std::string genesis_hash_hex(const core::chain_spec& s)
{
    return core::to_hex(core::genesis_hash_for(core::consensus_of(s)));
}

std::string chain_spec_to_json(const core::chain_spec& s)
{
    auto str = [](std::string_view v) {
        return bj::serialize(bj::string_view(v.data(), v.size()));
    };
    std::string out = "{\n";
    out += "  \"name\": " + str(s.name) + ",\n";
    out += "  \"transactions\": " + str(core::to_string(s.transactions)) + ",\n";
    out += "  \"block_reward\": " + std::to_string(s.block_reward) + ",\n";
    out += "  \"difficulty\": {\"rule\": " + str(core::to_string(s.difficulty)) +
           ", \"min_difficulty\": " + std::to_string(s.min_difficulty) + "},\n";
    out += "  \"limits\": {\"max_block_transactions\": " + std::to_string(s.max_block_transactions) +
           ", \"max_future_seconds\": " + std::to_string(s.max_future_seconds) + "},\n";
    out += "  \"id\": " + str(core::to_hex(core::spec_id(s))) + ",\n";
    out += "  \"genesis_hash\": " + str(genesis_hash_hex(s)) + "\n";
    out += "}\n";
    return out;
}

decoded<core::chain_spec> decode_chain_spec(std::string_view text)
{
    auto parsed = parse_body(text, kind::status_reply);
    if (!parsed.ok())
        return parsed.error();
    const bj::value& jv = parsed.value();
    if (auto e = check_keys(
            jv, "", {"name", "transactions", "block_reward", "difficulty", "limits", "id", "genesis_hash"}
        ))
        return *e;

    core::chain_spec s;
    detail::object_reader r(jv, "");
    s.name = r.string("name");
    const std::string transactions = r.string("transactions");
    s.block_reward = r.unsigned_integer("block_reward", 1, core::max_amount);
    const bj::value* difficulty = r.field("difficulty");
    const bj::value* limits = r.field("limits");
    if (!r.ok())
        return r.take_error();
    if (transactions == "open")
        s.transactions = core::transaction_rules::open;
    else if (transactions == "signed")
        s.transactions = core::transaction_rules::signed_by_sender;
    else
        return detail::error("transactions", "must be \"open\" or \"signed\"");

    if (auto e = check_keys(*difficulty, "difficulty", {"rule", "min_difficulty"}))
        return *e;
    detail::object_reader d(*difficulty, "difficulty");
    const std::string rule = d.string("rule");
    s.min_difficulty =
        static_cast<std::uint32_t>(d.unsigned_integer("min_difficulty", 1, core::max_difficulty));
    if (!d.ok())
        return d.take_error();
    if (rule != core::to_string(core::difficulty_rule::minimum))
        return detail::error("difficulty.rule", "must be \"minimum\" (the only rule this version knows)");

    if (auto e = check_keys(*limits, "limits", {"max_block_transactions", "max_future_seconds"}))
        return *e;
    detail::object_reader l(*limits, "limits");
    s.max_block_transactions = static_cast<std::uint32_t>(
        l.unsigned_integer("max_block_transactions", 2, core::max_spec_block_transactions)
    );
    s.max_future_seconds =
        static_cast<std::uint32_t>(l.unsigned_integer("max_future_seconds", 0, core::max_spec_future_seconds)
        );
    if (!l.ok())
        return l.take_error();

    if (auto ok = core::check_spec(s); !ok)
        return detail::error("spec", ok.detail);
    // The derived fields are optional (a hand-written spec need not compute them) but never wrong:
    // a copy edited after printing would otherwise claim an id it no longer has.
    if (r.has("id") && r.string("id") != core::to_hex(core::spec_id(s)))
        return detail::error(
            "id", "does not match the spec's fields (remove it, or restore the fields it was printed with)"
        );
    if (r.has("genesis_hash") && r.string("genesis_hash") != genesis_hash_hex(s))
        return detail::error(
            "genesis_hash",
            "does not match the spec's fields (remove it, or restore the fields it was printed with)"
        );
    if (!r.ok())
        return r.take_error();
    return s;
}

} // namespace beastchain::json
