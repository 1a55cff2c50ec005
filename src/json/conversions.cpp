// JSON <-> core types. Decoders treat every input as hostile: exact types, bounded sizes, named errors.
#include <beastchain/json/conversions.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace beastchain::core {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const transaction& tx)
{
    boost::json::object& o = jv.emplace_object();
    o.reserve(5);
    o.emplace("amount", tx.amount);
    o.emplace("nonce", tx.nonce);
    o.emplace("recipient", tx.recipient);
    o.emplace("sender", tx.sender);
    o.emplace("transaction_id", tx.transaction_id);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const chain_entry& e)
{
    const block& b = e.blk;
    boost::json::object& o = jv.emplace_object();
    o.reserve(7);
    o.emplace("difficulty", b.difficulty);
    o.emplace("hash", to_hex(e.hash));
    o.emplace("index", b.index);
    // The tutorial's genesis carries the integer 0 here; every other block a hex string.
    if (b.index == 0 && b.previous_hash == hash256{})
        o.emplace("previous_hash", 0);
    else
        o.emplace("previous_hash", to_hex(b.previous_hash));
    o.emplace("proof", b.proof);
    o.emplace("timestamp", json::timestamp_to_seconds(b.timestamp_ms));
    boost::json::array& txs = o["transactions"].emplace_array();
    txs.reserve(b.transactions.size());
    for (const auto& tx : b.transactions)
        txs.push_back(boost::json::value_from(tx, jv.storage()));
}

} // namespace beastchain::core

namespace beastchain::json {
namespace bj = boost::json;

namespace {

std::string join(std::string_view path, std::string_view key)
{
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

decode_error error(std::string field, std::string detail)
{
    return {std::move(field), std::move(detail)};
}

/// Reads typed fields out of one JSON object, remembering the first failure.
class object_reader
{
public:
    object_reader(const bj::value& jv, std::string_view path)
        : path_(path)
    {
        if (const bj::object* o = jv.if_object())
            obj_ = o;
        else
            err_ = error(path.empty() ? "body" : std::string(path), "must be a JSON object");
    }

    bool ok() const { return !err_; }
    decode_error take_error() { return std::move(*err_); }

    const bj::value* field(std::string_view key)
    {
        if (err_)
            return nullptr;
        const bj::value* v = obj_->if_contains(key);
        if (v == nullptr)
            err_ = error(join(path_, key), "is required");
        return v;
    }

    std::string string(std::string_view key)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return {};
        if (!v->is_string()) {
            err_ = error(join(path_, key), "must be a string");
            return {};
        }
        return std::string(v->get_string());
    }

    /// A non-negative integer. JSON numbers with a fraction or exponent (3.5, 1e3, 2^64 which
    /// parses as a double) are refused, and so are strings, booleans and null.
    std::uint64_t unsigned_integer(std::string_view key, std::uint64_t min, std::uint64_t max)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return 0;
        std::uint64_t out = 0;
        if (v->is_uint64())
            out = v->get_uint64();
        else if (v->is_int64() && v->get_int64() >= 0)
            out = static_cast<std::uint64_t>(v->get_int64());
        else {
            err_ = error(
                join(path_, key),
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)
            );
            return 0;
        }
        if (out < min || out > max)
            err_ = error(
                join(path_, key),
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)
            );
        return out;
    }

    double number(std::string_view key)
    {
        const bj::value* v = field(key);
        if (v == nullptr)
            return 0;
        if (v->is_double())
            return v->get_double();
        if (v->is_int64())
            return static_cast<double>(v->get_int64());
        if (v->is_uint64())
            return static_cast<double>(v->get_uint64());
        err_ = error(join(path_, key), "must be a number");
        return 0;
    }

    void fail(std::string_view key, std::string detail) { err_ = error(join(path_, key), std::move(detail)); }

    std::string path(std::string_view key) const { return join(path_, key); }

private:
    std::string path_;
    const bj::object* obj_ = nullptr;
    std::optional<decode_error> err_;
};

} // namespace

double timestamp_to_seconds(std::uint64_t ms) noexcept
{
    return static_cast<double>(ms) / 1000.0;
}

std::optional<std::uint64_t> timestamp_from_seconds(double seconds) noexcept
{
    // 2^53 ms bounds the value so the conversion below is exact.
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 9007199254740.991)
        return std::nullopt;
    const auto ms = static_cast<std::uint64_t>(std::llround(seconds * 1000.0));
    if (timestamp_to_seconds(ms) != seconds)
        return std::nullopt;
    return ms;
}

decoded<core::transaction> decode_transaction_request(const bj::value& jv)
{
    object_reader r(jv, "");
    core::transaction tx;
    tx.sender = r.string("sender");
    tx.recipient = r.string("recipient");
    tx.amount = r.unsigned_integer("amount", 1, core::max_amount);
    if (!r.ok())
        return r.take_error();
    return tx;
}

decoded<core::transaction> decode_transaction(const bj::value& jv, std::string_view path)
{
    object_reader r(jv, path);
    core::transaction tx;
    tx.transaction_id = r.string("transaction_id");
    tx.sender = r.string("sender");
    tx.recipient = r.string("recipient");
    tx.amount = r.unsigned_integer("amount", 1, core::max_amount);
    tx.nonce = r.unsigned_integer("nonce", 0, core::max_transaction_nonce);
    if (!r.ok())
        return r.take_error();
    return tx;
}

