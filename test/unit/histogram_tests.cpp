// The load tool's latency histogram: bucket bounds, relative error, percentiles and merging.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "../../bench/load/histogram.hpp"

using beastchain::bench::latency_histogram;

BOOST_AUTO_TEST_SUITE(histogram_tests)

BOOST_AUTO_TEST_CASE(small_values_are_exact_and_buckets_tile_the_range)
{
    for (std::uint64_t v = 0; v < 256; ++v) {
        BOOST_TEST(latency_histogram::bucket_of(v) == v);
        BOOST_TEST(latency_histogram::bucket_highest(v) == v);
    }
    // Consecutive buckets are adjacent: no gaps, no overlaps, up to 2^50.
    for (std::size_t b = 0; latency_histogram::bucket_lowest(b) < (std::uint64_t{1} << 50); ++b) {
        BOOST_TEST_REQUIRE(
            latency_histogram::bucket_highest(b) + 1 == latency_histogram::bucket_lowest(b + 1), b
        );
        BOOST_TEST_REQUIRE(latency_histogram::bucket_of(latency_histogram::bucket_lowest(b)) == b);
        BOOST_TEST_REQUIRE(latency_histogram::bucket_of(latency_histogram::bucket_highest(b)) == b);
    }
    BOOST_TEST(latency_histogram::bucket_of(UINT64_MAX) > latency_histogram::bucket_of(UINT64_MAX / 2));
}

BOOST_AUTO_TEST_CASE(every_value_is_known_to_within_one_part_in_128)
{
    std::mt19937_64 rng(1);
    for (int i = 0; i < 100'000; ++i) {
        const std::uint64_t v = rng() >> (rng() % 60);
        const std::size_t b = latency_histogram::bucket_of(v);
        const auto lo = latency_histogram::bucket_lowest(b), hi = latency_histogram::bucket_highest(b);
        BOOST_TEST_REQUIRE(lo <= v);
        BOOST_TEST_REQUIRE(v <= hi);
        BOOST_TEST_REQUIRE(static_cast<double>(hi - lo) <= static_cast<double>(v) / 128.0, v);
    }
}

BOOST_AUTO_TEST_CASE(percentiles_match_the_exact_order_statistics)
{
    // Latencies from 1 us to 10 ms, heavy-tailed like a real run.
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> dist(11.0, 1.0);
    std::vector<std::uint64_t> values;
    latency_histogram h;
    for (int i = 0; i < 200'000; ++i) {
        const auto v = static_cast<std::uint64_t>(std::clamp(dist(rng), 1'000.0, 10'000'000.0));
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
        const double exact = static_cast<double>(values[rank - 1]);
        const double got = static_cast<double>(h.percentile(p));
        BOOST_TEST(got >= exact, p);                   // reported on the slow side...
        BOOST_TEST(got <= exact * (1 + 1.0 / 128), p); // ...by less than one bucket
    }
    BOOST_TEST(h.percentile(100) == values.back());
    BOOST_TEST(h.max() == values.back());
    BOOST_TEST(h.min() == values.front());
    BOOST_TEST(h.count() == values.size());
}

BOOST_AUTO_TEST_CASE(small_populations_and_empty_histograms)
{
    latency_histogram empty;
    BOOST_TEST(empty.percentile(99) == 0u);
    BOOST_TEST(empty.count() == 0u);
    BOOST_TEST(empty.min() == 0u);

    latency_histogram h;
    for (std::uint64_t v : {10, 20, 30, 40, 1000})
        h.record(v);
    BOOST_TEST(h.percentile(50) == 30u); // 3rd of 5
    BOOST_TEST(h.percentile(80) == 40u); // 4th of 5
    BOOST_TEST(h.percentile(80.1) == 1000u);
    BOOST_TEST(h.percentile(0) == 10u); // rank at least 1
    BOOST_TEST(h.mean() == 220.0);
}

BOOST_AUTO_TEST_CASE(merging_equals_recording_everything_in_one)
{
    latency_histogram a, b, all;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 10'000; ++i) {
        const std::uint64_t v = rng() % 5'000'000;
        (i % 3 == 0 ? a : b).record(v);
        all.record(v);
    }
    a.merge(b);
    BOOST_TEST(a.count() == all.count());
    BOOST_TEST(a.max() == all.max());
    BOOST_TEST(a.min() == all.min());
    for (double p : {1.0, 50.0, 99.0, 99.9})
        BOOST_TEST(a.percentile(p) == all.percentile(p));
    BOOST_TEST(a.mean() == all.mean());
}

BOOST_AUTO_TEST_SUITE_END()
