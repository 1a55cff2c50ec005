// The peer protocol's requests, one typed call per message, each with its encoder and its limits.
#pragma once

#include <beastchain/core/transaction.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/net/peer_client.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <span>
#include <string>

namespace beastchain::node::peer_calls {

/// The error text for a reply showing the URL is not a beastchain peer (see net::answered_as_peer).
std::string not_a_peer_answer(std::string_view target, const net::peer_reply& r);

/// A /status reply is a few hundred bytes; anything much larger is not a beastchain peer.
inline constexpr std::size_t max_status_reply_bytes = 16 * 1024;

/// GET /status, its reply capped at max_status_reply_bytes whatever `limits` allow.
boost::asio::awaitable<net::peer_result> get_status(net::peer_url peer, net::peer_limits limits);

/// The status a 200 reply to GET /status carries, or nullopt when it is no usable status
/// (callers that need the reason use the decoders themselves).
std::optional<json::peer_status> status_in(const net::peer_reply& r, std::size_t max_json_depth);

/// GET /headers?locator=...: the headers after the first locator entry on the peer's chain.
boost::asio::awaitable<net::peer_result>
get_headers_after(net::peer_url peer, std::string locator, std::size_t limit, net::peer_limits limits);

/// GET /headers?from=H: the next page of headers.
boost::asio::awaitable<net::peer_result>
get_headers_from(net::peer_url peer, std::uint64_t from, std::size_t limit, net::peer_limits limits);

/// GET /blocks?from=H: a page of blocks.
boost::asio::awaitable<net::peer_result>
get_blocks_from(net::peer_url peer, std::uint64_t from, std::size_t limit, net::peer_limits limits);

/// POST /blocks with one block, already serialized. `origin`: our advertised address.
boost::asio::awaitable<net::peer_result>
push_block(net::peer_url peer, std::string block_json, net::peer_limits limits, std::string origin);

/// POST /transactions with a batch.
boost::asio::awaitable<net::peer_result> relay_transactions(
    net::peer_url peer, std::span<const core::transaction> txs, net::peer_limits limits, std::string origin
);

/// POST /inventory with ids of pending transactions the peer may lack.
boost::asio::awaitable<net::peer_result> announce_inventory(
    net::peer_url peer, std::span<const std::string> ids, net::peer_limits limits, std::string origin
);

/// POST /announce with our own address: the peer adds us and the link is two-way.
boost::asio::awaitable<net::peer_result>
announce(net::peer_url peer, std::string self, net::peer_limits limits);

} // namespace beastchain::node::peer_calls
