// The route list, in one place: a node's handlers once it is loaded, "starting" until then.
#include <beastchain/node/api.hpp>

#include <span>

#include "routes/routes.hpp"

namespace beastchain::node {

namespace {

using routes::request;
using routes::response;
namespace http = net::http;

using handler_fn = boost::asio::awaitable<response> (*)(node&, const request&, const net::client&);

struct route_spec
{
    const char* path;
    http::verb verb;
    handler_fn fn;
    net::route_options options;
};

/// A client's transaction or a peer's address is well under 1 KiB; only the peer protocol's
/// batches and blocks need the server-wide limit (--max-body-bytes).
constexpr std::size_t small_body_limit = 16 * 1024;

// clang-format off
constexpr auto operator_only = net::route_access::operator_only;
constexpr route_spec api_routes[] = {
    // The tutorial's five routes. Those that spend this node's work or change its peers are the
    // operator's: open on loopback, and elsewhere behind the token (docs/api.md, "Access").
    {"/create-transaction", http::verb::post, routes::create_transaction, {.max_body = small_body_limit, .side_effects = true}},
    // A /mine whose client left is dropped before its search starts: it must not force a block.
    {"/mine",               http::verb::get,  routes::mine,               {.cancel_when_client_leaves = true, .access = operator_only, .side_effects = true}},
    {"/chain",              http::verb::get,  routes::chain,              {}},
    {"/register-node",      http::verb::post, routes::register_node,      {.max_body = small_body_limit, .access = operator_only, .side_effects = true}},
    {"/sync-chain",         http::verb::get,  routes::sync_chain,         {.access = operator_only, .side_effects = true}},
    // Operations.
    {"/health",             http::verb::get,  routes::health,             {}},
    {"/status",             http::verb::get,  routes::status,             {}},
    {"/metrics",            http::verb::get,  routes::metrics,            {.access = operator_only}},
    {"/nodes",              http::verb::get,  routes::nodes,              {.access = operator_only}},
    // Peer protocol: open, as peers hold no token; a browser page still cannot post to them.
    {"/announce",           http::verb::post, routes::announce,           {.max_body = small_body_limit, .side_effects = true}},
    {"/transactions",       http::verb::post, routes::receive_transactions, {.side_effects = true}},
    {"/inventory",          http::verb::post, routes::receive_inventory,  {.side_effects = true}},
    {"/blocks",             http::verb::post, routes::receive_block,      {.side_effects = true}},
    {"/blocks",             http::verb::get,  routes::blocks,             {}},
    {"/blocks/{}",          http::verb::get,  routes::block,              {}},
    {"/transactions/{}",    http::verb::get,  routes::transaction,        {}},
    {"/accounts/{}",        http::verb::get,  routes::account,            {}},
    {"/headers",            http::verb::get,  routes::headers,            {}},
    // The explorer (docs/api.md, "Explorer"): its pages, and the views it and scripts read.
    {"/",                   http::verb::get,  routes::home,               {}},
    {"/explorer",           http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/block/{}",  http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/tx/{}",     http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/address/{}",http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/mempool",   http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/peers",     http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/search",    http::verb::get,  routes::explorer_page,      {}},
    {"/explorer/assets/{}", http::verb::get,  routes::explorer_asset_route, {}},
    {"/addresses/{}",       http::verb::get,  routes::address,            {}},
    {"/addresses",          http::verb::get,  routes::address,            {}},
    {"/explorer/address",   http::verb::get,  routes::explorer_page,      {}},
    {"/transactions",       http::verb::get,  routes::recent_transactions, {}},
    {"/mempool",            http::verb::get,  routes::mempool,            {}},
    {"/search",             http::verb::get,  routes::search,             {}},
};
// clang-format on

/// 503 with Retry-After while the node loads: for ordinary routes and the event stream alike.
response starting_reply()
{
    response res = net::error_response(
        http::status::service_unavailable, "starting", "the node is loading its chain; try again shortly"
    );
    res.set(http::field::retry_after, "1");
    return res;
}

boost::asio::awaitable<response> starting(const request&, const net::client&)
{
    co_return starting_reply();
}

boost::asio::awaitable<response> health_starting(const request&, const net::client&)
{
    co_return net::json_response(http::status::service_unavailable, R"({"status":"starting"})");
}

} // namespace

net::router make_api(const std::atomic<node*>& live)
{
    net::router r;
    for (const auto& spec : api_routes) {
        // A plain lambda returning the handler's awaitable: the coroutine holds the node by
        // reference, and the node outlives the router. The acquire pairs with the release that
        // publishes the loaded node, so a handler on any I/O thread sees it whole.
        const handler_fn fn = spec.fn;
        const bool is_health = spec.fn == routes::health;
        r.add(
            spec.path,
            spec.verb,
            [&live, fn, is_health](const request& q, const net::client& from) {
                node* const n = live.load(std::memory_order_acquire);
                if (n == nullptr)
                    return is_health ? health_starting(q, from) : starting(q, from);
                return fn(*n, q, from);
            },
            spec.options
        );
    }
    // The event stream holds its connection: the session writes it (net/serve_feed.hpp).
    r.add_feed(
        "/events",
        [&live](const request& q, const net::client& from, const boost::asio::any_io_executor& ex) {
            node* const n = live.load(std::memory_order_acquire);
            if (n == nullptr)
                return net::feed_result(starting_reply());
            return routes::events(*n, q, from, ex);
        }
    );
    return r;
}

} // namespace beastchain::node
