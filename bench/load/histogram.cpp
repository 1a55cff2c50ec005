// Log-linear bucket arithmetic and percentile walk for latency_histogram.
#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace beastchain::bench {

namespace {

constexpr std::uint64_t sub_count = std::uint64_t{1} << latency_histogram::sub_bucket_bits; // 128
constexpr std::uint64_t exact_limit = 2 * sub_count;                                        // 256

} // namespace

std::size_t latency_histogram::bucket_of(std::uint64_t value) noexcept
{
    if (value < exact_limit)
        return static_cast<std::size_t>(value);
    // The top 8 bits of the value select the sub-bucket; the position of the top bit the range.
    const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(value));
    const unsigned shift = msb - sub_bucket_bits; // >= 1
    const std::uint64_t sub = value >> shift;     // in [128, 256)
    return static_cast<std::size_t>(exact_limit + (shift - 1) * sub_count + (sub - sub_count));
}

std::uint64_t latency_histogram::bucket_lowest(std::size_t bucket) noexcept
{
    if (bucket < exact_limit)
        return bucket;
    const std::uint64_t rel = bucket - exact_limit;
    const unsigned shift = static_cast<unsigned>(rel / sub_count) + 1;
    const std::uint64_t sub = sub_count + rel % sub_count;
    return sub << shift;
}

std::uint64_t latency_histogram::bucket_highest(std::size_t bucket) noexcept
{
    if (bucket < exact_limit)
        return bucket;
    const unsigned shift = static_cast<unsigned>((bucket - exact_limit) / sub_count) + 1;
    return bucket_lowest(bucket) + (std::uint64_t{1} << shift) - 1;
}

void latency_histogram::record(std::uint64_t value)
{
    const std::size_t b = bucket_of(value);
    if (b >= counts_.size())
        counts_.resize(b + 1, 0);
    ++counts_[b];
    ++count_;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    sum_ += static_cast<double>(value);
}

void latency_histogram::merge(const latency_histogram& other)
{
    if (other.counts_.size() > counts_.size())
        counts_.resize(other.counts_.size(), 0);
    for (std::size_t i = 0; i < other.counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

std::uint64_t latency_histogram::percentile(double percent) const
{
    if (count_ == 0)
        return 0;
    const double clamped = std::clamp(percent, 0.0, 100.0);
    // The rank of the value sought, 1-based: p99 of 1,000 values is the 990th smallest.
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(clamped / 100.0 * static_cast<double>(count_)))
    );
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
        seen += counts_[b];
        if (seen >= rank)
            return std::min(bucket_highest(b), max_);
    }
    return max_;
}

} // namespace beastchain::bench
