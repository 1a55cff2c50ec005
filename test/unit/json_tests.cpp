// JSON mapping: round trips of blocks and chains, exact timestamps, and hostile field values.
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/json/text.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "chain_fixture.hpp"

using namespace beastchain;
using namespace beastchain::test;

namespace {

json::decode_error tx_error(const std::string& body)
{
    auto parsed = json::parse_body(body, json::kind::client_request);
    if (!parsed.ok())
        return parsed.error();
    auto d = json::decode_transaction_request(parsed.value());
    BOOST_TEST_REQUIRE(!d.ok(), "expected a decode failure for " << body);
    return d.error();
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_tests)

BOOST_AUTO_TEST_CASE(block_round_trips_through_json)
{
    const auto blocks = make_blocks(2);
    std::string text = "{\"blocks\":[";
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if (i)
            text += ',';
        text += boost::json::serialize(boost::json::value_from(entry_of(blocks[i])));
    }
    text += "],\"from\":0,\"height\":1,\"tip_hash\":\"" + core::to_hex(core::block_hash(blocks[1])) + "\"}";
    auto parsed = json::parse_body(text, json::kind::with_arrays(100));
    BOOST_REQUIRE(parsed.ok());
    auto chain = json::decode_blocks_page(parsed.value(), 100);
    BOOST_TEST_REQUIRE(
        chain.ok(), (chain.ok() ? std::string() : chain.error().field + " " + chain.error().detail)
    );
    BOOST_TEST((chain.value().blocks == blocks));
    BOOST_TEST((chain.value().claimed_hashes[1].value() == core::block_hash(blocks[1])));
}

BOOST_AUTO_TEST_CASE(genesis_keeps_the_tutorial_shape)
{
    const auto jv = boost::json::value_from(entry_of(core::genesis_block()));
    const auto& o = jv.as_object();
    BOOST_TEST(o.at("previous_hash").to_number<std::int64_t>() == 0);
    BOOST_TEST(o.at("index").to_number<std::int64_t>() == 0);
    BOOST_TEST(o.at("proof").to_number<std::int64_t>() == 0);
    BOOST_TEST(o.at("transactions").as_array().empty());
    BOOST_TEST(o.at("timestamp").as_double() == 1515310711.279);
}

BOOST_AUTO_TEST_CASE(timestamps_are_exact_milliseconds)
{
    for (std::uint64_t ms : {0ULL, 1ULL, 1515310711279ULL, 1795508132728ULL, 4102444800999ULL}) {
        const double s = json::timestamp_to_seconds(ms);
        // Through text and back, as a peer would see it.
        const double reparsed = boost::json::parse(boost::json::serialize(boost::json::value(s))).as_double();
        BOOST_TEST(json::timestamp_from_seconds(reparsed).value() == ms);
    }
    BOOST_TEST(!json::timestamp_from_seconds(1.0005).has_value()); // finer than a millisecond
    BOOST_TEST(!json::timestamp_from_seconds(-1).has_value());
    BOOST_TEST(!json::timestamp_from_seconds(1e300).has_value());
}

