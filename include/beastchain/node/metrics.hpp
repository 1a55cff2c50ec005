// Counters and histograms the node exports on /metrics in the Prometheus text format.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::net {
struct write_load;
}

namespace beastchain::node {

/// Point-in-time values the node reads from its strand when rendering.
struct gauges
{
    std::uint64_t height = 0;
    std::uint64_t pending = 0;
    std::uint64_t peers = 0;
    std::uint64_t hashes = 0; ///< total proof-of-work attempts since start
    double hash_rate = 0;     ///< attempts per second while mining
    bool mining = false;
    double uptime_seconds = 0;
    std::uint64_t storage_syncs = 0;
    double storage_sync_seconds = 0;
    std::uint64_t dropped_conflicted = 0;
    std::uint64_t dropped_evicted = 0;
    std::uint64_t event_streams = 0;         ///< /events streams open now
    std::uint64_t events_published = 0;      ///< since start
    std::uint64_t event_streams_dropped = 0; ///< closed for reading too slowly
};

/**
 * Process-wide metrics. Request metrics are labelled by route (a known path, or "unmatched", so
 * arbitrary 404 paths cannot explode the label set) and status code.
 *
 * @par Thread Safety
 * All members may be called from any thread.
 */
class metrics
{
public:
    void observe_request(std::string_view route, unsigned status, std::chrono::steady_clock::duration took);
    void block_mined();
    void blocks_received(std::uint64_t n);
    void block_rejected(std::string_view reason);
    void sync_run(std::uint64_t peers_failed);
    /// Requests made to peers by sync and the reply bytes they brought.
    void peer_traffic(std::uint64_t requests, std::uint64_t bytes);
    /// Items delivered to a peer by relay.
    void relayed(std::uint64_t transactions, std::uint64_t blocks);
    /// Items dropped from a full relay queue.
    void relay_dropped(std::uint64_t n);

    /// Export the server's replies in writing too; `w` must outlive this object's renders.
    /// Called once, before requests are served.
    void watch_writes(const net::write_load* w) { writes_ = w; }

    /// The Prometheus text exposition (version 0.0.4).
    std::string render(const gauges& g) const;

    /// Bucket upper bounds of the request latency histogram, in seconds.
    static const std::vector<double>& latency_buckets();

private:
    struct histogram
    {
        std::vector<std::uint64_t> counts; ///< cumulative per bucket
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::string, histogram> latency_;
    std::map<std::string, std::uint64_t> rejected_;
    std::uint64_t mined_ = 0, received_ = 0, sync_runs_ = 0, sync_failures_ = 0;
    std::uint64_t peer_requests_ = 0, peer_bytes_ = 0, relayed_txs_ = 0, relayed_blocks_ = 0,
                  relay_dropped_ = 0;
    const net::write_load* writes_ = nullptr;
};

} // namespace beastchain::node
