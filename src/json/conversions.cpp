// JSON <-> core types. Decoders treat every input as hostile: exact types, bounded sizes, named errors.
#include <beastchain/json/conversions.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "reader.hpp"

namespace beastchain::core {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const transaction& tx)
{
    boost::json::object& o = jv.emplace_object();
    o.reserve(7);
    o.emplace("amount", tx.amount);
    if (tx.sig) // signed chains only: the tutorial's transactions keep their five fields
        o.emplace("fee", tx.fee);
    o.emplace("nonce", tx.nonce);
    o.emplace("recipient", tx.recipient);
    o.emplace("sender", tx.sender);
    if (tx.sig)
        o.emplace("signature", to_hex(*tx.sig));
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

using detail::error;
using detail::join;
using detail::object_reader;

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

namespace {

/// A signed transaction's `fee` and `signature`, which come together or not at all.
void read_signature(object_reader& r, core::transaction& tx)
{
    const bool has_fee = r.has("fee");
    if (!r.has("signature")) {
        if (has_fee)
            r.fail("signature", "is required with fee: only a signed transaction pays one");
        return;
    }
    tx.fee = r.unsigned_integer("fee", 0, core::max_amount);
    const std::string sig = r.string("signature");
    core::signature s{};
    if (r.ok() && !(sig.size() == 2 * s.size() && core::is_lower_hex(sig) && core::bytes_from_hex(sig, s)))
        r.fail("signature", "must be 128 lower-case hex digits (a BIP340 signature)");
    tx.sig = s;
}

} // namespace

decoded<core::transaction> decode_transaction_request(const bj::value& jv)
{
    object_reader r(jv, "");
    core::transaction tx;
    tx.sender = r.string("sender");
    tx.recipient = r.string("recipient");
    tx.amount = r.unsigned_integer("amount", 1, core::max_amount);
    read_signature(r, tx);
    // A signed transaction names its sender's nonce; the node assigns the tutorial's.
    if (tx.sig)
        tx.nonce = r.unsigned_integer("nonce", 0, core::max_transaction_nonce);
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
    read_signature(r, tx);
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
    // Leading zero bits on chains of the minimum rule, a compact target on ASERT chains: which
    // one, and its range, is the chain's rule (core::check_block_header), not the reader's.
    b.difficulty = static_cast<std::uint32_t>(
        r.unsigned_integer("difficulty", 0, std::numeric_limits<std::uint32_t>::max())
    );
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

} // namespace beastchain::json