BOOST_AUTO_TEST_CASE(numbers_print_as_plain_decimals)
{
    // The text a person reads with curl, not just the value: exactly the millisecond digits.
    BOOST_TEST(
        json::to_text(boost::json::value(json::timestamp_to_seconds(1795546549716ULL))) == "1795546549.716"
    );
    BOOST_TEST(
        json::to_text(boost::json::value(json::timestamp_to_seconds(1515311789000ULL))) == "1515311789.0"
    );
    BOOST_TEST(json::to_text(boost::json::value(json::timestamp_to_seconds(1ULL))) == "0.001");
    BOOST_TEST(json::to_text(boost::json::value(0.0)) == "0.0");
    BOOST_TEST(json::to_text(boost::json::value(7.179)) == "7.179");
    BOOST_TEST(json::to_text(boost::json::value(std::nan(""))) == "null");
    const std::string genesis = json::to_text(boost::json::value_from(entry_of(core::genesis_block())));
    BOOST_TEST(genesis.find("\"timestamp\":1515310711.279,") != std::string::npos, genesis);
    BOOST_TEST(genesis.find('E') == std::string::npos, genesis);

    // Everything but doubles reads exactly as Boost.JSON writes it, and every timestamp survives
    // the trip through text.
    const auto mixed =
        boost::json::parse(R"({"a":[1,-2,18446744073709551615,true,null,"q\"\n\u0001é"],"b":{}})");
    BOOST_TEST(json::to_text(mixed) == boost::json::serialize(mixed));
    std::string ascii;
    for (int c = 0; c < 128; ++c)
        ascii += static_cast<char>(c);
    const boost::json::value every_escape{{ascii, ascii}};
    BOOST_TEST(json::to_text(every_escape) == boost::json::serialize(every_escape));
    for (std::uint64_t ms : {0ULL, 1ULL, 999ULL, 1515310711279ULL, 1795508132728ULL, 4102444800999ULL}) {
        const std::string text = json::to_text(boost::json::value(json::timestamp_to_seconds(ms)));
        BOOST_TEST(json::timestamp_from_seconds(boost::json::parse(text).as_double()).value() == ms, text);
    }
}

BOOST_AUTO_TEST_CASE(bad_amounts_name_the_field)
{
    for (const char* amount :
         {"-1",
          "0",
          "3.5",
          "\"3\"",
          "null",
          "true",
          "18446744073709551616",
          "1e3",
          "1e309",
          "1000000000000001",
          "[]"}) {
        const auto e = tx_error(std::string(R"({"sender":"a","recipient":"b","amount":)") + amount + "}");
        BOOST_TEST(e.field == "amount", "amount " << amount << " gave field " << e.field);
    }
}

BOOST_AUTO_TEST_CASE(missing_or_mistyped_fields_are_named)
{
    BOOST_TEST(tx_error(R"({"recipient":"b","amount":1})").field == "sender");
    BOOST_TEST(tx_error(R"({"sender":"a","amount":1})").field == "recipient");
    BOOST_TEST(tx_error(R"({"sender":"a","recipient":"b"})").field == "amount");
    BOOST_TEST(tx_error(R"({"sender":5,"recipient":"b","amount":1})").field == "sender");
    BOOST_TEST(tx_error(R"([1,2,3])").field == "body");
    BOOST_TEST(tx_error(R"({"sender":"a",)").field == "body");
    BOOST_TEST(
        tx_error("{\"sender\":\"\xff\",\"recipient\":\"b\",\"amount\":1}").field == "body"
    );                                                                                   // invalid UTF-8
    BOOST_TEST(tx_error(std::string(100, '[') + std::string(100, ']')).field == "body"); // too deep
}

BOOST_AUTO_TEST_CASE(valid_request_decodes_and_ignores_unknown_fields)
{
    auto parsed = json::parse_body(
        R"({"sender":"addr1","recipient":"addr2","amount":3,"memo":"hi"})", json::kind::client_request
    );
    BOOST_REQUIRE(parsed.ok());
    auto tx = json::decode_transaction_request(parsed.value());
    BOOST_REQUIRE(tx.ok());
    BOOST_TEST(tx.value().sender == "addr1");
    BOOST_TEST(tx.value().recipient == "addr2");
    BOOST_TEST(tx.value().amount == 3u);
}

BOOST_AUTO_TEST_CASE(blocks_page_limits_and_shapes)
{
    const std::string rest = R"(,"from":0,"height":0,"tip_hash":")" + std::string(64, '0') + "\"}";
    auto too_long = json::parse_body(R"({"blocks":[{},{},{}])" + rest, json::kind::with_arrays(10));
    BOOST_TEST(json::decode_blocks_page(too_long.value(), 2).error().field == "blocks");
    auto not_array = json::parse_body(R"({"blocks":{})" + rest, json::kind::with_arrays(10));
    BOOST_TEST(json::decode_blocks_page(not_array.value(), 2).error().field == "blocks");
    auto bad_block = json::parse_body(R"({"blocks":[{"index":0}])" + rest, json::kind::with_arrays(10));
    BOOST_TEST(json::decode_blocks_page(bad_block.value(), 2).error().field == "blocks[0].proof");
}

