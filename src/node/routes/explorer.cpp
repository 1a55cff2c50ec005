// The explorer: its pages and assets, the JSON views behind them, and the /events stream.
#include <beastchain/core/hash.hpp>
#include <beastchain/node/node.hpp>

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/trim.hpp>
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

/// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF): what a
/// JSON reply may carry back. Percent-decoding can produce any bytes.
bool valid_utf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
        if (n == 9 || i + n >= s.size()) // a bad lead byte, or a sequence cut short
            return false;
        std::uint32_t cp = n == 0 ? c : c & (0x3f >> n);
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

/// The decoded final path segment (`/addresses/Alice%20B` -> `Alice B`), or nullopt (also for
/// bytes that are not UTF-8).
std::optional<std::string> decoded_last_segment(std::string_view target)
{
    const auto url = boost::urls::parse_origin_form(target);
    if (!url || url->segments().empty())
        return std::nullopt;
    std::string out = url->segments().back();
    if (!valid_utf8(out))
        return std::nullopt;
    return out;
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
    // Scripts and the tutorial's clients get what they always got here: a JSON 404. The answer
    // depends on Accept, and a cache must know it.
    response res = wants_html(req)
                       ? asset_reply(req, *find_explorer_asset("index.html"))
                       : net::error_response(http::status::not_found, "not_found", "no route for /");
    res.set(http::field::vary, "Accept");
    co_return res;
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
    // /addresses/{a}, or /addresses?address=a for names a path cannot carry: browsers resolve
    // "." and ".." (even percent-encoded) as steps in the path.
    std::optional<std::string> name;
    if (net::target_path(req.target()) == "/addresses") {
        if (const auto url = boost::urls::parse_origin_form(req.target()))
            if (const auto it = url->params().find("address"); it != url->params().end())
                name = (*it).value;
        if (name && !valid_utf8(*name))
            name.reset();
    } else {
        name = decoded_last_segment(req.target());
    }
    if (!name || name->empty() || name->size() > 256)
        co_return invalid_parameter("address", "must be 1 to 256 bytes of UTF-8");
    auto offset = query_number(req.target(), "offset", 0, std::size_t{1} << 40, 0);
    if (auto* bad = std::get_if<response>(&offset))
        co_return std::move(*bad);
    auto limit = query_number(req.target(), "limit", 1, max_page, 25);
    if (auto* bad = std::get_if<response>(&limit))
        co_return std::move(*bad);
    history_query q{std::move(*name), std::get<std::size_t>(offset), std::get<std::size_t>(limit)};
    co_return net::json_response(http::status::ok, co_await n.explorer().address_json(std::move(q)));
}

namespace {

/// A view that takes only `?limit=` (1 to max_page, `fallback` when absent).
asio::awaitable<response> limited_view(
    node& n,
    const request& req,
    std::size_t fallback,
    asio::awaitable<std::string> (explorer_service::*view)(std::size_t)
)
{
    auto limit = query_number(req.target(), "limit", 1, max_page, fallback);
    if (auto* bad = std::get_if<response>(&limit))
        co_return std::move(*bad);
    co_return net::json_response(
        http::status::ok, co_await (n.explorer().*view)(std::get<std::size_t>(limit))
    );
}

} // namespace

asio::awaitable<response> recent_transactions(node& n, const request& req, const net::client&)
{
    return limited_view(n, req, 20, &explorer_service::recent_json);
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
    boost::algorithm::trim_if(q, boost::algorithm::is_any_of(" \t\r\n"));
    if (q.empty() || q.size() > 256 || !valid_utf8(q))
        co_return invalid_parameter(
            "q", "must be 1 to 256 bytes of UTF-8: a height, a block hash, a transaction id or an address"
        );
    co_return net::json_response(http::status::ok, co_await n.explorer().search_json(std::move(q)));
}

asio::awaitable<response> mempool(node& n, const request& req, const net::client&)
{
    return limited_view(n, req, 10, &explorer_service::mempool_json);
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
    // Unreadable or foreign ids are a gap: the stream says reset, then carries on.
    auto sub = n.explorer().events().subscribe(from, req["Last-Event-ID"], ex);
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
