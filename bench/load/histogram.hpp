// HdrHistogram-style latency histogram: log-linear buckets with a fixed relative error, mergeable.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace beastchain::bench {

/**
 * Records non-negative integer values (the load tool uses nanoseconds) in buckets whose width
 * grows with the value, as HdrHistogram does: values below 256 are exact, and above that each
 * power of two is split into 128 equal sub-buckets, so any recorded value is known to within
 * 1/128 (0.8%) of itself. Percentiles report the top of the bucket holding the rank (never more
 * than the largest value recorded), so they err on the slow side.
 *
 * @par Thread Safety
 * None; each connection records into its own histogram and they are merged at the end.
 */
class latency_histogram
{
public:
    static constexpr unsigned sub_bucket_bits = 7;

    void record(std::uint64_t value);
    void merge(const latency_histogram& other);

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

    /// The value at or below which `percent` (0 < percent <= 100) of the recorded values lie; 0 when empty.
    std::uint64_t percentile(double percent) const;

    /// Bucket arithmetic, public for tests.
    static std::size_t bucket_of(std::uint64_t value) noexcept;
    static std::uint64_t bucket_lowest(std::size_t bucket) noexcept;
    static std::uint64_t bucket_highest(std::size_t bucket) noexcept;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    double sum_ = 0; // for the mean only
};

} // namespace beastchain::bench
