// core::history_index: histories and totals per address, block hashes, and exact undo on a switch.
#include <beastchain/core/history_index.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <ostream>
#include <random>

namespace core = beastchain::core;

namespace beastchain::core {
std::ostream& operator<<(std::ostream& os, const tx_ref& r)
{
    return os << r.height << ":" << r.position;
}
} // namespace beastchain::core

namespace {

core::transaction tx(std::string from, std::string to, std::uint64_t amount, std::uint64_t nonce = 0)
{
    core::transaction t;
    t.sender = std::move(from);
    t.recipient = std::move(to);
    t.amount = amount;
    t.nonce = nonce;
    t.transaction_id = core::transaction_id_of(t);
    return t;
}

core::block block_of(std::uint64_t index, std::vector<core::transaction> txs)
{
    core::block b;
    b.index = index;
    b.transactions = std::move(txs);
    return b;
}

core::hash256 hash_of(std::uint64_t index, std::uint8_t branch)
{
    core::hash256 h{};
    h[31] = static_cast<std::uint8_t>(index);
    h[30] = static_cast<std::uint8_t>(index >> 8);
    h[0] = branch;
    return h;
}

/// What an index says about `address`, all of it, for comparing two indexes.
std::tuple<std::size_t, std::vector<core::tx_ref>, std::uint64_t, std::uint64_t>
everything(const core::history_index& idx, const std::string& address)
{
    const auto p = idx.history(address, 0, static_cast<std::size_t>(-1));
    return {
        p.total,
        p.refs,
        static_cast<std::uint64_t>(p.totals.received),
        static_cast<std::uint64_t>(p.totals.sent)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(history_index_tests)

BOOST_AUTO_TEST_CASE(histories_are_newest_first_with_totals_and_pages)
{
    core::history_index idx;
    idx.connect(block_of(0, {}), hash_of(0, 0));
    idx.connect(block_of(1, {tx("0", "alice", 10), tx("alice", "bob", 3)}), hash_of(1, 0));
    idx.connect(block_of(2, {tx("bob", "alice", 1), tx("alice", "alice", 4)}), hash_of(2, 0));

    const auto a = idx.history("alice", 0, 10);
    BOOST_TEST(a.total == 4u);
    // A payment to oneself is one line, counted as received and as sent.
    const std::vector<core::tx_ref> want{{2, 1}, {2, 0}, {1, 1}, {1, 0}};
    BOOST_TEST(a.refs == want, boost::test_tools::per_element());
    BOOST_TEST((a.totals.received == 15));
    BOOST_TEST((a.totals.sent == 7));

    const auto page = idx.history("alice", 1, 2);
    const std::vector<core::tx_ref> second{{2, 0}, {1, 1}};
    BOOST_TEST(page.refs == second, boost::test_tools::per_element());
    BOOST_TEST(page.total == 4u);
    BOOST_TEST(idx.history("alice", 9, 2).refs.empty());
    BOOST_TEST(idx.history("nobody", 0, 5).total == 0u);

    BOOST_TEST(idx.height_of(hash_of(2, 0)).value_or(99) == 2u);
    BOOST_TEST(!idx.height_of(hash_of(3, 0)));
    BOOST_CHECK_THROW(idx.connect(block_of(5, {}), hash_of(5, 0)), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_truncation_takes_back_exactly_what_the_blocks_added)
{
    core::history_index idx;
    idx.connect(block_of(0, {}), hash_of(0, 0));
    idx.connect(block_of(1, {tx("0", "alice", 10)}), hash_of(1, 0));
    idx.connect(block_of(2, {tx("alice", "carol", 6), tx("0", "dave", 1)}), hash_of(2, 0));
    BOOST_TEST(idx.addresses() == 4u); // 0, alice, carol, dave

    idx.truncate(2);
    BOOST_TEST(idx.size() == 2u);
    BOOST_TEST(!idx.height_of(hash_of(2, 0)));
    const auto a = idx.history("alice", 0, 10);
    BOOST_TEST(a.total == 1u);
    BOOST_TEST((a.totals.sent == 0));
    BOOST_TEST((a.totals.received == 10));
    // Addresses only the dropped block named are gone, not left empty.
    BOOST_TEST(idx.history("carol", 0, 10).total == 0u);
    BOOST_TEST(idx.addresses() == 2u);
}

BOOST_AUTO_TEST_CASE(random_switches_leave_the_index_a_rebuild_would_build)
{
    std::mt19937_64 rng(20261203);
    const std::vector<std::string> names{"0", "a", "b", "c", "d", "e"};
    auto pick = [&] {
        return names[rng() % names.size()];
    };
    std::vector<core::block> chain{block_of(0, {})};
    std::vector<core::hash256> hashes{hash_of(0, 0)};
    core::history_index idx;
    idx.connect(chain[0], hashes[0]);
    for (int round = 0; round < 200; ++round) {
        // A switch: drop a suffix, then grow a new branch from the fork.
        const std::size_t fork = 1 + rng() % chain.size();
        if (fork < chain.size() && rng() % 3 == 0) {
            chain.resize(fork);
            hashes.resize(fork);
            idx.truncate(fork);
        }
        const std::size_t grow = 1 + rng() % 3;
        for (std::size_t g = 0; g < grow; ++g) {
            std::vector<core::transaction> txs;
            for (std::size_t i = 0, n = rng() % 4; i < n; ++i)
                txs.push_back(tx(pick(), pick(), rng() % 1000, rng()));
            const std::uint64_t index = chain.size();
            chain.push_back(block_of(index, std::move(txs)));
            hashes.push_back(hash_of(index, static_cast<std::uint8_t>(round)));
            idx.connect(chain.back(), hashes.back());
        }
        core::history_index fresh;
        for (std::size_t i = 0; i < chain.size(); ++i)
            fresh.connect(chain[i], hashes[i]);
        BOOST_TEST_REQUIRE(idx.size() == fresh.size());
        BOOST_TEST_REQUIRE(idx.addresses() == fresh.addresses());
        for (const auto& n : names)
            BOOST_TEST_REQUIRE(
                (everything(idx, n) == everything(fresh, n)), "address " << n << " round " << round
            );
        for (std::size_t i = 0; i < chain.size(); ++i)
            BOOST_TEST_REQUIRE(idx.height_of(hashes[i]).value_or(-1) == i);
    }
}

BOOST_AUTO_TEST_SUITE_END()
