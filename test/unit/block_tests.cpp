// The canonical header layout, Merkle root properties and the shared genesis block.
#include <beastchain/core/block.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>

#include "chain_fixture.hpp"

using namespace beastchain::core;
using namespace beastchain::test;

BOOST_AUTO_TEST_SUITE(block_tests)

BOOST_AUTO_TEST_CASE(header_layout_matches_the_documented_format)
{
    block b;
    b.index = 0x0102030405060708ULL;
    b.previous_hash.fill(0xAA);
    b.timestamp_ms = 0x1112131415161718ULL;
    b.difficulty = 0x21222324;
    b.proof = 0x3132333435363738ULL;
    hash256 merkle;
    merkle.fill(0xBB);
    const header_bytes h = serialize_header(b, merkle);

    // version(4) index(8) previous_hash(32) merkle(32) timestamp(8) difficulty(4) proof(8), little-endian
    // ints
    std::vector<std::uint8_t> expected = {1, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
    expected.insert(expected.end(), 32, 0xAA);
    expected.insert(expected.end(), 32, 0xBB);
    for (std::uint8_t v : {0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x24, 0x23, 0x22, 0x21})
        expected.push_back(v);
    for (std::uint8_t v : {0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31})
        expected.push_back(v);
    BOOST_TEST(std::vector<std::uint8_t>(h.begin(), h.end()) == expected, boost::test_tools::per_element());
    BOOST_TEST(header_nonce_offset == 88u);
}

BOOST_AUTO_TEST_CASE(genesis_hash_is_a_fixed_vector)
{
    // SHA-256 of the genesis header: version 1, zeros, empty Merkle root, timestamp 1515310711279.
    BOOST_TEST(to_hex(genesis_hash()) == "6465ed383d5eb0710b85dc8c5f476c5f3f90154b493ed1baa1582a0df7d8ccf3");
    BOOST_TEST(genesis_block().transactions.empty());
    BOOST_TEST(genesis_block().proof == 0u);
}

BOOST_AUTO_TEST_CASE(leaf_hash_vector)
{
    const transaction tx = make_transaction("addr1", "addr2", 3, 7);
    // 0x00 | len32 id | id | len32 sender | sender | len32 recipient | recipient | amount64 |
    // nonce64 (all little-endian)
    std::vector<std::uint8_t> bytes{0x00, 64, 0, 0, 0};
    bytes.insert(bytes.end(), tx.transaction_id.begin(), tx.transaction_id.end());
    for (const std::string* s : {&tx.sender, &tx.recipient}) {
        bytes.insert(bytes.end(), {static_cast<std::uint8_t>(s->size()), 0, 0, 0});
        bytes.insert(bytes.end(), s->begin(), s->end());
    }
    bytes.insert(bytes.end(), {3, 0, 0, 0, 0, 0, 0, 0});
    bytes.insert(bytes.end(), {7, 0, 0, 0, 0, 0, 0, 0});
    BOOST_TEST((transaction_leaf_hash(tx) == sha256(bytes)));
}

BOOST_AUTO_TEST_CASE(transaction_id_is_the_hash_of_the_canonical_bytes)
{
    // 0x01 | len32 sender | sender | len32 recipient | recipient | amount64 | nonce64 (little-endian)
    const std::string expected_bytes = std::string("\x01\x05\0\0\0addr1\x05\0\0\0addr2", 19) +
                                       std::string("\x03\0\0\0\0\0\0\0", 8) +
                                       std::string("\x07\0\0\0\0\0\0\0", 8);
    const transaction tx = make_transaction("addr1", "addr2", 3, 7);
    BOOST_TEST(canonical_bytes(tx) == expected_bytes);
    BOOST_TEST(tx.transaction_id == to_hex(sha256(expected_bytes)));
    // A fixed vector, so the id rule cannot drift silently between versions.
    BOOST_TEST(tx.transaction_id == "44aa394633b5c1a5879868a5951599ca3f86c5737c7a2132c503616414b93cde");
    // Two identical payments differ only by nonce, and so do their ids.
    BOOST_TEST(make_transaction("addr1", "addr2", 3, 8).transaction_id != tx.transaction_id);
}

BOOST_AUTO_TEST_CASE(merkle_root_covers_order_and_every_field)
{
    const auto a = make_tx("a", "b", 1), b = make_tx("c", "d", 2), c = make_tx("e", "f", 3);
    BOOST_TEST((merkle_root({}) == hash256{}));
    const std::vector<transaction> one{a};
    BOOST_TEST((merkle_root(one) == transaction_leaf_hash(a)));
    const std::vector<transaction> abc{a, b, c}, bac{b, a, c}, ab{a, b};
    BOOST_TEST((merkle_root(abc) != merkle_root(bac)));
    BOOST_TEST((merkle_root(abc) != merkle_root(ab)));
    // An odd list must not equal the list with its last element duplicated (CVE-2012-2459 shape).
    const std::vector<transaction> abcc{a, b, c, c};
    BOOST_TEST((merkle_root(abc) != merkle_root(abcc)));
    auto changed = abc;
    changed[2].amount = 4;
    BOOST_TEST((merkle_root(abc) != merkle_root(changed)));
}

BOOST_AUTO_TEST_CASE(block_hash_changes_with_any_field)
{
    const auto blocks = make_blocks(1);
    const block& base = blocks[1];
    const hash256 h = block_hash(base);
    auto mutate = [&](auto fn) {
        block copy = base;
        fn(copy);
        return block_hash(copy);
    };
    BOOST_TEST((mutate([](block& b) { b.index++; }) != h));
    BOOST_TEST((mutate([](block& b) { b.proof++; }) != h));
    BOOST_TEST((mutate([](block& b) { b.timestamp_ms++; }) != h));
    BOOST_TEST((mutate([](block& b) { b.difficulty++; }) != h));
    BOOST_TEST((mutate([](block& b) { b.previous_hash[31] ^= 1; }) != h));
    BOOST_TEST((mutate([](block& b) { b.transactions.back().recipient = "thief"; }) != h));
    BOOST_TEST((mutate([](block& b) { b.transactions[0].amount = 300; }) != h));
}

BOOST_AUTO_TEST_SUITE_END()
