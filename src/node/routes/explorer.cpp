// The explorer: its pages and assets, the JSON views behind them, and the /events stream.
#include <beastchain/core/hash.hpp>
#include <beastchain/node/node.hpp>

#include <boost/url/parse.hpp>

#include "../explorer_assets.hpp"
#include "../explorer_service.hpp"
#include "routes.hpp"

namespace beastchain::node::routes {

namespace {

/// Scripts and styles only from this node, nothing inline, no frames, no plugins: a page that
/// shows strings anyone can put in a transaction must not be able to run them.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

response asset_reply(const request& req, const explorer_asset& a)
{
    response res{http::status::ok, req.version()};
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.body() = std::string(a.text);
    return res;
}

/// Whether the client asked for HTML (a browser's navigation), by its Accept header.
bool wants_html(const request& req)
{
    const auto accept = req[http::field::accept];
    return accept.find("text/html") != std::string_view::npos;
}

/// The decoded final path segment (`/addresses/Alice%20B` -> `Alice B`), or nullopt.
std::optional<std::string> decoded_last_segment(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url || url->segments().empty())
        return std::nullopt;
    return std::string(url->segments().back());
}

/// `name` from the query as an integer in [lo, hi], `fallback` when absent.
std::variant<std::size_t, response> query_number(
    std::string_view target, std::string_view name, std::size_t lo, std::size_t hi, std::size_t fallback
)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return invalid_parameter("target", "is not a valid request target");
    for (const auto& param : url->params()) {
        if (param.key != name)
            continue;
        const auto v = parse_height(param.value);
        if (!v || *v < lo || *v > hi)
            return invalid_parameter(
                name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi)
            );
        return static_cast<std::size_t>(*v);
    }
    return fallback;
}

constexpr std::size_t max_page = 100;

} // namespace

asio::awaitable<response> home(node&, const request& req, const net::client&)
{
    // Scripts and the tutorial's clients get what they always got here: a JSON 404.
    if (!wants_html(req))
        co_return net::error_response(http::status::not_found, "not_found", "no route for /");
    co_return asset_reply(req, *find_explorer_asset("index.html"));
}

asio::awaitable<response> explorer_page(node&, const request& req, const net::client&)
{
    co_return asset_reply(req, *find_explorer_asset("index.html"));
}

asio::awaitable<response> explorer_asset_route(node&, const request& req, const net::client&)
{
    const auto* a = find_explorer_asset(net::last_segment(req.target()));
    if (a == nullptr || std::string_view(a->name) == "index.html")
        co_return net::error_response(http::status::not_found, "not_found", "no such explorer asset");
    co_return asset_reply(req, *a);
}

asio::awaitable<response> address(node& n, const request& req, const net::client&)
{
    auto name = decoded_last_segment(req.target());
    if (!name || name->empty() || name->size() > 256)
        co_return invalid_parameter("address", "must be 1 to 256 bytes");
    auto offset = query_number(req.target(), "offset", 0, std::size_t{1} << 40, 0);
    if (auto* bad = std::get_if<response>(&offset))
        co_return std::move(*bad);
    auto limit = query_number(req.target(), "limit", 1, max_page, 25);
    if (auto* bad = std::get_if<response>(&limit))
        co_return std::move(*bad);
    history_query q{std::move(*name), std::get<std::size_t>(offset), std::get<std::size_t>(limit)};
    co_return net::json_response(http::status::ok, co_await n.explorer().address_json(std::move(q)));
}

asio::awaitable<response> recent_transactions(node& n, const request& req, const net::client&)
{
    auto limit = query_number(req.target(), "limit", 1, max_page, 20);
    if (auto* bad = std::get_if<response>(&limit))
        co_return std::move(*bad);
    co_return net::json_response(
        http::status::ok, co_await n.explorer().recent_json(std::get<std::size_t>(limit))
    );
}

asio::awaitable<response> search(node& n, const request& req, const net::client&)
{
    const auto url = boost::urls::parse_origin_form(req.target());
    if (!url)
        co_return invalid_parameter("target", "is not a valid request target");
    std::string q;
    for (const auto& param : url->params())
        if (param.key == "q")
            q = param.value;
    // Whitespace around a pasted id is the clipboard's, not the id's.
    while (!q.empty() && (q.back() == ' ' || q.back() == '\n' || q.back() == '\t' || q.back() == '\r'))
        q.pop_back();
    const auto first = q.find_first_not_of(" \t\r\n");
    q.erase(0, first == std::string::npos ? q.size() : first);
    if (q.empty() || q.size() > 256)
        co_return invalid_parameter(
            "q", "must be 1 to 256 bytes: a height, a block hash, a transaction id or an address"
        );
    co_return net::json_response(http::status::ok, co_await n.explorer().search_json(std::move(q)));
}

asio::awaitable<response> mempool(node& n, const request& req, const net::client&)
{
    auto limit = query_number(req.target(), "limit", 1, max_page, 10);
    if (auto* bad = std::get_if<response>(&limit))
        co_return std::move(*bad);
    co_return net::json_response(
        http::status::ok, co_await n.explorer().mempool_json(std::get<std::size_t>(limit))
    );
}

asio::awaitable<response> block_by_hash(node& n, std::string_view hex)
{
    const auto hash = core::hash_from_hex(hex);
    if (!hash)
        co_return invalid_parameter("id", "must be a block height or a block hash (64 hex digits)");
    auto one = co_await n.explorer().block_by_hash(*hash);
    if (!one)
        co_return net::error_response(
            http::status::not_found, "no_such_block", "no block " + std::string(hex) + " on the best chain"
        );
    co_return net::json_response(http::status::ok, std::move(*one));
}

net::feed_result events(node& n, const request& req, const net::client& from, const asio::any_io_executor& ex)
{
    std::optional<std::uint64_t> last_id;
    if (const auto h = req["Last-Event-ID"]; !h.empty())
        last_id = parse_height(h); // unreadable: treated as none, so the stream starts fresh
    auto sub = n.explorer().events().subscribe(from, last_id, ex);
    if (sub.feed)
        return std::move(sub.feed);
    using refusal = net::event_hub::refusal;
    if (sub.why == refusal::closed)
        return net::error_response(
            http::status::service_unavailable, "stopping", "the node is shutting down"
        );
    response res = net::error_response(
        http::status::too_many_requests,
        "too_many_streams",
        sub.why == refusal::too_many_from_source ? "this address has the most event streams it may open"
                                                 : "the node serves the most event streams it may"
    );
    res.set(http::field::retry_after, "10");
    return res;
}

} // namespace beastchain::node::routes