BOOST_AUTO_TEST_CASE(inventory_and_missing_positions_are_checked)
{
    const std::vector<std::string> ids{std::string(64, 'a'), std::string(64, 'b')};
    auto inv = json::parse_body(json::encode_inventory(ids), json::kind::with_arrays(10));
    BOOST_REQUIRE(inv.ok());
    auto back = json::decode_inventory(inv.value(), 10);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(back.value() == ids);
    BOOST_TEST(json::decode_inventory(inv.value(), 1).error().field == "transactions"); // too many
    auto bad_id = json::parse_body(R"({"transactions":["xyz"]})", json::kind::with_arrays(10));
    BOOST_TEST(json::decode_inventory(bad_id.value(), 10).error().field == "transactions[0]");

    const std::vector<std::size_t> positions{0, 1};
    BOOST_TEST(json::encode_missing(positions) == R"({"missing":[0,1]})");
    const auto missing = [](const std::string& body, std::size_t sent) {
        return json::decode_missing(json::parse_body(body, json::kind::with_arrays(10)).value(), sent);
    };
    BOOST_TEST(missing(R"({"missing":[0,1]})", 2).value() == positions);
    BOOST_TEST(!missing(R"({"missing":[2]})", 2).ok());   // beyond what was sent
    BOOST_TEST(!missing(R"({"missing":[1,0]})", 2).ok()); // not ascending: repeats are refused too
    BOOST_TEST(!missing(R"({"missing":[-1]})", 2).ok());
    BOOST_TEST(!missing(R"({"missing":[0,1,1]})", 3).ok());
}

BOOST_AUTO_TEST_CASE(headers_page_round_trips_and_refuses_bad_headers)
{
    const auto blocks = make_blocks(2);
    std::vector<std::string> hex;
    for (const auto& b : blocks)
        hex.push_back(core::to_hex(core::serialize_header(b, core::merkle_root(b.transactions))));
    const std::vector<const std::string*> page{&hex[1], &hex[2]};
    const core::chain_entry tip{blocks[2], core::block_hash(blocks[2]), 0};
    const std::string text = json::encode_headers_page(1, tip, page);
    BOOST_TEST(text == R"({"from":1,"headers":[")" + hex[1] + R"(",")" + hex[2] + R"("],"height":2})");
    auto parsed = json::parse_body(text, json::kind::with_arrays(json::max_headers_per_page));
    BOOST_REQUIRE(parsed.ok());
    auto decoded = json::decode_headers_page(parsed.value(), json::max_headers_per_page);
    BOOST_REQUIRE(decoded.ok());
    BOOST_TEST(decoded.value().from == 1u);
    BOOST_TEST(decoded.value().height == 2u);
    BOOST_REQUIRE(decoded.value().headers.size() == 2u);
    BOOST_TEST(core::sha256(decoded.value().headers[1]) == core::block_hash(blocks[2]));

    const auto error_of = [](const std::string& body, std::size_t max) {
        auto p = json::parse_body(body, json::kind::with_arrays(10));
        BOOST_REQUIRE(p.ok());
        auto d = json::decode_headers_page(p.value(), max);
        BOOST_REQUIRE(!d.ok());
        return d.error().field;
    };
    const std::string tail = R"(],"from":1,"height":2})";
    BOOST_TEST(error_of(R"({"headers":[")" + hex[1].substr(2) + "\"" + tail, 5) == "headers[0]"); // short
    BOOST_TEST(error_of(R"({"headers":[")" + std::string(192, 'g') + "\"" + tail, 5) == "headers[0]");
    BOOST_TEST(error_of(R"({"headers":[1)" + tail, 5) == "headers[0]");
    BOOST_TEST(error_of(R"({"headers":["","",""])" + tail.substr(1), 2) == "headers"); // too many
    BOOST_TEST(error_of(R"({"headers":[],"height":2})", 5) == "from");
}

