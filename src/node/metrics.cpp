// Prometheus text rendering: HELP and TYPE for every family, cumulative histogram buckets.
#include <beastchain/net/server.hpp>
#include <beastchain/node/metrics.hpp>

#include <sstream>

namespace beastchain::node {

const std::vector<double>& metrics::latency_buckets()
{
    static const std::vector<double> b{
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    return b;
}

void metrics::observe_request(
    std::string_view route, unsigned status, std::chrono::steady_clock::duration took
)
{
    const double s = std::chrono::duration<double>(took).count();
    const std::lock_guard lock(mutex_);
    ++requests_[{std::string(route), status}];
    histogram& h = latency_[std::string(route)];
    if (h.counts.empty())
        h.counts.assign(latency_buckets().size(), 0);
    for (std::size_t i = 0; i < latency_buckets().size(); ++i)
        if (s <= latency_buckets()[i])
            ++h.counts[i];
    ++h.count;
    h.sum += s;
}

void metrics::block_mined()
{
    const std::lock_guard lock(mutex_);
    ++mined_;
}

void metrics::blocks_received(std::uint64_t n)
{
    const std::lock_guard lock(mutex_);
    received_ += n;
}

void metrics::block_rejected(std::string_view reason)
{
    const std::lock_guard lock(mutex_);
    ++rejected_[std::string(reason)];
}

void metrics::sync_run(std::uint64_t peers_failed)
{
    const std::lock_guard lock(mutex_);
    ++sync_runs_;
    sync_failures_ += peers_failed;
}

void metrics::peer_traffic(std::uint64_t requests, std::uint64_t bytes)
{
    const std::lock_guard lock(mutex_);
    peer_requests_ += requests;
    peer_bytes_ += bytes;
}

void metrics::relayed(std::uint64_t transactions, std::uint64_t blocks)
{
    const std::lock_guard lock(mutex_);
    relayed_txs_ += transactions;
    relayed_blocks_ += blocks;
}

void metrics::relay_dropped(std::uint64_t n)
{
    const std::lock_guard lock(mutex_);
    relay_dropped_ += n;
}

std::string metrics::render(const gauges& g) const
{
    std::ostringstream os;
    os.precision(9);
    const auto family = [&](const char* name, const char* type, const char* help) {
        os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    };
    const std::lock_guard lock(mutex_);

    family("beastchain_http_requests_total", "counter", "HTTP requests answered, by route and status.");
    for (const auto& [key, n] : requests_)
        os << "beastchain_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} "
           << n << '\n';

    family(
        "beastchain_http_request_duration_seconds",
        "histogram",
        "Time from a parsed request to its written reply."
    );
    for (const auto& [route, h] : latency_) {
        for (std::size_t i = 0; i < h.counts.size(); ++i)
            os << "beastchain_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
               << latency_buckets()[i] << "\"} " << h.counts[i] << '\n';
        os << "beastchain_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
           << h.count << '\n';
        os << "beastchain_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << '\n';
        os << "beastchain_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << '\n';
    }

    if (writes_ != nullptr) {
        family("beastchain_http_replies_writing", "gauge", "Replies being written to clients now.");
        os << "beastchain_http_replies_writing " << writes_->replies.load(std::memory_order_relaxed) << '\n';
        family(
            "beastchain_http_reply_bytes_writing",
            "gauge",
            "Bytes of the replies being written now: what slow readers hold "
            "(shared chain text counts once per reply, so an upper bound)."
        );
        os << "beastchain_http_reply_bytes_writing " << writes_->bytes.load(std::memory_order_relaxed)
           << '\n';
    }

    family("beastchain_chain_height", "gauge", "Index of the best chain's tip.");
    os << "beastchain_chain_height " << g.height << '\n';
    family("beastchain_pending_transactions", "gauge", "Transactions accepted but not yet in the chain.");
    os << "beastchain_pending_transactions " << g.pending << '\n';
    family("beastchain_peers", "gauge", "Registered peers.");
    os << "beastchain_peers " << g.peers << '\n';
    family("beastchain_mining", "gauge", "1 while a proof-of-work search runs.");
    os << "beastchain_mining " << (g.mining ? 1 : 0) << '\n';
    family("beastchain_hashes_total", "counter", "Proof-of-work attempts since start.");
    os << "beastchain_hashes_total " << g.hashes << '\n';
    family("beastchain_hash_rate", "gauge", "Proof-of-work attempts per second while mining.");
    os << "beastchain_hash_rate " << g.hash_rate << '\n';
    family("beastchain_blocks_mined_total", "counter", "Blocks this node mined.");
    os << "beastchain_blocks_mined_total " << mined_ << '\n';
    family("beastchain_blocks_received_total", "counter", "Blocks adopted from peers.");
    os << "beastchain_blocks_received_total " << received_ << '\n';
    family("beastchain_blocks_rejected_total", "counter", "Peer chains rejected, by reason.");
    for (const auto& [reason, n] : rejected_)
        os << "beastchain_blocks_rejected_total{reason=\"" << reason << "\"} " << n << '\n';
    family(
        "beastchain_transactions_dropped_total",
        "counter",
        "Pending transactions dropped: conflicted (a chain change spent their nonce or balance) or evicted "
        "(a higher fee took their place)."
    );
    os << "beastchain_transactions_dropped_total{reason=\"conflicted\"} " << g.dropped_conflicted << '\n';
    os << "beastchain_transactions_dropped_total{reason=\"evicted\"} " << g.dropped_evicted << '\n';
    family("beastchain_event_streams", "gauge", "Open /events streams.");
    os << "beastchain_event_streams " << g.event_streams << '\n';
    family("beastchain_events_published_total", "counter", "Events published to /events streams.");
    os << "beastchain_events_published_total " << g.events_published << '\n';
    family(
        "beastchain_event_streams_dropped_total",
        "counter",
        "Streams closed because their reader fell behind or stalled a write."
    );
    os << "beastchain_event_streams_dropped_total " << g.event_streams_dropped << '\n';
    family("beastchain_sync_runs_total", "counter", "Sync rounds run.");
    os << "beastchain_sync_runs_total " << sync_runs_ << '\n';
    family(
        "beastchain_sync_failures_total", "counter", "Peer fetches that failed or were rejected during syncs."
    );
    os << "beastchain_sync_failures_total " << sync_failures_ << '\n';
    family(
        "beastchain_sync_requests_total",
        "counter",
        "Requests sync made to peers (/status and /blocks pages)."
    );
    os << "beastchain_sync_requests_total " << peer_requests_ << '\n';
    family("beastchain_sync_received_bytes_total", "counter", "Reply body bytes sync received from peers.");
    os << "beastchain_sync_received_bytes_total " << peer_bytes_ << '\n';
    family("beastchain_relayed_transactions_total", "counter", "Transactions delivered to peers by relay.");
    os << "beastchain_relayed_transactions_total " << relayed_txs_ << '\n';
    family("beastchain_relayed_blocks_total", "counter", "Blocks pushed to peers.");
    os << "beastchain_relayed_blocks_total " << relayed_blocks_ << '\n';
    family("beastchain_relay_dropped_total", "counter", "Items dropped from full per-peer relay queues.");
    os << "beastchain_relay_dropped_total " << relay_dropped_ << '\n';
    family(
        "beastchain_storage_sync_seconds",
        "summary",
        "fdatasync calls of the data directory log and their total time."
    );
    os << "beastchain_storage_sync_seconds_sum " << g.storage_sync_seconds << '\n';
    os << "beastchain_storage_sync_seconds_count " << g.storage_syncs << '\n';
    family("beastchain_uptime_seconds", "gauge", "Seconds since the node started.");
    os << "beastchain_uptime_seconds " << g.uptime_seconds << '\n';
    return os.str();
}

} // namespace beastchain::node
