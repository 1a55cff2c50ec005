// The node's peers and what it knows of each: last contact, failures with back-off, and bans.
#pragma once

#include <beastchain/net/peer_url.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace beastchain::node {

struct peer_info
{
    net::peer_url url;
    std::uint64_t added_ms = 0;
    std::uint64_t last_seen_ms = 0;    ///< last successful exchange; 0: never
    unsigned failures = 0;             ///< consecutive failed exchanges
    std::uint64_t retry_at_ms = 0;     ///< backing off until then
    std::uint64_t banned_until_ms = 0; ///< refused until then: it served invalid data
    std::string last_error;
    /// Learned from the peer's own announcement, not configured by the operator (`--peer`,
    /// `/register-node`): such a peer gives up its slot to an operator's peer and is evicted
    /// when it keeps failing.
    bool announced = false;
};

/// How long a peer rests after consecutive failures: base * 2^(failures-1), capped.
struct backoff_policy
{
    std::uint64_t base_ms = 1'000;
    std::uint64_t max_ms = 60'000;
};

/**
 * Bookkeeping for outbound contact. Pure and synchronous, so its rules are unit-tested without
 * sockets; the node keeps it on its strand.
 *
 * A peer is *usable* when it is neither banned nor backing off. Success resets the failure count;
 * each failure doubles the rest; a ban outlasts both and shows in /nodes.
 */
class peer_table
{
public:
    explicit peer_table(std::size_t max_peers, backoff_policy policy = {});

    enum class add_result
    {
        added,
        known,
        full
    };
    /// Adds a peer. An operator's peer (`announced` false) that finds the table full takes the
    /// slot of the worst announced peer (returned in `evicted`); an announced one never evicts.
    /// An operator adding a known announced peer makes it the operator's (result `known`).
    add_result
    add(net::peer_url url, std::uint64_t now_ms, bool announced = false, std::string* evicted = nullptr);
    bool remove(const std::string& normalized);

    /// Whether an announced peer has failed enough to lose its slot: unreachable this many
    /// times in a row (about two minutes of back-off), or answering as something else entirely.
    static constexpr unsigned evict_announced_after_failures = 8;
    bool should_evict(const peer_info& p) const noexcept
    {
        return p.announced && p.failures >= evict_announced_after_failures;
    }

    const std::vector<peer_info>& all() const noexcept { return peers_; }
    std::size_t size() const noexcept { return peers_.size(); }
    const peer_info* find(const std::string& normalized) const;

    bool banned(const peer_info& p, std::uint64_t now_ms) const noexcept
    {
        return p.banned_until_ms > now_ms;
    }
    bool usable(const peer_info& p, std::uint64_t now_ms) const noexcept
    {
        return !banned(p, now_ms) && p.retry_at_ms <= now_ms;
    }

    void succeeded(const std::string& normalized, std::uint64_t now_ms);
    void failed(const std::string& normalized, std::uint64_t now_ms, std::string why);
    void ban(const std::string& normalized, std::uint64_t now_ms, std::uint64_t seconds, std::string why);

    /// "ok", "new" (never reached), "backoff" or "banned", for /nodes.
    std::string_view state(const peer_info& p, std::uint64_t now_ms) const noexcept;

private:
    peer_info* find_mutable(const std::string& normalized);

    std::size_t max_peers_;
    backoff_policy policy_;
    std::vector<peer_info> peers_;
};

} // namespace beastchain::node
