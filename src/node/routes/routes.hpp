// The route handlers, grouped by resource, and the helpers every group shares.
#pragma once

#include <beastchain/net/access.hpp>
#include <beastchain/net/http.hpp>
#include <beastchain/net/router.hpp>
#include <beastchain/node/errors.hpp>
#include <beastchain/node/node.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../request_body.hpp"

namespace beastchain::node::routes {

namespace asio = boost::asio;
namespace http = net::http;
using net::request;
using net::response;

// ---- transactions.cpp: the tutorial's /create-transaction and the peers' relay -------------
asio::awaitable<response> create_transaction(node& n, const request& req, const net::client&);
asio::awaitable<response> receive_transactions(node& n, const request& req, const net::client&);
/// GET /transactions/{id}: pending, confirmed (with its block and depth), or 404 unknown.
asio::awaitable<response> transaction(node& n, const request& req, const net::client&);
asio::awaitable<response> account(node& n, const request& req, const net::client&);

// ---- chain.cpp: mining, the chain and its blocks ---------------------------------------------
asio::awaitable<response> mine(node& n, const request& req, const net::client&);
asio::awaitable<response> chain(node& n, const request& req, const net::client&);
asio::awaitable<response> blocks(node& n, const request& req, const net::client&);
asio::awaitable<response> headers(node& n, const request& req, const net::client&);
asio::awaitable<response> receive_inventory(node& n, const request& req, const net::client&);
asio::awaitable<response> block(node& n, const request& req, const net::client&);
asio::awaitable<response> receive_block(node& n, const request& req, const net::client&);

// ---- peers.cpp: registration, sync and the peer list -----------------------------------------
asio::awaitable<response> register_node(node& n, const request& req, const net::client&);
/// POST /announce: a peer announcing its own address (peer protocol, no token). Admitted only
/// if it answers /status as a node, and, from a public source, only at a public address.
asio::awaitable<response> announce(node& n, const request& req, const net::client& from);
asio::awaitable<response> sync_chain(node& n, const request& req, const net::client&);
asio::awaitable<response> nodes(node& n, const request& req, const net::client&);

// ---- operations.cpp: health, status and metrics ----------------------------------------------
asio::awaitable<response> health(node& n, const request& req, const net::client&);
asio::awaitable<response> status(node& n, const request& req, const net::client&);
asio::awaitable<response> metrics(node& n, const request& req, const net::client&);

// ---- explorer.cpp: the explorer's pages, the views behind them and the event stream -----------
/// GET /: the explorer for a browser (Accept: text/html), the JSON 404 it always was for others.
asio::awaitable<response> home(node& n, const request& req, const net::client&);
/// GET /explorer/...: the explorer's one page, which reads its path to know what to show.
asio::awaitable<response> explorer_page(node& n, const request& req, const net::client&);
/// GET /explorer/assets/{name}: its script and style sheet.
asio::awaitable<response> explorer_asset_route(node& n, const request& req, const net::client&);
asio::awaitable<response> address(node& n, const request& req, const net::client&);
asio::awaitable<response> recent_transactions(node& n, const request& req, const net::client&);
asio::awaitable<response> mempool(node& n, const request& req, const net::client&);
/// GET /search?q=...: what the query names (explorer_service::search_json).
asio::awaitable<response> search(node& n, const request& req, const net::client&);
/// A block of the best chain by its hash (64 hex digits); /blocks/{} answers hashes with it.
asio::awaitable<response> block_by_hash(node& n, std::string_view hex);
/// GET /events: a stream of Server-Sent Events, or the refusal.
net::feed_result
events(node& n, const request& req, const net::client& from, const asio::any_io_executor& ex);

// ---- reply.cpp: shared -----------------------------------------------------------------------

/// The one map from a node error to its HTTP status, JSON error name and Retry-After.
response error_reply(const node_error& e);
response reply(http::status status, const boost::json::object& o);
/// 400 invalid_parameter naming a query or path parameter.
response invalid_parameter(std::string_view name, std::string_view detail);
/// A decimal height below 2^53: digits only, so "+1", "1e3", " 1" and "0x1" are refused.
std::optional<std::uint64_t> parse_height(std::string_view s);
/// The advertised address in a peer's origin header, or empty when absent or malformed (it only
/// saves an echo, so a bad one is ignored rather than refused).
std::string origin_of(const request& req);

/// read_body with the node's JSON depth limit and its worker pool for large bodies.
template <class T, class Decode>
asio::awaitable<body_or_reply<T>>
read_json(node& n, const request& req, json::parse_limits shape, Decode decode)
{
    return read_body<T>(req, shape, n.settings().max_json_depth, n.worker_executor(), std::move(decode));
}

} // namespace beastchain::node::routes
