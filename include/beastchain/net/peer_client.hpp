// Outbound HTTP to peers: every request has a connect deadline, a response deadline and a size cap.
#pragma once

#include <beastchain/net/http.hpp>
#include <beastchain/net/peer_url.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace beastchain::net {

struct peer_limits
{
    std::chrono::milliseconds connect_timeout{2'000};   ///< name lookup plus TCP connect
    std::chrono::milliseconds response_timeout{10'000}; ///< sending the request and reading the whole reply
    std::size_t max_response_bytes = 64 * 1024 * 1024;
    /// Connect only to public addresses (is_public_address), whatever the name resolves to:
    /// for addresses a stranger named, so they cannot point the node at internal services.
    bool public_only = false;
    /// Trust for `https://` peers (make_client_tls); without it such peers fail with a reason.
    std::shared_ptr<boost::asio::ssl::context> tls = {};
};

struct peer_reply
{
    unsigned status = 0;
    std::string body;
    bool json = false; ///< Content-Type was application/json
};

/// Whether a reply to a POST came from a beastchain peer that took the request, even if it
/// refused the item (400 for a stale block is an answer). A 5xx, a 404 or 405 (no such route),
/// a 426 (a TLS node refusing plain HTTP), or a non-JSON body (an HTML page) means nothing was
/// delivered: the URL is down, needs https://, or is not a beastchain peer.
bool answered_as_peer(const peer_reply& r) noexcept;

/// What a peer request produced: a reply, or a one-line reason it failed.
struct peer_result
{
    std::optional<peer_reply> reply;
    std::string error;
};

/// Header naming the sender's advertised address, so a peer does not relay an item back to it.
inline constexpr std::string_view origin_header = "X-Beastchain-Origin";

/**
 * Sends one request to a peer on a fresh connection (closed afterwards) and reads the reply.
 * `origin`, when set, is sent as the origin header. Never throws for network failures: a dead,
 * slow, or oversized peer yields `error`.
 */
boost::asio::awaitable<peer_result> send_peer_request(
    peer_url peer,
    http::verb method,
    std::string target,
    std::string body,
    peer_limits limits,
    std::string origin = {}
);

/// The same request run to completion on a private io_context, for command-line tools (the
/// wallet, beastchain-bench's set-up) that have no event loop of their own.
peer_result send_peer_request_blocking(
    peer_url peer, http::verb method, std::string target, std::string body, peer_limits limits
);

} // namespace beastchain::net
