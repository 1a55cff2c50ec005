// The node without sockets or processes: an in-memory node on an io_context run by the test, and
// its services driven directly where timing would otherwise decide the outcome.
#include <beastchain/core/transaction.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/node.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "chain_state.hpp"
#include "peer_service.hpp"

namespace asio = boost::asio;
using namespace beastchain;
using node::node_errc;
using node::node_result;

namespace {

node::config memory_config(std::uint32_t difficulty)
{
    log::set_threshold(log::level::error);
    node::config cfg;
    cfg.in_memory = true;
    cfg.difficulty = difficulty;
    cfg.consensus.min_difficulty = 1;
    cfg.miner_threads = 1;
    cfg.sync_interval_seconds = 0;
    return cfg;
}

core::transaction payment(std::uint64_t amount)
{
    core::transaction tx;
    tx.sender = "alice";
    tx.recipient = "bob";
    tx.amount = amount;
    tx.nonce = core::make_transaction_nonce();
    tx.transaction_id = core::transaction_id_of(tx);
    return tx;
}

/// Runs `op` to completion on `ioc` and returns its result.
template <class T> T run(asio::io_context& ioc, asio::awaitable<T> op)
{
    std::optional<T> out;
    asio::co_spawn(ioc, std::move(op), [&out](std::exception_ptr e, T v) {
        if (e)
            std::rethrow_exception(e);
        out = std::move(v);
    });
    ioc.restart();
    while (!out && ioc.run_one() > 0) {
    }
    BOOST_REQUIRE(out.has_value());
    return std::move(*out);
}

std::uint64_t sync_runs(node::node& n)
{
    const std::string text = n.stats().render({});
    const std::string key = "\nbeastchain_sync_runs_total ";
    const auto at = text.find(key);
    BOOST_REQUIRE(at != std::string::npos);
    return std::stoull(text.substr(at + key.size()));
}

} // namespace

BOOST_AUTO_TEST_SUITE(node_memory_tests)

