// Peer bookkeeping (back-off, bans), the sync locator, and the peer-protocol decoders, without sockets.
#include <beastchain/core/ledger.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/node/peer_table.hpp>
#include <beastchain/node/sync.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "chain_fixture.hpp"

using namespace beastchain;
using namespace beastchain::test;

namespace {

net::peer_url url(std::uint16_t port)
{
    std::string why;
    return *net::parse_peer_url("http://127.0.0.1:" + std::to_string(port), why);
}

template <class T> T decode_ok(json::decoded<T> d)
{
    BOOST_TEST_REQUIRE(d.ok(), (d.ok() ? "" : d.error().field + " " + d.error().detail));
    return std::move(d.value());
}

/// How many peers the table would contact now.
std::size_t usable_count(const node::peer_table& t, std::uint64_t now)
{
    return static_cast<std::size_t>(std::count_if(t.all().begin(), t.all().end(), [&](const auto& p) {
        return t.usable(p, now);
    }));
}

} // namespace

BOOST_AUTO_TEST_SUITE(peer_network_tests)

BOOST_AUTO_TEST_CASE(peer_table_adds_once_and_respects_its_limit)
{
    node::peer_table t(2);
    using r = node::peer_table::add_result;
    BOOST_TEST((t.add(url(1), 0) == r::added));
    BOOST_TEST((t.add(url(1), 0) == r::known));
    BOOST_TEST((t.add(url(2), 0) == r::added));
    BOOST_TEST((t.add(url(3), 0) == r::full));
    BOOST_TEST(t.size() == 2u);
    BOOST_TEST(t.state(*t.find(url(1).normalized), 0) == "new");
}

BOOST_AUTO_TEST_CASE(an_operators_peer_takes_the_slot_of_the_worst_announced_one)
{
    node::peer_table t(3);
    using r = node::peer_table::add_result;
    BOOST_TEST((t.add(url(1), 0) == r::added));       // the operator's
    BOOST_TEST((t.add(url(2), 0, true) == r::added)); // announced, healthy
    BOOST_TEST((t.add(url(3), 0, true) == r::added)); // announced, failing
    t.succeeded(url(2).normalized, 10);
    t.failed(url(3).normalized, 10, "refused");
    BOOST_TEST((t.add(url(4), 20, true) == r::full)); // an announcement never evicts
    std::string evicted;
    BOOST_TEST((t.add(url(5), 20, false, &evicted) == r::added));
    BOOST_TEST(evicted == url(3).normalized);
    BOOST_TEST(t.find(url(3).normalized) == nullptr);
    // Only announced peers make room: with none left, the operator is told the table is full.
    BOOST_TEST((t.add(url(6), 30, false, &evicted) == r::added));
    BOOST_TEST(evicted == url(2).normalized);
    BOOST_TEST((t.add(url(7), 30, false) == r::full));
    // An operator registering an announced peer vouches for it.
    node::peer_table u(1);
    BOOST_TEST((u.add(url(1), 0, true) == r::added));
    BOOST_TEST(u.find(url(1).normalized)->announced);
    BOOST_TEST((u.add(url(1), 0, false) == r::known));
    BOOST_TEST(!u.find(url(1).normalized)->announced);
}

BOOST_AUTO_TEST_CASE(an_announced_peer_is_due_for_eviction_after_repeated_failures_an_operators_never)
{
    node::peer_table t(2);
    t.add(url(1), 0);
    t.add(url(2), 0, true);
    for (unsigned i = 0; i < node::peer_table::evict_announced_after_failures; ++i) {
        BOOST_TEST(!t.should_evict(*t.find(url(2).normalized)));
        t.failed(url(1).normalized, i, "down");
        t.failed(url(2).normalized, i, "down");
    }
    BOOST_TEST(t.should_evict(*t.find(url(2).normalized)));
    BOOST_TEST(!t.should_evict(*t.find(url(1).normalized)));
    BOOST_TEST(t.remove(url(2).normalized));
    BOOST_TEST(!t.remove(url(2).normalized));
}

