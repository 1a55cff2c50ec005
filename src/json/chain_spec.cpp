// Chain spec documents: an indented writer and a strict reader for untrusted spec files.
#include <beastchain/json/chain_spec.hpp>

#include <boost/json/serialize.hpp>

#include <cmath>
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

/// Milliseconds as seconds, exact: "10", "0.5", "0.001".
std::string seconds_text(std::uint64_t ms)
{
    std::string out = std::to_string(ms / 1000);
    if (const std::uint64_t frac = ms % 1000; frac != 0) {
        std::string digits = std::to_string(1000 + frac).substr(1); // three digits
        while (digits.back() == '0')
            digits.pop_back();
        out += "." + digits;
    }
    return out;
}

/// A duration in seconds with at most millisecond precision, as milliseconds; 0 when `r` failed.
std::uint64_t read_ms(detail::object_reader& r, std::string_view key, std::uint64_t max_ms)
{
    const double seconds = r.number(key);
    if (!r.ok())
        return 0;
    const double ms = seconds * 1000;
    const double whole = std::round(ms);
    if (!std::isfinite(ms) || ms < 1 || ms > static_cast<double>(max_ms) || std::abs(ms - whole) > 1e-6) {
        r.fail(
            key,
            "must be a number of seconds from 0.001 to " + seconds_text(max_ms) + ", in whole milliseconds"
        );
        return 0;
    }
    return static_cast<std::uint64_t>(whole);
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
    if (s.difficulty == core::difficulty_rule::asert) {
        out += "  \"target_block_seconds\": " + seconds_text(s.target_block_ms) + ",\n";
        out += "  \"difficulty\": {\"rule\": " + str(core::to_string(s.difficulty)) +
               ", \"initial_difficulty\": " + std::to_string(s.min_difficulty) +
               ", \"half_life_seconds\": " + seconds_text(s.half_life_ms) + "},\n";
    } else {
        out += "  \"difficulty\": {\"rule\": " + str(core::to_string(s.difficulty)) +
               ", \"min_difficulty\": " + std::to_string(s.min_difficulty) + "},\n";
    }
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
            jv,
            "",
            {"name",
             "transactions",
             "block_reward",
             "target_block_seconds",
             "difficulty",
             "limits",
             "id",
             "genesis_hash"}
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

    if (!difficulty->is_object())
        return detail::error("difficulty", "must be a JSON object");
    detail::object_reader d(*difficulty, "difficulty");
    const std::string rule = d.string("rule");
    if (!d.ok())
        return d.take_error();
    if (rule == core::to_string(core::difficulty_rule::minimum)) {
        if (auto e = check_keys(*difficulty, "difficulty", {"rule", "min_difficulty"}))
            return *e;
        if (r.has("target_block_seconds"))
            return detail::error("target_block_seconds", "belongs to the \"asert\" difficulty rule");
        s.min_difficulty =
            static_cast<std::uint32_t>(d.unsigned_integer("min_difficulty", 1, core::max_difficulty));
    } else if (rule == core::to_string(core::difficulty_rule::asert)) {
        if (auto e =
                check_keys(*difficulty, "difficulty", {"rule", "initial_difficulty", "half_life_seconds"}))
            return *e;
        s.difficulty = core::difficulty_rule::asert;
        s.min_difficulty =
            static_cast<std::uint32_t>(d.unsigned_integer("initial_difficulty", 1, core::max_difficulty));
        s.half_life_ms = read_ms(d, "half_life_seconds", core::max_spec_half_life_ms);
        s.target_block_ms = read_ms(r, "target_block_seconds", core::max_spec_block_ms);
        if (!r.ok())
            return r.take_error();
    } else {
        return detail::error("difficulty.rule", "must be \"minimum\" or \"asert\"");
    }
    if (!d.ok())
        return d.take_error();

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