BOOST_AUTO_TEST_CASE(concurrent_mine_calls_each_get_their_own_block_in_order)
{
    asio::io_context ioc;
    node::node n(ioc, memory_config(1));
    BOOST_TEST_REQUIRE(run(ioc, n.submit_transaction(payment(5))).has_value());
    std::vector<node_result<std::string>> mined(3);
    int done = 0;
    for (auto& slot : mined)
        asio::co_spawn(ioc, n.mine(), [&slot, &done](std::exception_ptr, node_result<std::string> r) {
            slot = std::move(r);
            ++done;
        });
    ioc.restart();
    while (done < 3 && ioc.run_one() > 0) {
    }
    BOOST_TEST_REQUIRE(done == 3);
    for (std::size_t i = 0; i < mined.size(); ++i) {
        BOOST_TEST_REQUIRE(mined[i].has_value());
        // One block each, one after another: heights 1, 2, 3, never two at one index.
        BOOST_TEST(mined[i]->find("\"index\":" + std::to_string(i + 1)) != std::string::npos);
    }
    BOOST_TEST(mined[0]->find("\"amount\":5") != std::string::npos); // the pending one went first
    const auto st = run(ioc, n.status());
    BOOST_TEST(st.height == 3u);
    BOOST_TEST(st.pending == 0u);
    BOOST_TEST(st.mine_requests == 0u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_waiter_is_dropped_and_shutdown_answers_the_running_one)
{
    asio::io_context ioc;
    node::node n(ioc, memory_config(40)); // about 2^40 hashes: the first search never ends here
    std::optional<node_result<std::string>> first, second;
    asio::co_spawn(ioc, n.mine(), [&first](std::exception_ptr, node_result<std::string> r) {
        first = std::move(r);
    });
    asio::cancellation_signal leave;
    asio::co_spawn(
        ioc,
        n.mine(),
        asio::bind_cancellation_slot(
            leave.slot(), [&second](std::exception_ptr, node_result<std::string> r) { second = std::move(r); }
        )
    );
    ioc.restart();
    ioc.poll();
    BOOST_TEST(run(ioc, n.status()).mine_requests == 2u);

    leave.emit(asio::cancellation_type::terminal); // its client went away before its search
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST_REQUIRE(!second->has_value());
    BOOST_TEST((second->error().code == node_errc::not_mining));
    BOOST_TEST(second->error().detail == "the client went away");
    BOOST_TEST(!first.has_value()); // the running search is not dropped
    BOOST_TEST(run(ioc, n.status()).mine_requests == 1u);

    // Shutdown: the miner stops first and its caller hears so; later calls are refused at once,
    // and a sync answers with the chain instead of starting a round.
    n.shutdown();
    ioc.restart();
    ioc.poll();
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST((first->error().code == node_errc::not_mining));
    BOOST_TEST(first->error().detail == "the node is shutting down");
    const auto late = run(ioc, n.mine());
    BOOST_TEST((late.error().code == node_errc::not_mining));
    const auto synced = run(ioc, n.sync());
    BOOST_TEST_REQUIRE(synced.has_value());
    BOOST_TEST(synced->chain_json->items() == 1u); // genesis
    BOOST_TEST(net::reply_body::value_type("[", synced->chain_json, "]").str().starts_with("[{"));
    BOOST_TEST(sync_runs(n) == 0u);
    const auto st = run(ioc, n.status());
    BOOST_TEST(st.stopping);
    BOOST_TEST(!st.mining);
}

BOOST_AUTO_TEST_CASE(sync_requests_during_a_round_share_one_more_round)
{
    asio::io_context ioc;
    node::node n(ioc, memory_config(1));
    std::vector<node_result<node::sync_outcome>> outcomes;
    for (int i = 0; i < 5; ++i)
        asio::co_spawn(ioc, n.sync(), [&outcomes](std::exception_ptr, node_result<node::sync_outcome> r) {
            outcomes.push_back(std::move(r));
        });
    ioc.restart();
    while (outcomes.size() < 5 && ioc.run_one() > 0) {
    }
    BOOST_TEST_REQUIRE(outcomes.size() == 5u);
    for (const auto& o : outcomes) {
        BOOST_TEST_REQUIRE(o.has_value());
        BOOST_TEST((o->status == node::sync_outcome::result::no_neighbour_chain));
    }
    // The first call starts a round; the four that arrive while it runs wait for one more.
    BOOST_TEST(sync_runs(n) == 2u);
}

BOOST_AUTO_TEST_CASE(relay_queues_stay_bounded_and_count_what_they_drop)
{
    // The services directly, with the io_context never run: the drain coroutine never starts,
    // so the queue is observed exactly as a peer that stopped reading would leave it.
    asio::io_context ioc;
    node::config cfg = memory_config(1);
    cfg.relay_queue = 4;
    node::chain_state chain(ioc, cfg);
    beastchain::node::metrics stats;
    node::peer_service peers(chain, stats);
    chain.subscribe(peers);
    std::string why;
    const auto peer = net::parse_peer_url("http://127.0.0.1:1", why);
    BOOST_TEST_REQUIRE(peer.has_value());
    BOOST_TEST_REQUIRE(peers.register_peer(*peer, false).has_value());

    for (int i = 1; i <= 10; ++i)
        BOOST_TEST_REQUIRE((chain.accept(payment(i), {}).status == core::ledger::accept_status::accepted));
    auto view = peers.views().at(0);
    BOOST_TEST(view.queued_transactions == 4u); // the newest four; a dropped one travels in a block
    BOOST_TEST(view.dropped == 6u);

    // What came from the peer itself is not queued back to it.
    BOOST_TEST_REQUIRE(
        (chain.accept(payment(11), peer->normalized).status == core::ledger::accept_status::accepted)
    );
    view = peers.views().at(0);
    BOOST_TEST(view.queued_transactions == 4u);
    BOOST_TEST(view.dropped == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
