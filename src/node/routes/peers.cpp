// Peers: registration and announcements, /sync-chain, and the peer list.
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/node.hpp>

#include <boost/json.hpp>

#include <variant>

#include "../peer_admission.hpp"
#include "routes.hpp"

namespace beastchain::node::routes {

namespace {

response registered(const register_outcome& out)
{
    boost::json::object o;
    o.emplace("message", "New node has been added");
    o.emplace("node_count", out.nodes.size());
    boost::json::array nodes;
    for (const auto& address : out.nodes)
        nodes.emplace_back(address);
    o.emplace("nodes", std::move(nodes));
    return reply(http::status::created, o);
}

/// The `{"address": ...}` body that /register-node and /announce share, as a peer URL, or the
/// reply refusing it.
asio::awaitable<std::variant<response, net::peer_url>> read_peer_address(node& n, const request& req)
{
    auto body =
        co_await read_json<std::string>(n, req, json::kind::client_request, json::decode_register_request);
    if (auto* bad = std::get_if<response>(&body))
        co_return std::move(*bad);
    std::string why;
    auto peer = net::parse_peer_url(std::get<std::string>(body), why);
    if (!peer)
        co_return error_reply({node_errc::invalid_field, "address " + why, "address"});
    co_return std::move(*peer);
}

} // namespace

asio::awaitable<response> register_node(node& n, const request& req, const net::client&)
{
    auto read = co_await read_peer_address(n, req);
    if (auto* bad = std::get_if<response>(&read))
        co_return std::move(*bad);
    auto peer = std::get<net::peer_url>(std::move(read));
    // The operator's route (the token guards it): whatever address it names is trusted.
    const auto out = co_await n.register_peer(std::move(peer), false);
    if (!out)
        co_return error_reply(out.error());
    co_return registered(*out);
}

asio::awaitable<response> announce(node& n, const request& req, const net::client& from)
{
    auto read = co_await read_peer_address(n, req);
    if (auto* bad = std::get_if<response>(&read))
        co_return std::move(*bad);
    auto peer = std::get<net::peer_url>(std::move(read));
    // A stranger must not make this node call into its own network: from a public source only
    // public addresses are admitted. Peers on one host or LAN (a private source) may name
    // private ones; --allow-private-peers lifts the rule.
    const bool internal_source = net::is_internal_address(from.address) && !n.settings().test_public_clients;
    // Kept on the peer: every later contact checks the resolved address again, so a name that
    // passed this probe cannot be re-pointed inward afterwards (DNS rebinding).
    peer.public_only = !internal_source && !n.settings().allow_private_peers;
    // One probe, and the reply says only yes or no: how a non-peer answered is no one's business.
    const auto verdict = co_await n.admission().check(peer, n.settings());
    if (verdict == peer_admission::verdict::busy) {
        response res = net::error_response(
            http::status::service_unavailable, "busy", "too many announcements are being checked; retry later"
        );
        res.set(http::field::retry_after, "1");
        co_return res;
    }
    if (verdict == peer_admission::verdict::other_network)
        co_return error_reply(
            {node_errc::other_network,
             "the address answered as a beastchain node on another chain; this node runs \"" +
                 n.settings().chain.name + "\""}
        );
    if (verdict == peer_admission::verdict::refuse)
        co_return error_reply(
            {node_errc::peer_refused, "the address did not answer as a reachable public beastchain node"}
        );
    const auto out = co_await n.register_peer(std::move(peer), true);
    if (!out)
        co_return error_reply(out.error());
    co_return registered(*out);
}

asio::awaitable<response> sync_chain(node& n, const request&, const net::client&)
{
    const auto out = co_await n.sync();
    if (!out)
        co_return error_reply(out.error());
    std::string_view message;
    switch (out->status) {
    case sync_outcome::result::no_neighbour_chain:
        message = "No neighbour chain is available";
        break;
    case sync_outcome::result::up_to_date:
        message = "Chain is already up to date";
        break;
    case sync_outcome::result::replaced:
        message = "Chain was replaced";
        break;
    }
    boost::json::array failed;
    for (const auto& f : out->failed)
        failed.push_back(boost::json::object{{"address", f.address}, {"reason", f.reason}});
    std::string tail = "],\"message\":" + boost::json::serialize(boost::json::string(message));
    tail += ",\"peers_failed\":" + boost::json::serialize(failed) + "}";
    co_return net::json_response(http::status::ok, {"{\"chain\":[", out->chain_json, std::move(tail)});
}

asio::awaitable<response> nodes(node& n, const request&, const net::client&)
{
    const auto list = co_await n.peers();
    boost::json::array arr;
    const auto ms_or_null = [](std::uint64_t ms) {
        return ms == 0 ? boost::json::value(nullptr) : boost::json::value(ms);
    };
    for (const auto& p : list)
        arr.push_back(boost::json::object{
            {"address", p.address},
            {"banned_until_ms", ms_or_null(p.banned_until_ms)},
            {"dropped", p.dropped},
            {"failures", p.failures},
            {"last_error",
             p.last_error.empty() ? boost::json::value(nullptr) : boost::json::value(p.last_error)},
            {"last_seen_ms", ms_or_null(p.last_seen_ms)},
            {"queued_blocks", p.queued_blocks},
            {"queued_inventory", p.queued_inventory},
            {"queued_transactions", p.queued_transactions},
            {"retry_at_ms", ms_or_null(p.retry_at_ms)},
            {"state", p.state},
        });
    boost::json::object o;
    o.emplace("node_count", list.size());
    o.emplace("nodes", std::move(arr));
    co_return reply(http::status::ok, o);
}

} // namespace beastchain::node::routes
