// beastchain-bench's output: a table for people, JSON for machines.
#pragma once

#include <optional>
#include <string>

#include "driver.hpp"
#include "options.hpp"
#include "verify.hpp"

namespace beastchain::bench {

/// The human-readable report: settings, a row per route (rate, latency percentiles, errors),
/// error breakdowns, and the verification verdict when there is one.
std::string format_table(const options& opts, const load_result& load, const std::optional<verify_result>& v);

/// The same as a JSON document (latencies in milliseconds).
std::string format_json(const options& opts, const load_result& load, const std::optional<verify_result>& v);

} // namespace beastchain::bench
