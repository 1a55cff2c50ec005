// The peer protocol's messages, encoded and decoded side by side.
#include <beastchain/json/peer_messages.hpp>

#include <boost/json.hpp>

#include "reader.hpp"

namespace beastchain::json {

namespace bj = boost::json;
using detail::error;
using detail::object_reader;

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
    if (r.has("protocol"))
        out.protocol = static_cast<std::uint32_t>(r.unsigned_integer("protocol", 1, 0xFFFF'FFFFu));
    const std::string genesis = r.has("genesis_hash") ? r.string("genesis_hash") : std::string();
    if (!r.ok())
        return r.take_error();
    if (!genesis.empty()) {
        out.genesis_hash = core::hash_from_hex(genesis);
        if (!out.genesis_hash)
            return error("genesis_hash", "must be 64 lowercase hex digits");
    }
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

decoded<headers_page> decode_headers_page(const bj::value& jv, std::size_t max_headers)
{
    object_reader r(jv, "");
    headers_page out;
    const bj::value* headers = r.field("headers");
    out.from = r.unsigned_integer("from", 0, std::numeric_limits<std::int64_t>::max());
    out.height = r.unsigned_integer("height", 0, std::numeric_limits<std::int64_t>::max());
    if (!r.ok())
        return r.take_error();
    auto arr = bounded_array(*headers, "headers", max_headers, "headers");
    if (!arr.ok())
        return arr.error();
    out.headers.resize(arr.value()->size());
    for (std::size_t i = 0; i < out.headers.size(); ++i) {
        const bj::string* hex = (*arr.value())[i].if_string();
        if (hex == nullptr || !core::bytes_from_hex(*hex, out.headers[i]))
            return error(
                "headers[" + std::to_string(i) + "]",
                "must be " + std::to_string(2 * core::header_size) + " hex digits"
            );
    }
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

void encode_status(bj::object& o, const peer_status& st)
{
    o["cumulative_work"] = core::work_to_string(st.cumulative_work);
    if (st.genesis_hash)
        o["genesis_hash"] = core::to_hex(*st.genesis_hash);
    o["height"] = st.height;
    o["protocol"] = protocol_version;
    o["tip_hash"] = core::to_hex(st.tip_hash);
}

std::string blocks_page_tail(std::uint64_t from, const core::chain_entry& tip)
{
    std::string tail = "],\"from\":" + std::to_string(from);
    tail += ",\"height\":" + std::to_string(tip.blk.index);
    tail += ",\"tip_hash\":\"" + core::to_hex(tip.hash) + "\"}";
    return tail;
}

std::string blocks_from_target(std::uint64_t from, std::size_t limit)
{
    return "/blocks?limit=" + std::to_string(limit) + "&from=" + std::to_string(from);
}

std::string encode_headers_page(
    std::uint64_t from, const core::chain_entry& tip, std::span<const std::string* const> headers
)
{
    std::string body;
    body.reserve(64 + headers.size() * (2 * core::header_size + 3));
    body += "{\"from\":" + std::to_string(from) + ",\"headers\":[";
    for (std::size_t i = 0; i < headers.size(); ++i) {
        if (i > 0)
            body += ',';
        body += '"';
        body += *headers[i];
        body += '"';
    }
    body += "],\"height\":" + std::to_string(tip.blk.index) + "}";
    return body;
}

std::string headers_after_target(std::string_view locator, std::size_t limit)
{
    return "/headers?limit=" + std::to_string(limit) + "&locator=" + std::string(locator);
}

std::string headers_from_target(std::uint64_t from, std::size_t limit)
{
    return "/headers?limit=" + std::to_string(limit) + "&from=" + std::to_string(from);
}

std::string encode_transaction_batch(std::span<const core::transaction> txs)
{
    bj::array batch;
    batch.reserve(txs.size());
    for (const auto& tx : txs)
        batch.push_back(bj::value_from(tx));
    return bj::serialize(bj::object{{"transactions", std::move(batch)}});
}

std::string encode_inventory(std::span<const std::string> ids)
{
    bj::array arr;
    arr.reserve(ids.size());
    for (const auto& id : ids)
        arr.emplace_back(id);
    return bj::serialize(bj::object{{"transactions", std::move(arr)}});
}

decoded<std::vector<std::string>> decode_inventory(const bj::value& jv, std::size_t max)
{
    object_reader r(jv, "");
    const bj::value* ids = r.field("transactions");
    if (!r.ok())
        return r.take_error();
    auto arr = bounded_array(*ids, "transactions", max, "ids");
    if (!arr.ok())
        return arr.error();
    std::vector<std::string> out;
    out.reserve(arr.value()->size());
    for (std::size_t i = 0; i < arr.value()->size(); ++i) {
        const bj::string* id = (*arr.value())[i].if_string();
        if (id == nullptr || !core::hash_from_hex(*id))
            return error(
                "transactions[" + std::to_string(i) + "]", "must be a transaction id (64 hex digits)"
            );
        out.emplace_back(*id);
    }
    return out;
}

std::string encode_missing(std::span<const std::size_t> positions)
{
    bj::array arr;
    arr.reserve(positions.size());
    for (const auto p : positions)
        arr.emplace_back(p);
    return bj::serialize(bj::object{{"missing", std::move(arr)}});
}

decoded<std::vector<std::size_t>> decode_missing(const bj::value& jv, std::size_t sent)
{
    object_reader r(jv, "");
    const bj::value* missing = r.field("missing");
    if (!r.ok())
        return r.take_error();
    auto arr = bounded_array(*missing, "missing", sent, "positions");
    if (!arr.ok())
        return arr.error();
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < arr.value()->size(); ++i) {
        const auto* n = (*arr.value())[i].if_int64();
        if (n == nullptr || *n < 0 || static_cast<std::size_t>(*n) >= sent ||
            (!out.empty() && static_cast<std::size_t>(*n) <= out.back()))
            return error(
                "missing[" + std::to_string(i) + "]",
                "must be ascending positions below " + std::to_string(sent)
            );
        out.push_back(static_cast<std::size_t>(*n));
    }
    return out;
}

std::string encode_register_request(std::string_view address)
{
    return bj::serialize(bj::object{{"address", address}});
}

} // namespace beastchain::json
