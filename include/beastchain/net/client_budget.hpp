// Per-source limits: open connections per address, and a token bucket for its writes.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace beastchain::net {

struct client_budget_settings
{
    /// Open connections one source may hold; beyond it new ones get 429. 0: no cap.
    std::size_t max_connections_per_source = 64;
    /// Side-effecting requests (POSTs, /mine, /sync-chain) per second per source, and the burst
    /// it may spend at once; beyond it 429 with Retry-After. 0: no limit.
    double write_rate = 200;
    double write_burst = 400;
    /// Loopback clients (the tutorial, local load tests) are exempt unless this is set.
    bool limit_loopback = false;
};

/// The source an address counts as: the IPv4 address (mapped forms unwrapped), or the IPv6 /64
/// it lies in, as text. Every per-source rule keys on this.
std::string source_key(const boost::asio::ip::address& a);

/**
 * What each source address may still do. A source is an IPv4 address or an IPv6 /64 (one
 * host usually holds a whole /64, so counting single IPv6 addresses would count nothing).
 * Pure and clock-injected, so its rules are unit-tested without sockets.
 *
 * Memory: one entry per source with open connections or an unrefilled bucket; entries of
 * sources with neither are pruned once the table passes `prune_above`.
 *
 * @par Thread Safety
 * Not thread-safe: the server holds its lock around each call; exempt() alone reads only the
 * settings and may be called without it.
 */
class client_budget
{
public:
    using clock = std::chrono::steady_clock;

    explicit client_budget(client_budget_settings s = {}, std::size_t prune_above = 16'384);

    bool exempt(const boost::asio::ip::address& a) const noexcept;

    /// Counts a new connection; false (and nothing counted) when the source is at its cap.
    bool open_connection(const boost::asio::ip::address& a, clock::time_point now);
    void close_connection(const boost::asio::ip::address& a, clock::time_point now);

    /// Spends one write; when the bucket is empty, the whole seconds until one is available.
    std::optional<std::chrono::seconds> take_write(const boost::asio::ip::address& a, clock::time_point now);

    std::size_t tracked_sources() const noexcept { return sources_.size(); }

private:
    struct source
    {
        std::size_t connections = 0;
        double tokens = 0;
        clock::time_point refilled;
    };
    source& entry(const boost::asio::ip::address& a, clock::time_point now);
    void refill(source& s, clock::time_point now) const noexcept;
    void prune(clock::time_point now);

    client_budget_settings settings_;
    std::size_t prune_above_;
    std::unordered_map<std::string, source> sources_;
};

} // namespace beastchain::net
