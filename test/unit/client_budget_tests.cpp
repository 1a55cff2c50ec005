// Per-source limits without sockets, and the peer client's refusal to reach internal addresses
// for a peer marked public_only (with a real loopback listener that must see no connection).
#include <beastchain/net/client_budget.hpp>
#include <beastchain/net/peer_client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <future>

using namespace beastchain::net;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

const auto lan = asio::ip::make_address("192.168.1.20");
const auto other = asio::ip::make_address("192.168.1.21");
const auto loop = asio::ip::make_address("127.0.0.1");

/// Runs `ioc` until `fut` is ready (the pending accept would keep run() going for ever).
template <class T> T run_until(asio::io_context& ioc, std::future<T>& fut)
{
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fut.wait_for(0s) != std::future_status::ready && std::chrono::steady_clock::now() < deadline)
        ioc.run_one_for(10ms);
    ioc.restart();
    return fut.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_budget_tests)

BOOST_AUTO_TEST_CASE(each_source_holds_at_most_its_connections_and_loopback_is_exempt)
{
    client_budget b(
        {.max_connections_per_source = 2, .write_rate = 0, .write_burst = 1, .limit_loopback = false}
    );
    const auto now = client_budget::clock::now();
    BOOST_TEST(b.open_connection(lan, now));
    BOOST_TEST(b.open_connection(lan, now));
    BOOST_TEST(!b.open_connection(lan, now));  // the third from one address
    BOOST_TEST(b.open_connection(other, now)); // another address has its own
    for (int i = 0; i < 10; ++i)
        BOOST_TEST(b.open_connection(loop, now)); // the tutorial and local load tests
    b.close_connection(lan, now);
    BOOST_TEST(b.open_connection(lan, now));
    // Two IPv6 addresses of one /64 are one source.
    const auto v6a = asio::ip::make_address("2a00:1450:4001:800::1");
    const auto v6b = asio::ip::make_address("2a00:1450:4001:800::ffff");
    BOOST_TEST(b.open_connection(v6a, now));
    BOOST_TEST(b.open_connection(v6b, now));
    BOOST_TEST(!b.open_connection(v6a, now));
    BOOST_TEST(b.open_connection(asio::ip::make_address("2a00:1450:4001:801::1"), now));
}

BOOST_AUTO_TEST_CASE(writes_spend_a_bucket_that_refills_at_the_rate)
{
    client_budget b(
        {.max_connections_per_source = 0, .write_rate = 2, .write_burst = 3, .limit_loopback = true}
    );
    const auto t0 = client_budget::clock::now();
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(!b.take_write(lan, t0).has_value()); // the burst
    const auto wait = b.take_write(lan, t0);
    BOOST_TEST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 1); // half a second, rounded up to whole seconds for Retry-After
    BOOST_TEST(!b.take_write(other, t0).has_value());
    BOOST_TEST(b.take_write(loop, t0 + 0ms).has_value() == false); // limited too, but has its burst
    BOOST_TEST(!b.take_write(lan, t0 + 500ms).has_value());        // one token back
    BOOST_TEST(b.take_write(lan, t0 + 500ms).has_value());
    BOOST_TEST(!b.take_write(lan, t0 + 10s).has_value()); // refilled, capped at the burst
}

BOOST_AUTO_TEST_CASE(the_table_of_sources_stays_bounded)
{
    client_budget b(
        {.max_connections_per_source = 4, .write_rate = 1, .write_burst = 2, .limit_loopback = false}, 64
    );
    const auto now = client_budget::clock::now();
    for (std::uint32_t i = 0; i < 10'000; ++i) {
        const auto a = asio::ip::address_v4(0x0B000000u + i); // 11.0.0.0 and on
        BOOST_TEST_REQUIRE(!b.take_write(a, now).has_value());
        BOOST_TEST_REQUIRE(b.tracked_sources() <= 64u);
    }
}

BOOST_AUTO_TEST_CASE(a_public_only_peer_is_never_connected_at_an_internal_address)
{
    asio::io_context ioc;
    asio::ip::tcp::acceptor listener(ioc, {loop, 0});
    bool accepted = false;
    listener.async_accept([&](boost::system::error_code ec, asio::ip::tcp::socket) { accepted = !ec; });
    std::string why;
    // 2130706433 is 127.0.0.1 spelled as one number: the check is on the resolved address.
    for (const std::string host : {"127.0.0.1", "2130706433", "localhost"}) {
        auto peer =
            parse_peer_url("http://" + host + ":" + std::to_string(listener.local_endpoint().port()), why);
        BOOST_TEST_REQUIRE(peer.has_value());
        peer->public_only = true;
        auto fut = asio::co_spawn(
            ioc, send_peer_request(*peer, http::verb::get, "/status", {}, peer_limits{}), asio::use_future
        );
        const peer_result r = run_until(ioc, fut);
        BOOST_TEST(!r.reply.has_value(), host);
        BOOST_TEST(r.error == "address is not public", host);
    }
    BOOST_TEST(!accepted);
    // The same peer without the mark is reached: the listener above was real.
    auto peer = parse_peer_url("http://127.0.0.1:" + std::to_string(listener.local_endpoint().port()), why);
    peer_limits quick;
    quick.response_timeout = 200ms;
    auto fut = asio::co_spawn(
        ioc, send_peer_request(*peer, http::verb::get, "/status", {}, quick), asio::use_future
    );
    (void)run_until(ioc, fut);
    BOOST_TEST(accepted);
}

BOOST_AUTO_TEST_SUITE_END()
