// Transactions: the tutorial's /create-transaction and the peers' relayed batches.
#include <beastchain/core/address.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/node.hpp>

#include <boost/json/value_from.hpp>

#include "routes.hpp"

namespace beastchain::node::routes {

namespace {

/// Relayed transactions per batch; relay sends at most 500.
constexpr std::size_t max_batch = 1000;

/// A relayed batch, every entry checked (ids recomputed), all or nothing: one bad entry refuses
/// the batch before any is applied. CPU-bound, so it runs where the body is parsed.
json::decoded<std::vector<core::transaction>> decode_checked_batch(const boost::json::value& jv)
{
    auto decoded = json::decode_transaction_batch(jv, max_batch);
    if (!decoded.ok())
        return decoded;
    for (std::size_t i = 0; i < decoded.value().size(); ++i)
        if (auto r = core::check_client_transaction(decoded.value()[i]); !r)
            return json::decode_error{
                "transactions[" + std::to_string(i) + "]",
                "(" + std::string(core::to_string(r.reason)) + "): " + r.detail};
    return decoded;
}

} // namespace

asio::awaitable<response> create_transaction(node& n, const request& req, const net::client&)
{
    auto body = co_await read_json<core::transaction>(
        n, req, json::kind::client_request, json::decode_transaction_request
    );
    if (auto* bad = std::get_if<response>(&body))
        co_return std::move(*bad);
    core::transaction tx = std::move(std::get<core::transaction>(body));
    if (!tx.is_signed()) // the tutorial's: the node picks the nonce; a signed one carries the sender's
        tx.nonce = core::make_transaction_nonce();
    tx.transaction_id = core::transaction_id_of(tx);
    const std::string id = tx.transaction_id;

    const auto out = co_await n.submit_transaction(std::move(tx));
    if (!out)
        co_return error_reply(out.error());
    boost::json::object o;
    o.emplace("block_index", *out);
    o.emplace("message", "Transaction has been submitted successfully");
    o.emplace("transaction_id", id);
    co_return reply(http::status::created, o);
}

asio::awaitable<response> receive_transactions(node& n, const request& req, const net::client&)
{
    using batch = std::vector<core::transaction>;
    auto body = co_await read_json<batch>(n, req, json::kind::with_arrays(max_batch), decode_checked_batch);
    if (auto* bad = std::get_if<response>(&body))
        co_return std::move(*bad);
    const auto out = co_await n.receive_transactions(std::move(std::get<batch>(body)), origin_of(req));
    if (!out)
        co_return error_reply(out.error());
    co_return reply(
        http::status::ok, {{"accepted", out->accepted}, {"dropped", out->dropped}, {"known", out->known}}
    );
}

asio::awaitable<response> transaction(node& n, const request& req, const net::client&)
{
    const std::string id(net::last_segment(req.target()));
    if (!core::is_valid_transaction_id(id))
        co_return invalid_parameter("id", "must be a transaction id (64 lower-case hex digits)");
    const transaction_status st = co_await n.find_transaction(id);
    using state = core::ledger::transaction_lookup::state;
    boost::json::object o;
    o.emplace("transaction_id", id);
    switch (st.found.where) {
    case state::unknown:
        // An error, so it has the error shape; `status` as well, for clients that poll it.
        o.emplace("error", "unknown_transaction");
        o.emplace("detail", "this node has no transaction " + id + " pending or in its best chain");
        o.emplace("status", "unknown");
        co_return reply(http::status::not_found, o);
    case state::pending:
        o.emplace("status", "pending");
        break;
    case state::confirmed:
        o.emplace("status", "confirmed");
        o.emplace("block_index", st.found.block_index);
        o.emplace("confirmations", st.height - st.found.block_index + 1);
        break;
    case state::dropped:
        // Never silent: a conflict with the chain, or a higher fee that took its place.
        o.emplace("status", st.found.evicted ? "evicted" : "conflicted");
        o.emplace("reason", core::to_string(st.found.why.reason));
        o.emplace("detail", st.found.why.detail);
        break;
    }
    o.emplace("transaction", boost::json::value_from(st.found.tx));
    co_return reply(http::status::ok, o);
}

asio::awaitable<response> account(node& n, const request& req, const net::client&)
{
    std::string address(net::last_segment(req.target()));
    if (!n.settings().consensus.signed_transactions)
        co_return net::error_response(
            http::status::not_found,
            "no_accounts",
            "this chain (" + n.settings().chain.name + ") is open: it keeps no balances or nonces",
            std::nullopt
        );
    if (!core::public_key_from_address(address))
        co_return invalid_parameter("address", "must be an address (bc..., 74 characters, checksummed)");
    const account_status st = co_await n.find_account(address);
    boost::json::object o;
    o.emplace("address", address);
    o.emplace("balance", st.confirmed.balance);
    o.emplace("nonce", st.confirmed.next_nonce);
    o.emplace("height", st.height);
    // What a wallet needs next: the nonce after the pending ones, and what it can still spend.
    o.emplace(
        "pending",
        boost::json::object{
            {"count", st.pending_count},
            {"spend", st.pending_spend},
            {"next_nonce", st.confirmed.next_nonce + st.pending_count},
            {"available", st.confirmed.balance - std::min(st.confirmed.balance, st.pending_spend)}}
    );
    co_return reply(http::status::ok, o);
}

asio::awaitable<response> receive_inventory(node& n, const request& req, const net::client&)
{
    using ids = std::vector<std::string>;
    const auto decode = [](const boost::json::value& jv) {
        return json::decode_inventory(jv, json::max_inventory);
    };
    auto body = co_await read_json<ids>(n, req, json::kind::with_arrays(json::max_inventory), decode);
    if (auto* bad = std::get_if<response>(&body))
        co_return std::move(*bad);
    const auto missing = co_await n.missing_transactions(std::move(std::get<ids>(body)));
    co_return net::json_response(http::status::ok, json::encode_missing(missing));
}

} // namespace beastchain::node::routes
