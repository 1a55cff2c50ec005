// The tutorial's curl session against a real node, then every error path of the API.
#include <beastchain/json/conversions.hpp>

#include <future>
#include <set>

#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;

BOOST_AUTO_TEST_SUITE(api_tests)

BOOST_AUTO_TEST_CASE(tutorial_curl_session)
{
    node_process node(quick_node());

    // $ curl http://127.0.0.1:5000/chain  -> the genesis block, shaped as in the tutorial
    auto chain = http_get(node.port(), "/chain");
    BOOST_TEST(chain.status == 200u);
    BOOST_TEST(chain.headers["content-type"] == "application/json");
    auto genesis = chain.json().at("chain").as_array().at(0).as_object();
    BOOST_TEST(genesis.at("index").as_int64() == 0);
    BOOST_TEST(genesis.at("previous_hash").as_int64() == 0);
    BOOST_TEST(genesis.at("proof").as_int64() == 0);
    BOOST_TEST(genesis.at("transactions").as_array().empty());
    BOOST_TEST(genesis.at("timestamp").is_double());
    // As the tutorial prints it: a plain decimal, not 1.515310711279E9.
    BOOST_TEST(chain.body.find("\"timestamp\":1515310711.279,") != std::string::npos, chain.body);
    BOOST_TEST(chain.json().at("length").as_int64() == 1);

    // $ curl -X POST ... create-transaction  -> 201 with the tutorial's message
    auto created = http_post_json(
        node.port(), "/create-transaction", R"({"sender": "addr1", "recipient": "addr2", "amount": 3})"
    );
    BOOST_TEST(created.status == 201u);
    auto cj = created.json().as_object();
    BOOST_TEST(cj.at("message").as_string() == "Transaction has been submitted successfully");
    BOOST_TEST(cj.at("block_index").as_int64() == 1);
    const std::string txid(cj.at("transaction_id").as_string());
    BOOST_TEST(txid.size() == 64u); // SHA-256 of the transaction

    // $ curl http://127.0.0.1:5000/mine
    auto mined = http_get(node.port(), "/mine");
    BOOST_TEST(mined.status == 200u);
    auto mj = mined.json().as_object();
    BOOST_TEST(mj.at("message").as_string() == "Successfully Mined the new Block");
    auto block = mj.at("block_data").as_object();
    BOOST_TEST(block.at("index").as_int64() == 1);
    BOOST_TEST(block.at("previous_hash").as_string() == genesis.at("hash").as_string());
    BOOST_TEST(block.at("hash").as_string().starts_with("000")); // 12 leading zero bits
    auto txs = block.at("transactions").as_array();
    BOOST_REQUIRE(txs.size() == 2u);
    BOOST_TEST(txs[0].at("sender").as_string() == "addr1");
    BOOST_TEST(txs[0].at("recipient").as_string() == "addr2");
    BOOST_TEST(txs[0].at("amount").as_int64() == 3);
    BOOST_TEST(txs[0].at("transaction_id").as_string() == txid);
    BOOST_TEST(txs[1].at("sender").as_string() == "0");
    BOOST_TEST(txs[1].at("amount").as_int64() == 1);
    BOOST_TEST(txs[1].at("recipient").as_string().size() == 32u); // the node's uuid4 hex address

    // $ curl http://127.0.0.1:5000/chain  -> two blocks, the second as /mine returned it
    auto after = http_get(node.port(), "/chain").json().as_object();
    BOOST_TEST(after.at("length").as_int64() == 2);
    BOOST_TEST(after.at("chain").as_array().at(1) == bj::value(block));

    // $ curl -X POST ... register-node
    auto reg = http_post_json(node.port(), "/register-node", R"({"address": "http://127.0.0.1:5001"})");
    BOOST_TEST(reg.status == 201u);
    auto rj = reg.json().as_object();
    BOOST_TEST(rj.at("message").as_string() == "New node has been added");
    BOOST_TEST(rj.at("node_count").as_int64() == 1);
    BOOST_TEST(rj.at("nodes").as_array().at(0).as_string() == "http://127.0.0.1:5001");
    // Registering the same node again (differently spelled) does not duplicate it.
    auto again = http_post_json(node.port(), "/register-node", R"({"address": "HTTP://127.0.0.1:5001/"})");
    BOOST_TEST(again.status == 201u);
    BOOST_TEST(again.json().at("node_count").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(errors_are_json_with_the_right_status_and_change_nothing)
{
    node_process node(quick_node());
    const auto before = http_get(node.port(), "/chain").body;

    auto expect =
        [&](const http_result& r, unsigned status, const std::string& error, const std::string& field = {}) {
            BOOST_TEST(r.status == status, r.body);
            const auto j = r.json().as_object();
            BOOST_TEST(j.at("error").as_string() == error);
            BOOST_TEST(j.contains("detail"));
            if (!field.empty())
                BOOST_TEST(j.at("field").as_string() == field);
        };
    expect(http_get(node.port(), "/nope"), 404, "not_found");
    auto wrong = http_call(node.port(), "POST", "/chain", "{}");
    expect(wrong, 405, "method_not_allowed");
    BOOST_TEST(wrong.headers["allow"] == "GET");
    expect(http_call(node.port(), "GET", "/create-transaction"), 405, "method_not_allowed");
    expect(
        http_call(
            node.port(),
            "POST",
            "/create-transaction",
            R"({"sender":"a","recipient":"b","amount":1})",
            "text/plain"
        ),
        415,
        "unsupported_media_type"
    );
    expect(
        http_call(
            node.port(), "POST", "/create-transaction", R"({"sender":"a","recipient":"b","amount":1})", ""
        ),
        415,
        "unsupported_media_type"
    );
    expect(http_post_json(node.port(), "/create-transaction", "{not json"), 400, "invalid_json", "body");
    for (const char* amount : {"-1", "0", "3.5", "\"3\"", "null", "true", "18446744073709551616"})
        expect(
            http_post_json(
                node.port(),
                "/create-transaction",
                std::string(R"({"sender":"a","recipient":"b","amount":)") + amount + "}"
            ),
            400,
            "invalid_field",
            "amount"
        );
    expect(
        http_post_json(node.port(), "/create-transaction", R"({"recipient":"b","amount":1})"),
        400,
        "invalid_field",
        "sender"
    );
    expect(
        http_post_json(node.port(), "/create-transaction", R"({"sender":"a","recipient":"","amount":1})"),
        400,
        "invalid_field",
        "recipient"
    );
    expect(
        http_post_json(node.port(), "/create-transaction", R"({"sender":"0","recipient":"me","amount":1})"),
        400,
        "invalid_field",
        "sender"
    );
    expect(
        http_post_json(node.port(), "/register-node", R"({"address":"ftp://x:1"})"),
        400,
        "invalid_field",
        "address"
    );
    expect(
        http_post_json(node.port(), "/register-node", R"({"address":5})"), 400, "invalid_field", "address"
    );
    expect(http_post_json(node.port(), "/register-node", R"({})"), 400, "invalid_field", "address");
    expect(
        http_post_json(node.port(), "/create-transaction", std::string(2 * 1024 * 1024, ' ')),
        413,
        "payload_too_large"
    );

    // Malformed HTTP gets a 400 and the connection closes.
    const std::string raw = raw_exchange(node.port(), "GARBAGE\r\n\r\n");
    BOOST_TEST(raw.starts_with("HTTP/1.1 400"), raw);

    // Nothing was half-applied: the chain is unchanged and nothing became pending.
    BOOST_TEST(http_get(node.port(), "/chain").body == before);
    const auto block = mine(node);
    BOOST_TEST(block.at("transactions").as_array().size() == 1u); // only the reward
}

BOOST_AUTO_TEST_CASE(block_pages_and_single_blocks)
{
    node_process node(quick_node());
    for (int i = 0; i < 3; ++i)
        mine(node);
    const auto chain = chain_of(node);

    const auto page = http_get(node.port(), "/blocks?from=1&limit=2");
    BOOST_TEST_REQUIRE(page.status == 200u, page.body);
    const auto j = page.json();
    BOOST_TEST(j.at("from").to_number<int>() == 1);
    BOOST_TEST(j.at("height").to_number<int>() == 3);
    BOOST_TEST(j.at("tip_hash") == chain.back().at("hash"));
    BOOST_TEST_REQUIRE(j.at("blocks").as_array().size() == 2u);
    BOOST_TEST(j.at("blocks").as_array()[0] == chain[1]);
    BOOST_TEST(j.at("blocks").as_array()[1] == chain[2]);
    // Past the tip: an empty page, still with the height.
    BOOST_TEST(http_get(node.port(), "/blocks?from=9").json().at("blocks").as_array().empty());

    // A locator: the first entry on our chain decides where the page starts.
    const std::string h1 = std::string(chain[1].at("hash").as_string());
    const std::string fake = std::string(64, 'a');
    const auto located = http_get(node.port(), "/blocks?locator=2:" + fake + ",1:" + h1 + ",0:" + fake);
    BOOST_TEST_REQUIRE(located.status == 200u, located.body);
    BOOST_TEST(located.json().at("from").to_number<int>() == 2);
    BOOST_TEST(located.json().at("blocks").as_array().size() == 2u);
    const auto none = http_get(node.port(), "/blocks?locator=1:" + fake);
    BOOST_TEST(none.status == 404u);
    BOOST_TEST(none.json().at("error").as_string() == "no_common_block");

    BOOST_TEST(http_get(node.port(), "/blocks/2").json() == chain[2]);
    BOOST_TEST(http_get(node.port(), "/blocks/0").json() == chain[0]);
    const auto past = http_get(node.port(), "/blocks/4");
    BOOST_TEST(past.status == 404u);
    BOOST_TEST(past.json().at("error").as_string() == "no_such_block");

    // Malformed queries are 400s that name the parameter.
    for (const char* target :
         {"/blocks?limit=0",
          "/blocks?limit=501",
          "/blocks?from=-1",
          "/blocks?from=1e3",
          "/blocks?from=0x1",
          "/blocks?locator=",
          "/blocks?locator=1",
          "/blocks?locator=x:y",
          "/blocks?from=1&locator=0:ab",
          "/blocks?color=red",
          "/blocks/abc",
          "/blocks/+1",
          "/blocks/99999999999999999999"}) {
        const auto r = http_get(node.port(), target);
        BOOST_TEST(r.status == 400u, target << " " << r.body);
        BOOST_TEST(r.json().at("error").as_string() == "invalid_parameter", target);
    }
    std::string long_locator;
    for (int i = 0; i < 65; ++i)
        long_locator += (i ? "," : "") + std::to_string(i) + ":" + fake;
    BOOST_TEST(http_get(node.port(), "/blocks?locator=" + long_locator).status == 400u);
    BOOST_TEST(http_call(node.port(), "DELETE", "/blocks/1").status == 405u);
}

BOOST_AUTO_TEST_CASE(pushed_blocks_and_relayed_transactions_are_validated_before_anything_changes)
{
    node_process source(quick_node()), node(quick_node());
    const std::string tx = submit(source, "a", "b", 5);
    const auto block = mine(source);
    const auto before = http_get(node.port(), "/chain").body;
    const auto expect_400 = [&](const std::string& target, const std::string& body, const std::string& error
                            ) {
        const auto r = http_post_json(node.port(), target, body);
        BOOST_TEST(r.status == 400u, target << " " << body << " -> " << r.body);
        BOOST_TEST(r.json().at("error").as_string() == error, r.body);
    };

    // Blocks: garbage, a wrong claimed hash, a tampered amount, a missing field.
    expect_400("/blocks", "not json", "invalid_json");
    bj::object wrong_hash = block;
    wrong_hash["hash"] = std::string(64, '0');
    expect_400("/blocks", bj::serialize(wrong_hash), "invalid_block");
    bj::object tampered = block;
    tampered["transactions"].as_array()[0].as_object()["amount"] = 500;
    tampered.erase("hash");
    expect_400("/blocks", bj::serialize(tampered), "invalid_block");
    bj::object missing = block;
    missing.erase("proof");
    expect_400("/blocks", bj::serialize(missing), "invalid_field");
    // Transactions: a reward, a bad id, a wrong type; one bad entry refuses the whole batch.
    const auto batch = [](bj::array txs) {
        return bj::serialize(bj::object{{"transactions", std::move(txs)}});
    };
    const bj::value good = bj::value_from(beastchain::core::make_transaction("x", "y", 1, 42));
    bj::value reward = good;
    reward.as_object()["sender"] = "0";
    bj::value bad_id = good;
    bad_id.as_object()["transaction_id"] = "XYZ";
    expect_400("/transactions", batch({good, reward}), "invalid_field");
    expect_400("/transactions", batch({bad_id}), "invalid_field");
    expect_400("/transactions", R"({"transactions":"all of them"})", "invalid_field");
    BOOST_TEST(http_get(node.port(), "/chain").body == before);
    BOOST_TEST(http_get(node.port(), "/status").json().at("pending_transactions").to_number<int>() == 0);

    // The genuine block is appended; pushing it again is harmless; a good batch is accepted once.
    const auto ok = http_post_json(node.port(), "/blocks", bj::serialize(block));
    BOOST_TEST(ok.status == 200u, ok.body);
    BOOST_TEST(ok.json().at("message").as_string() == "Block added to the chain");
    BOOST_TEST(count_in_chain(chain_of(node), tx) == 1);
    const auto again = http_post_json(node.port(), "/blocks", bj::serialize(block));
    BOOST_TEST(again.json().at("message").as_string() == "Block already known");
    const auto first = http_post_json(node.port(), "/transactions", batch({good}));
    BOOST_TEST(first.json().at("accepted").to_number<int>() == 1, first.body);
    const auto repeat = http_post_json(node.port(), "/transactions", batch({good}));
    BOOST_TEST(repeat.json().at("known").to_number<int>() == 1, repeat.body);

    // A valid block that does not extend our tip starts a sync instead.
    mine(source); // block 2: never pushed
    const auto b3 = mine(source);
    const auto ahead = http_post_json(node.port(), "/blocks", bj::serialize(b3));
    BOOST_TEST(ahead.status == 202u, ahead.body);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection)
{
    node_process node(quick_node());
    std::string pipeline;
    for (int i = 0; i < 3; ++i)
        pipeline += "GET /chain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    pipeline += "GET /chain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const std::string reply = raw_exchange(node.port(), pipeline);
    std::size_t count = 0;
    for (auto at = reply.find("HTTP/1.1 200"); at != std::string::npos;
         at = reply.find("HTTP/1.1 200", at + 1))
        ++count;
    BOOST_TEST(count == 4u);
}

BOOST_AUTO_TEST_CASE(concurrent_mines_each_get_their_own_block)
{
    node_process node(quick_node({"--miner-threads", "2"}));
    for (int i = 0; i < 5; ++i)
        submit(node, "a", "b", i + 1);
    // Worker threads only do HTTP: Boost.Test assertions are not thread-safe (TSan caught that).
    std::vector<std::future<http_result>> mines;
    for (int i = 0; i < 4; ++i)
        mines.push_back(std::async(std::launch::async, [&node] { return http_get(node.port(), "/mine"); }));
    std::set<std::int64_t> indices;
    for (auto& f : mines) {
        const http_result r = f.get();
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        indices.insert(r.json().at("block_data").at("index").as_int64());
    }
    BOOST_TEST((indices == std::set<std::int64_t>{1, 2, 3, 4}));
    const auto chain = chain_of(node);
    BOOST_TEST(chain.size() == 5u);
    for (std::size_t i = 1; i < chain.size(); ++i)
        BOOST_TEST(chain[i].at("previous_hash") == chain[i - 1].at("hash"));
}

BOOST_AUTO_TEST_CASE(block_index_predicts_the_block_under_the_per_block_cap)
{
    node_process node(quick_node({"--max-block-transactions", "3"})); // two transactions and a reward
    std::vector<std::int64_t> predicted;
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        const auto r = http_post_json(node.port(), "/create-transaction", tx_json("s", "r", i + 1));
        predicted.push_back(r.json().at("block_index").as_int64());
        ids.emplace_back(r.json().at("transaction_id").as_string());
    }
    BOOST_TEST((predicted == std::vector<std::int64_t>{1, 1, 2, 2, 3}));
    for (int i = 0; i < 3; ++i)
        mine(node);
    const auto chain = chain_of(node);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto& txs = chain.at(static_cast<std::size_t>(predicted[i])).at("transactions").as_array();
        BOOST_TEST(std::any_of(txs.begin(), txs.end(), [&](const bj::value& t) {
            return t.at("transaction_id").as_string() == ids[i];
        }));
    }
}

BOOST_AUTO_TEST_CASE(a_transaction_can_be_followed_from_pending_to_confirmed)
{
    node_process node(quick_node());
    const std::string id = submit(node, "addr1", "addr2", 3);
    auto r = http_get(node.port(), "/transactions/" + id);
    BOOST_TEST(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("status").as_string() == "pending");
    BOOST_TEST(r.json().at("transaction").at("transaction_id").as_string() == id);
    BOOST_TEST(r.json().at("transaction").at("amount").to_number<int>() == 3);
    BOOST_TEST(!r.json().as_object().contains("block_index"));

    mine(node);
    mine(node);
    r = http_get(node.port(), "/transactions/" + id);
    BOOST_TEST(r.status == 200u, r.body);
    BOOST_TEST(r.json().at("status").as_string() == "confirmed");
    BOOST_TEST(r.json().at("block_index").to_number<int>() == 1);
    BOOST_TEST(r.json().at("confirmations").to_number<int>() == 2); // its block and one above it

    // A well-formed id the node never saw: 404 in the error shape, with status "unknown".
    const std::string stranger(64, 'a');
    r = http_get(node.port(), "/transactions/" + stranger);
    BOOST_TEST(r.status == 404u, r.body);
    BOOST_TEST(r.json().at("error").as_string() == "unknown_transaction");
    BOOST_TEST(r.json().at("status").as_string() == "unknown");
    // Not an id at all: 400 naming the parameter, before any lookup.
    for (const std::string& bad :
         {std::string("xyz"), std::string(63, 'a'), std::string(64, 'A'), std::string(65, 'a')}) {
        r = http_get(node.port(), "/transactions/" + bad);
        BOOST_TEST(r.status == 400u, bad << ": " << r.body);
        BOOST_TEST(r.json().at("error").as_string() == "invalid_parameter", r.body);
    }
}

BOOST_AUTO_TEST_SUITE_END()