BOOST_AUTO_TEST_CASE(failures_back_off_exponentially_up_to_a_cap_and_success_resets)
{
    node::peer_table t(4, {1'000, 8'000});
    const std::string p = url(1).normalized;
    t.add(url(1), 0);
    std::uint64_t now = 100'000;
    std::vector<std::uint64_t> rests;
    for (int i = 0; i < 6; ++i) {
        t.failed(p, now, "connect failed");
        rests.push_back(t.find(p)->retry_at_ms - now);
        BOOST_TEST(!t.usable(*t.find(p), now));
        BOOST_TEST(t.state(*t.find(p), now) == "backoff");
    }
    BOOST_TEST(rests == (std::vector<std::uint64_t>{1'000, 2'000, 4'000, 8'000, 8'000, 8'000}), "");
    BOOST_TEST(t.usable(*t.find(p), now + 8'000));
    BOOST_TEST(usable_count(t, now) == 0u);

    // A long-dead peer's count does not overflow the shift.
    for (int i = 0; i < 100; ++i)
        t.failed(p, now, "x");
    BOOST_TEST(t.find(p)->retry_at_ms - now == 8'000u);

    t.succeeded(p, now + 9'000);
    BOOST_TEST(t.find(p)->failures == 0u);
    BOOST_TEST(t.find(p)->last_error.empty());
    BOOST_TEST(t.state(*t.find(p), now + 9'000) == "ok");
    BOOST_TEST(usable_count(t, now + 9'000) == 1u);
}

BOOST_AUTO_TEST_CASE(a_ban_outlasts_success_until_it_expires)
{
    node::peer_table t(4);
    const std::string p = url(1).normalized;
    t.add(url(1), 0);
    t.ban(p, 1'000, 60, "invalid chain: hash_mismatch");
    t.succeeded(p, 2'000); // e.g. a relay reply arriving afterwards
    BOOST_TEST(t.state(*t.find(p), 2'000) == "banned");
    BOOST_TEST(!t.usable(*t.find(p), 60'999));
    BOOST_TEST(t.usable(*t.find(p), 61'000));
    BOOST_TEST(t.find(p)->banned_until_ms == 61'000u);
}

BOOST_AUTO_TEST_CASE(locator_is_dense_near_the_tip_sparse_behind_and_ends_at_genesis)
{
    const std::uint64_t now = core::genesis_block().timestamp_ms + 10'000'000;
    core::ledger l(test_params(), 10);
    for (int i = 0; i < 100; ++i) {
        core::block b = l.make_block_template("m", test_difficulty, now);
        solve(b);
        BOOST_TEST_REQUIRE(l.connect_block(b, now).ok());
    }
    const auto view = node::make_sync_view(l.best_chain());
    std::vector<std::uint64_t> heights;
    for (const auto& e : view->locator) {
        heights.push_back(e.blk.index);
        BOOST_TEST(e.blk.transactions.empty()); // headers only
        BOOST_TEST(e.hash == l.best_chain().entries()[e.blk.index].hash);
    }
    const std::vector<std::uint64_t> expected{100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0};
    BOOST_TEST(heights == expected, "");
    BOOST_TEST((view->work == l.best_chain().cumulative_work()));
    const std::string param = node::locator_parameter(*view);
    BOOST_TEST(param.rfind("100:", 0) == 0u);
    BOOST_TEST(param.find(",0:" + core::to_hex(core::genesis_hash())) != std::string::npos);

    // A chain of only genesis has a one-entry locator.
    core::ledger fresh(test_params(), 10);
    BOOST_TEST(node::make_sync_view(fresh.best_chain())->locator.size() == 1u);
}

BOOST_AUTO_TEST_CASE(work_strings_round_trip_and_refuse_anything_else)
{
    const core::work_t big = (core::work_t(1) << 127) + 12345;
    BOOST_TEST((core::work_from_string(core::work_to_string(big)).value() == big));
    BOOST_TEST((core::work_from_string("0").value() == 0u));
    for (const char* bad :
         {"",
          "-1",
          "+1",
          " 1",
          "01",
          "1e3",
          "0x10",
          "abc",
          "999999999999999999999999999999999999999"}) // 39 digits > 2^128
        BOOST_TEST(!core::work_from_string(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(status_and_page_decoders_refuse_malformed_replies)
{
    const std::string hash = core::to_hex(core::genesis_hash());
    const auto status = decode_ok(json::decode_status_reply(
        boost::json::parse(R"({"height":3,"tip_hash":")" + hash + R"(","cumulative_work":"12289","x":1})")
    ));
    BOOST_TEST(status.height == 3u);
    BOOST_TEST((status.cumulative_work == 12289u));
    const auto field_of = [](auto d) {
        BOOST_TEST_REQUIRE(!d.ok());
        return d.error().field;
    };
    BOOST_TEST(
        field_of(json::decode_status_reply(
            boost::json::parse(R"({"height":3,"tip_hash":"zz","cumulative_work":"1"})")
        )) == "tip_hash"
    );
    BOOST_TEST(
        field_of(json::decode_status_reply(
            boost::json::parse(R"({"height":3,"tip_hash":")" + hash + R"(","cumulative_work":12})")
        )) == "cumulative_work"
    );
    BOOST_TEST(field_of(json::decode_status_reply(boost::json::parse(R"({"tip_hash":"x"})"))) == "height");

    BOOST_TEST(
        field_of(json::decode_blocks_page(boost::json::parse(R"({"from":1,"height":1,"blocks":{}})"), 5)) ==
        "blocks"
    );
    BOOST_TEST(
        field_of(json::decode_blocks_page(boost::json::parse(R"({"from":1,"height":1,"blocks":[{},{}]})"), 1)
        ) == "blocks"
    );
    BOOST_TEST(
        field_of(
            json::decode_blocks_page(boost::json::parse(R"({"from":1,"height":1,"blocks":[{"index":1}]})"), 5)
        )
            .rfind("blocks[0]", 0) == 0u
    );
    const auto empty =
        decode_ok(json::decode_blocks_page(boost::json::parse(R"({"from":4,"height":3,"blocks":[]})"), 5));
    BOOST_TEST(empty.from == 4u);
    BOOST_TEST(empty.blocks.empty());
}

BOOST_AUTO_TEST_CASE(transaction_batches_keep_ids_and_name_the_bad_entry)
{
    const auto tx = make_tx("a", "b", 7);
    boost::json::object batch{{"transactions", boost::json::array{boost::json::value_from(tx)}}};
    const auto txs = decode_ok(json::decode_transaction_batch(batch, 10));
    BOOST_TEST_REQUIRE(txs.size() == 1u);
    BOOST_TEST(txs[0].transaction_id == tx.transaction_id);
    BOOST_TEST(txs[0].amount == 7u);

    batch["transactions"].as_array().push_back(boost::json::object{{"sender", "x"}});
    const auto bad = json::decode_transaction_batch(batch, 10);
    BOOST_TEST_REQUIRE(!bad.ok());
    BOOST_TEST(bad.error().field.rfind("transactions[1]", 0) == 0u, bad.error().field);
    BOOST_TEST(!json::decode_transaction_batch(batch, 1).ok()); // over the count limit
}

BOOST_AUTO_TEST_SUITE_END()
