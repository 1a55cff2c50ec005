// The tutorial's curl session against a real node, then every error path of the API.
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
    BOOST_TEST(txid.size() == 32u);

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

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection)
{
    node_process node(quick_node());
    std::string pipeline;
    for (int i = 0; i < 3; ++i)
        pipeline += "GET /chain HTTP/1.1\r\nHost: x\r\n\r\n";
    pipeline += "GET /chain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
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

BOOST_AUTO_TEST_SUITE_END()
