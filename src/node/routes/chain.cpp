// Blocks and the chain: /mine, /chain, the peers' /blocks pages and pushed blocks.
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/node.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <variant>

#include "routes.hpp"

namespace beastchain::node::routes {

namespace {

/// Reads `/blocks?from=H&limit=N` or `/blocks?locator=H:hash,...&limit=N` (and the same for
/// `/headers`), with `limit` from 1 to `max_limit` (`default_limit` when absent).
std::variant<blocks_query, response>
parse_blocks_query(std::string_view target, std::size_t max_limit, std::size_t default_limit)
{
    constexpr std::size_t max_locator = 64;
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return invalid_parameter("target", "is not a valid request target");
    blocks_query q;
    q.limit = default_limit;
    bool have_from = false, have_locator = false;
    for (const auto& param : url->params()) {
        if (param.key == "from") {
            const auto h = parse_height(param.value);
            if (!h)
                return invalid_parameter("from", "must be a block height (a decimal integer)");
            q.from = *h;
            have_from = true;
        } else if (param.key == "limit") {
            const auto n = parse_height(param.value);
            if (!n || *n < 1 || *n > max_limit)
                return invalid_parameter(
                    "limit", "must be an integer from 1 to " + std::to_string(max_limit)
                );
            q.limit = static_cast<std::size_t>(*n);
        } else if (param.key == "locator") {
            have_locator = true;
            std::string_view rest = param.value;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                const std::string_view item = rest.substr(0, comma);
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
                const std::size_t colon = item.find(':');
                const auto h = parse_height(item.substr(0, colon));
                const auto hash = colon == std::string_view::npos
                                      ? std::nullopt
                                      : core::hash_from_hex(item.substr(colon + 1));
                if (!h || !hash)
                    return invalid_parameter("locator", "must be comma-separated height:hash pairs");
                if (q.locator.size() == max_locator)
                    return invalid_parameter(
                        "locator", "has more than " + std::to_string(max_locator) + " entries"
                    );
                q.locator.emplace_back(*h, *hash);
            }
            if (q.locator.empty())
                return invalid_parameter("locator", "is empty");
        } else {
            return invalid_parameter(param.key, "is not a parameter here (from, limit, locator)");
        }
    }
    if (have_from && have_locator)
        return invalid_parameter("from", "and locator cannot be combined");
    return q;
}

} // namespace

asio::awaitable<response> mine(node& n, const request&, const net::client&)
{
    const auto out = co_await n.mine();
    if (!out)
        co_return error_reply(out.error());
    // block_data is already serialized; splice it rather than parse it back.
    co_return net::json_response(
        http::status::ok, "{\"block_data\":" + *out + ",\"message\":\"Successfully Mined the new Block\"}"
    );
}

asio::awaitable<response> chain(node& n, const request&, const net::client&)
{
    auto blocks = co_await n.chain_json();
    // The blocks are the chain's shared text: this reply holds them, it does not copy them.
    std::string tail = "],\"length\":" + std::to_string(blocks->items()) + "}";
    co_return net::json_response(http::status::ok, {"{\"chain\":[", std::move(blocks), std::move(tail)});
}

asio::awaitable<response> blocks(node& n, const request& req, const net::client&)
{
    auto parsed = parse_blocks_query(req.target(), 500, 100);
    if (auto* bad = std::get_if<response>(&parsed))
        co_return std::move(*bad);
    auto page = co_await n.blocks_json(std::move(std::get<blocks_query>(parsed)));
    if (!page)
        co_return error_reply(page.error());
    co_return net::json_response(http::status::ok, std::move(*page));
}

asio::awaitable<response> headers(node& n, const request& req, const net::client&)
{
    auto parsed = parse_blocks_query(req.target(), json::max_headers_per_page, json::max_headers_per_page);
    if (auto* bad = std::get_if<response>(&parsed))
        co_return std::move(*bad);
    auto page = co_await n.headers_json(std::move(std::get<blocks_query>(parsed)));
    if (!page)
        co_return error_reply(page.error());
    co_return net::json_response(http::status::ok, std::move(*page));
}

asio::awaitable<response> block(node& n, const request& req, const net::client&)
{
    const std::string_view id = net::last_segment(req.target());
    if (id.size() == 64) // a hash; a height has at most 16 digits
        co_return co_await block_by_hash(n, id);
    const auto index = parse_height(id);
    if (!index)
        co_return invalid_parameter("index", "must be a block height (a decimal integer) or a block hash");
    auto one = co_await n.block_json(*index);
    if (!one)
        co_return error_reply(one.error());
    co_return net::json_response(http::status::ok, std::move(*one));
}

asio::awaitable<response> receive_block(node& n, const request& req, const net::client&)
{
    const auto shape = json::kind::with_arrays(n.settings().consensus.max_block_transactions);
    const auto decode = [](const boost::json::value& jv) {
        return json::decode_block(jv);
    };
    auto body = co_await read_json<json::received_block>(n, req, shape, decode);
    if (auto* bad = std::get_if<response>(&body))
        co_return std::move(*bad);
    auto& got = std::get<json::received_block>(body);
    const auto out = co_await n.receive_block(std::move(got.blk), got.claimed_hash, origin_of(req));
    if (!out)
        co_return error_reply(out.error());
    std::string_view message;
    http::status status = http::status::ok;
    switch (out->status) {
    case block_outcome::result::connected:
        message = "Block added to the chain";
        break;
    case block_outcome::result::known:
        message = "Block already known";
        break;
    case block_outcome::result::syncing:
        status = http::status::accepted;
        message = "Block does not extend our tip; syncing with peers";
        break;
    case block_outcome::result::ahead_of_clock:
        status = http::status::accepted;
        message = "Block is ahead of this node's clock; dropped, sync fetches it once it is due";
        break;
    }
    co_return reply(status, {{"height", out->height}, {"message", message}});
}

} // namespace beastchain::node::routes
