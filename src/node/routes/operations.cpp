// Operations: /health for probes, /status for people and peers, /metrics for Prometheus.
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/node.hpp>

#include <cmath>
#include <cstdio>

#include "../explorer_service.hpp"
#include "routes.hpp"

namespace beastchain::node::routes {

asio::awaitable<response> health(node& n, const request&, const net::client&)
{
    const node_status st = co_await n.status();
    const char* state = st.stopping ? "stopping" : !st.storage_ok ? "storage_failed" : "ok";
    boost::json::object o{{"status", state}, {"height", st.height}};
    co_return reply(
        std::string_view(state) == "ok" ? http::status::ok : http::status::service_unavailable, o
    );
}

asio::awaitable<response> status(node& n, const request&, const net::client&)
{
    const node_status st = co_await n.status();
    boost::json::object o;
    o.emplace("advertise_url", st.advertise_url);
    o.emplace("difficulty", st.difficulty);
    if (st.bits) { // an ASERT chain: the next block's exact target, as Bitcoin's `bits`
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", *st.bits);
        o.emplace("bits", hex);
    }
    o.emplace("hash_rate", std::round(st.hash_rate * 10) / 10); // attempts/s: a tenth is plenty
    o.emplace("mine_requests", st.mine_requests);
    o.emplace("mining", st.mining);
    o.emplace("node_address", n.address());
    o.emplace("peers", st.peers);
    o.emplace("pending_transactions", st.pending);
    o.emplace("storage", st.storage_ok ? "ok" : "failed");
    o.emplace("uptime_seconds", std::round(st.uptime_seconds * 1000) / 1000); // to the millisecond
    o.emplace("version", version);
    o.emplace("chain", st.chain);
    // What a wallet signs for, and which transactions this chain takes.
    o.emplace("chain_id", core::to_hex(n.settings().consensus.chain_id));
    o.emplace("transactions", core::to_string(n.settings().chain.transactions));
    json::encode_status(o, {st.height, st.tip_hash, st.cumulative_work, 0, st.genesis_hash});
    co_return reply(http::status::ok, o);
}

asio::awaitable<response> metrics(node& n, const request&, const net::client&)
{
    const node_status st = co_await n.status();
    gauges g;
    g.height = st.height;
    g.pending = st.pending;
    g.peers = st.peers;
    g.hashes = st.hashes;
    g.hash_rate = st.hash_rate;
    g.mining = st.mining;
    g.uptime_seconds = st.uptime_seconds;
    g.storage_syncs = st.storage_syncs;
    g.storage_sync_seconds = st.storage_sync_seconds;
    g.dropped_conflicted = st.dropped_conflicted;
    g.dropped_evicted = st.dropped_evicted;
    const auto streams = n.explorer().events().stats();
    g.event_streams = streams.streams;
    g.events_published = streams.published;
    g.event_streams_dropped = streams.dropped_slow;
    response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = n.stats().render(g);
    co_return res;
}

} // namespace beastchain::node::routes
