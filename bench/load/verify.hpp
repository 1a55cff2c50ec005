// --verify: drain the targets' pending pools, then count every acknowledged transaction in the chain.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"

namespace beastchain::bench {

struct verify_result
{
    bool completed = false; ///< false: the targets could not be drained or read (see `error`)
    std::string error;
    std::uint64_t acknowledged = 0;
    std::uint64_t exactly_once = 0;
    std::uint64_t missing = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t blocks_mined = 0;
    double seconds = 0;
    std::vector<std::string> examples; ///< a few missing or duplicated ids, for the report

    bool passed() const noexcept { return completed && missing == 0 && duplicated == 0; }
};

/**
 * Mines (or, with --verify-no-mine, waits) until no target has a pending transaction, then reads
 * each target's chain (`/blocks` pages, or `/chain` from nodes without them) and counts how
 * often each transaction that target acknowledged appears: once is right; zero is a lost
 * acknowledgement; more is a duplicate.
 */
verify_result verify(const options& opts, const std::vector<std::vector<std::string>>& acked);

} // namespace beastchain::bench
