// Proof of work: the difficulty rule, the nonce search, cancellation and work arithmetic.
#include <beastchain/core/pow.hpp>

#include <boost/test/unit_test.hpp>

#include <thread>

#include "chain_fixture.hpp"

using namespace beastchain::core;
using namespace beastchain::test;

BOOST_AUTO_TEST_SUITE(pow_tests)

BOOST_AUTO_TEST_CASE(found_nonce_meets_difficulty_and_neighbours_mostly_do_not)
{
    block b = make_blocks(1)[1];
    b.difficulty = 12;
    solve(b);
    BOOST_TEST(meets_difficulty(block_hash(b), 12));
    BOOST_TEST(leading_zero_bits(block_hash(b)) >= 12);

    // Some other nonce fails: PoW rejects a block whose proof was not searched for.
    int rejected = 0;
    for (std::uint64_t p = b.proof + 1; p < b.proof + 20; ++p) {
        block other = b;
        other.proof = p;
        rejected += meets_difficulty(block_hash(other), 12) ? 0 : 1;
    }
    BOOST_TEST(rejected >= 15);
}

BOOST_AUTO_TEST_CASE(search_is_the_first_nonce_that_meets_the_target)
{
    block b = make_blocks(1)[1];
    b.difficulty = 10;
    std::atomic<bool> stop{false};
    const auto n = pow_search(b).search(0, 1, stop);
    BOOST_REQUIRE(n.has_value());
    for (std::uint64_t p = 0; p < *n; ++p) {
        b.proof = p;
        BOOST_TEST_REQUIRE(!meets_difficulty(block_hash(b), 10));
    }
    b.proof = *n;
    BOOST_TEST(meets_difficulty(block_hash(b), 10));
}

BOOST_AUTO_TEST_CASE(lanes_split_the_nonce_space)
{
    block b = make_blocks(1)[1];
    b.difficulty = 10;
    std::atomic<bool> stop{false};
    const pow_search search(b);
    const auto lane1 = search.search(1, 2, stop);
    BOOST_REQUIRE(lane1.has_value());
    BOOST_TEST(*lane1 % 2 == 1u);
}

BOOST_AUTO_TEST_CASE(stop_flag_cancels_a_hopeless_search)
{
    block b = make_blocks(1)[1];
    b.difficulty = 64; // never found
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> hashes{0};
    std::optional<std::uint64_t> result{42};
    const pow_search search(b);
    std::thread t([&] { result = search.search(0, 1, stop, &hashes); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    t.join();
    BOOST_TEST(!result.has_value());
    BOOST_TEST(hashes.load() > 1000u);
}

BOOST_AUTO_TEST_CASE(work_is_two_to_the_difficulty)
{
    BOOST_TEST(work_to_string(block_work(0)) == "1");
    BOOST_TEST(work_to_string(block_work(20)) == "1048576");
    BOOST_TEST(work_to_string(block_work(64)) == "18446744073709551616");
    BOOST_TEST(work_to_string(block_work(64) * 3 + 5) == "55340232221128654853");
}

BOOST_AUTO_TEST_SUITE_END()