namespace {

std::string shape_error(const std::string& body, const json::parse_limits& limits)
{
    auto parsed = json::parse_body(body, limits);
    return parsed.ok() ? std::string() : parsed.error().detail;
}

/// `{"k0":0,"k1":0,...}` with `n` keys, the last one repeating the first when `repeat` is set.
std::string object_with_keys(std::size_t n, bool repeat = false)
{
    std::string t = "{";
    for (std::size_t i = 0; i < n; ++i)
        t += (i ? ",\"k" : "\"k") + std::to_string(repeat && i + 1 == n ? 0 : i) + "\":0";
    return t + "}";
}

} // namespace

BOOST_AUTO_TEST_CASE(duplicate_keys_are_found_in_every_object)
{
    const json::parse_limits wide{8, 1000, 1000, 4096};
    BOOST_TEST(shape_error(object_with_keys(64), wide).empty());
    BOOST_TEST(shape_error(object_with_keys(64, true), wide) == "has the key \"k0\" twice in one object");
    // Nested: the inner object's keys do not collide with the outer one's, but a repeat inside does.
    BOOST_TEST(shape_error(R"({"a":{"a":1,"b":2},"b":[{"a":1},{"a":2}]})", wide).empty());
    BOOST_TEST(
        shape_error(R"({"a":[{"x":1,"y":2,"x":3}]})", wide) == "has the key \"x\" twice in one object"
    );
    // Escapes are decoded before comparing: "\u0061" is "a".
    BOOST_TEST(shape_error(R"({"a":1,"\u0061":2})", wide) == "has the key \"a\" twice in one object");
}

BOOST_AUTO_TEST_CASE(each_message_kind_caps_members_elements_and_strings)
{
    const auto& req = json::kind::client_request;
    BOOST_TEST(shape_error(object_with_keys(req.max_members), req).empty());
    BOOST_TEST(
        shape_error(object_with_keys(req.max_members + 1), req) == "has an object with more than 64 members"
    );
    // The 80,000-key body of the review is refused at its 65th key, not compared 80,000^2 / 2 times.
    BOOST_TEST(shape_error(object_with_keys(80'000), req) == "has an object with more than 64 members");

    std::string wide = "[" + std::string("0");
    for (int i = 1; i < 65; ++i)
        wide += ",0";
    BOOST_TEST(shape_error(wide + "]", req) == "has an array with more than 64 elements");
    BOOST_TEST(shape_error(wide + "]", json::kind::with_arrays(65)).empty());
    // Nested containers count as one element of their parent.
    BOOST_TEST(shape_error("[[1,2],{\"a\":[]}]", json::kind::with_arrays(2)).empty());

    const std::string long_value = "{\"sender\":\"" + std::string(4097, 'x') + "\"}";
    BOOST_TEST(shape_error(long_value, req) == "has a string longer than 4096 bytes");
    const std::string long_key = "{\"" + std::string(4097, 'k') + "\":1}";
    BOOST_TEST(shape_error(long_key, req) == "has a string longer than 4096 bytes");
    BOOST_TEST(shape_error("{\"s\":\"" + std::string(4096, 'x') + "\"}", req).empty());

    BOOST_TEST(!shape_error(std::string(9, '[') + std::string(9, ']'), req).empty()); // deeper than 8
    BOOST_TEST(shape_error(std::string(8, '[') + std::string(8, ']'), req).empty());
}

BOOST_AUTO_TEST_CASE(transactions_carry_their_nonce_and_content_bound_id)
{
    const core::transaction tx = make_tx("addr1", "addr2", 3);
    const std::string text = boost::json::serialize(boost::json::value_from(tx));
    auto parsed = json::parse_body(text, json::kind::client_request);
    BOOST_REQUIRE(parsed.ok());
    auto back = json::decode_transaction(parsed.value());
    BOOST_REQUIRE(back.ok());
    BOOST_TEST((back.value() == tx));
    BOOST_TEST(back.value().transaction_id.size() == 64u);
    BOOST_TEST(core::check_transaction(back.value()).ok());

    // A nonce beyond 2^53 - 1 could not round-trip through JavaScript: refused at decoding.
    auto big = parsed.value();
    big.as_object()["nonce"] = std::uint64_t{1} << 53;
    BOOST_TEST(json::decode_transaction(big).error().field == "nonce");
}

BOOST_AUTO_TEST_SUITE_END()
