// The load generator: keep-alive Beast client coroutines on one io_context, closed or open loop.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "options.hpp"

namespace beastchain::bench {

/// What one route (e.g. "POST /create-transaction") saw during the measured period.
struct route_result
{
    std::string name;
    latency_histogram latency; ///< nanoseconds, successful and failed replies alike
    std::uint64_t ok = 0;
    std::map<unsigned, std::uint64_t> status_errors; ///< unexpected HTTP statuses
    std::uint64_t timeouts = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t io_errors = 0; ///< resets, early EOF, malformed replies

    std::uint64_t errors() const noexcept;
    std::uint64_t requests() const noexcept { return ok + errors(); }
};

struct load_result
{
    std::vector<route_result> routes;
    double measured_seconds = 0;
    std::uint64_t warmup_requests = 0;
    /// transaction_id of every 201 (warm-up included), per target index.
    std::vector<std::vector<std::string>> acked;
    std::uint64_t unidentified_acks = 0; ///< 201s without a transaction_id (cannot be verified)
};

/**
 * Runs the scenario against the targets: `connections` coroutines, each with one keep-alive
 * connection, spread over the targets in turn. Closed loop: each sends its next request when
 * the previous reply arrives. Open loop (`rate` > 0): request k is due at start + k / rate and
 * its latency counts from then, so a stalled server is charged for the requests it delayed
 * (coordinated omission corrected, as wrk2 does). Never throws for server misbehaviour.
 */
load_result run_load(const options& opts);

} // namespace beastchain::bench
