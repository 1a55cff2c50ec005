// SHA-256 against FIPS 180-2 vectors, hex round trips and leading-zero counting.
#include <beastchain/core/hash.hpp>

#include <boost/test/unit_test.hpp>

using namespace beastchain::core;

BOOST_AUTO_TEST_SUITE(hash_tests)

BOOST_AUTO_TEST_CASE(sha256_known_vectors)
{
    BOOST_TEST(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(
        to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

BOOST_AUTO_TEST_CASE(hex_round_trip_and_rejects)
{
    const hash256 h = sha256("abc");
    const auto back = hash_from_hex(to_hex(h));
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST((*back == h));
    BOOST_TEST(!hash_from_hex("abc").has_value());                // too short
    BOOST_TEST(!hash_from_hex(std::string(64, 'g')).has_value()); // not hex
    BOOST_TEST(!hash_from_hex(std::string(66, '0')).has_value()); // too long
    BOOST_TEST(hash_from_hex(std::string(64, 'A')).has_value());  // upper case is hex too
}

BOOST_AUTO_TEST_CASE(leading_zero_bits_counts_from_the_first_byte)
{
    hash256 h{};
    BOOST_TEST(leading_zero_bits(h) == 256);
    h[0] = 0x80;
    BOOST_TEST(leading_zero_bits(h) == 0);
    h[0] = 0x01;
    BOOST_TEST(leading_zero_bits(h) == 7);
    h[0] = 0;
    h[2] = 0x10;
    BOOST_TEST(leading_zero_bits(h) == 19);
}

BOOST_AUTO_TEST_SUITE_END()