decoded<received_block> decode_block(const bj::value& jv, std::string_view path)
{
    object_reader r(jv, path);
    received_block out;
    core::block& b = out.blk;
    b.index = r.unsigned_integer("index", 0, core::max_nonce);
    b.proof = r.unsigned_integer("proof", 0, core::max_nonce);
    b.difficulty = static_cast<std::uint32_t>(r.unsigned_integer("difficulty", 0, core::max_difficulty));
    const double seconds = r.number("timestamp");
    const bj::value* prev = r.field("previous_hash");
    const bj::value* txs = r.field("transactions");
    if (!r.ok())
        return r.take_error();

    if (const auto ms = timestamp_from_seconds(seconds))
        b.timestamp_ms = *ms;
    else
        return error(r.path("timestamp"), "must be non-negative seconds with at most millisecond resolution");

    if (prev->is_string()) {
        const auto h = core::hash_from_hex(prev->get_string());
        if (!h)
            return error(r.path("previous_hash"), "must be 64 hex digits");
        b.previous_hash = *h;
    } else if (!(prev->is_int64() && prev->get_int64() == 0)) { // the genesis' integer 0
        return error(r.path("previous_hash"), "must be 64 hex digits (or 0 in the genesis block)");
    }

    if (const bj::value* h = jv.get_object().if_contains("hash")) {
        const auto claimed = h->is_string() ? core::hash_from_hex(h->get_string()) : std::nullopt;
        if (!claimed)
            return error(r.path("hash"), "must be 64 hex digits");
        out.claimed_hash = claimed;
    }

    const bj::array* arr = txs->if_array();
    if (arr == nullptr)
        return error(r.path("transactions"), "must be an array");
    b.transactions.reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto tx = decode_transaction((*arr)[i], r.path("transactions") + "[" + std::to_string(i) + "]");
        if (!tx.ok())
            return tx.error();
        b.transactions.push_back(std::move(tx.value()));
    }
    return out;
}

namespace {

/// Decodes `arr` as blocks into `blocks`/`claims`; `name` prefixes the failing field's path.
std::optional<decode_error> decode_blocks(
    const bj::array& arr,
    std::string_view name,
    std::vector<core::block>& blocks,
    std::vector<std::optional<core::hash256>>& claims
)
{
    blocks.reserve(arr.size());
    claims.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto b = decode_block(arr[i], std::string(name) + "[" + std::to_string(i) + "]");
        if (!b.ok())
            return b.error();
        blocks.push_back(std::move(b.value().blk));
        claims.push_back(b.value().claimed_hash);
    }
    return std::nullopt;
}

/// `v` as an array of at most `max` entries, checked before any entry is decoded; errors name
/// `field` and say what the entries are ("blocks", "entries").
decoded<const bj::array*>
bounded_array(const bj::value& v, std::string field, std::size_t max, std::string_view entries)
{
    const bj::array* arr = v.if_array();
    if (arr == nullptr)
        return error(std::move(field), "must be an array");
    if (arr->size() > max)
        return error(std::move(field), "has more than " + std::to_string(max) + " " + std::string(entries));
    return arr;
}

} // namespace

decoded<peer_status> decode_status_reply(const bj::value& jv)
{
    object_reader r(jv, "");
    peer_status out;
    out.height = r.unsigned_integer("height", 0, std::numeric_limits<std::int64_t>::max());
    const std::string tip = r.string("tip_hash");
    const std::string work = r.string("cumulative_work");
    if (!r.ok())
        return r.take_error();
    const auto hash = core::hash_from_hex(tip);
    if (!hash)
        return error("tip_hash", "must be 64 lowercase hex digits");
    const auto w = core::work_from_string(work);
    if (!w)
        return error("cumulative_work", "must be a decimal integer below 2^128");
    out.tip_hash = *hash;
    out.cumulative_work = *w;
    return out;
}

decoded<blocks_page> decode_blocks_page(const bj::value& jv, std::size_t max_blocks)
{
    object_reader r(jv, "");
    blocks_page out;
    const bj::value* blocks = r.field("blocks");
    out.from = r.unsigned_integer("from", 0, std::numeric_limits<std::int64_t>::max());
    out.height = r.unsigned_integer("height", 0, std::numeric_limits<std::int64_t>::max());
    if (!r.ok())
        return r.take_error();
    auto arr = bounded_array(*blocks, "blocks", max_blocks, "blocks");
    if (!arr.ok())
        return arr.error();
    if (auto e = decode_blocks(*arr.value(), "blocks", out.blocks, out.claimed_hashes))
        return std::move(*e);
    return out;
}

decoded<std::vector<core::transaction>> decode_transaction_batch(const bj::value& jv, std::size_t max)
{
    object_reader r(jv, "");
    const bj::value* txs = r.field("transactions");
    if (!r.ok())
        return r.take_error();
    auto checked = bounded_array(*txs, "transactions", max, "entries");
    if (!checked.ok())
        return checked.error();
    const bj::array& arr = *checked.value();
    std::vector<core::transaction> out;
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto tx = decode_transaction(arr[i], "transactions[" + std::to_string(i) + "]");
        if (!tx.ok())
            return tx.error();
        out.push_back(std::move(tx.value()));
    }
    return out;
}

decoded<std::string> decode_register_request(const bj::value& jv)
{
    object_reader r(jv, "");
    std::string address = r.string("address");
    if (!r.ok())
        return r.take_error();
    return address;
}

} // namespace beastchain::json
