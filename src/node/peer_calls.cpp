// Typed peer requests: the message encoders of json/peer_messages over net::send_peer_request.
#include "peer_calls.hpp"

#include <beastchain/json/parse.hpp>
#include <beastchain/json/peer_messages.hpp>

#include <algorithm>

namespace beastchain::node::peer_calls {

namespace asio = boost::asio;
using net::http::verb;

// Plain functions, not coroutines: each builds its request at once (a span argument is read
// before the caller resumes) and returns the one request coroutine.

std::string not_a_peer_answer(std::string_view target, const net::peer_reply& r)
{
    if (r.status == 426)
        return "the peer requires TLS: register it as https://";
    return std::string(target) + " answered HTTP " + std::to_string(r.status) +
           (r.json ? "" : " without JSON");
}

asio::awaitable<net::peer_result> get_status(net::peer_url peer, net::peer_limits limits)
{
    limits.max_response_bytes = std::min(limits.max_response_bytes, max_status_reply_bytes);
    return net::send_peer_request(std::move(peer), verb::get, "/status", {}, limits);
}

std::optional<json::peer_status> status_in(const net::peer_reply& r, std::size_t max_json_depth)
{
    if (r.status != 200)
        return std::nullopt;
    auto parsed = json::parse_body(r.body, json::kind::status_reply, max_json_depth);
    if (!parsed.ok())
        return std::nullopt;
    auto st = json::decode_status_reply(parsed.value());
    if (!st.ok())
        return std::nullopt;
    return std::move(st.value());
}

asio::awaitable<net::peer_result>
get_headers_after(net::peer_url peer, std::string locator, std::size_t limit, net::peer_limits limits)
{
    return net::send_peer_request(
        std::move(peer), verb::get, json::headers_after_target(locator, limit), {}, limits
    );
}

asio::awaitable<net::peer_result>
get_headers_from(net::peer_url peer, std::uint64_t from, std::size_t limit, net::peer_limits limits)
{
    return net::send_peer_request(
        std::move(peer), verb::get, json::headers_from_target(from, limit), {}, limits
    );
}

asio::awaitable<net::peer_result>
get_blocks_from(net::peer_url peer, std::uint64_t from, std::size_t limit, net::peer_limits limits)
{
    return net::send_peer_request(
        std::move(peer), verb::get, json::blocks_from_target(from, limit), {}, limits
    );
}

asio::awaitable<net::peer_result>
push_block(net::peer_url peer, std::string block_json, net::peer_limits limits, std::string origin)
{
    return net::send_peer_request(
        std::move(peer), verb::post, "/blocks", std::move(block_json), limits, std::move(origin)
    );
}

asio::awaitable<net::peer_result> relay_transactions(
    net::peer_url peer, std::span<const core::transaction> txs, net::peer_limits limits, std::string origin
)
{
    return net::send_peer_request(
        std::move(peer),
        verb::post,
        "/transactions",
        json::encode_transaction_batch(txs),
        limits,
        std::move(origin)
    );
}

asio::awaitable<net::peer_result> announce_inventory(
    net::peer_url peer, std::span<const std::string> ids, net::peer_limits limits, std::string origin
)
{
    // The reply is a list of positions: a few KiB at most.
    limits.max_response_bytes = std::min<std::size_t>(limits.max_response_bytes, 16 * 1024);
    return net::send_peer_request(
        std::move(peer), verb::post, "/inventory", json::encode_inventory(ids), limits, std::move(origin)
    );
}

asio::awaitable<net::peer_result> announce(net::peer_url peer, std::string self, net::peer_limits limits)
{
    std::string body = json::encode_register_request(self);
    return net::send_peer_request(
        std::move(peer), verb::post, "/announce", std::move(body), limits, std::move(self)
    );
}

} // namespace beastchain::node::peer_calls
