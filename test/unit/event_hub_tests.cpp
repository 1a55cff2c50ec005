// net::event_hub: cursors over a bounded ring, wake-ups, resumption, limits and slow readers.
#include <beastchain/net/event_hub.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <vector>

namespace net = beastchain::net;
namespace asio = boost::asio;

namespace {

net::client source(const char* ip)
{
    return {asio::ip::make_address(ip)};
}

/// Runs one next() to completion on `ioc`.
std::string next_of(asio::io_context& ioc, net::event_feed& feed)
{
    auto f = asio::co_spawn(ioc, feed.next(), asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
}

/// The text with this hub's id epoch removed ("id: 1f..-3" -> "id: 3"), for exact comparisons.
std::string without_epoch(std::string text)
{
    for (auto at = text.find("id: "); at != std::string::npos; at = text.find("id: ", at + 1)) {
        const auto dash = text.find('-', at);
        text.erase(at + 4, dash - (at + 4) + 1);
    }
    return text;
}

/// The id of the first event in `text`, as the client would send it back.
std::string first_id(const std::string& text)
{
    const auto at = text.find("id: ") + 4;
    return text.substr(at, text.find('\n', at) - at);
}

std::size_t count(const std::string& text, std::string_view what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

net::event_hub_settings quick()
{
    net::event_hub_settings s;
    s.ring = 4;
    s.flush_interval = std::chrono::milliseconds(1);
    s.heartbeat = std::chrono::milliseconds(50);
    s.max_streams = 3;
    s.max_streams_per_source = 1;
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_hub_tests)

BOOST_AUTO_TEST_CASE(a_stream_gets_what_was_published_since_it_joined_in_one_write)
{
    asio::io_context ioc;
    net::event_hub hub(quick());
    hub.publish("block", R"({"height":1})"); // before: not this stream's
    auto sub = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    BOOST_TEST_REQUIRE(sub.feed != nullptr);
    hub.publish("block", R"({"height":2})");
    hub.publish("transaction", R"({"x":1})");
    const std::string text = next_of(ioc, *sub.feed);
    BOOST_TEST(
        without_epoch(text) ==
        "id: 2\nevent: block\ndata: {\"height\":2}\n\nid: 3\nevent: transaction\ndata: {\"x\":1}\n\n"
    );

    // Parked until the next publish, which wakes it from another thread.
    auto parked = asio::co_spawn(ioc, sub.feed->next(), asio::use_future);
    std::thread publisher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        hub.publish("block", R"({"height":3})");
    });
    ioc.restart();
    ioc.run();
    publisher.join();
    BOOST_TEST(without_epoch(parked.get()) == "id: 4\nevent: block\ndata: {\"height\":3}\n\n");
}

BOOST_AUTO_TEST_CASE(a_quiet_stream_gets_keep_alives_and_close_ends_it)
{
    asio::io_context ioc;
    net::event_hub hub(quick());
    auto sub = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    BOOST_TEST(next_of(ioc, *sub.feed) == ": keep-alive\n\n");
    auto parked = asio::co_spawn(ioc, sub.feed->next(), asio::use_future);
    std::thread closer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        hub.close();
    });
    ioc.restart();
    ioc.run();
    closer.join();
    BOOST_TEST(parked.get().empty());
    BOOST_TEST(
        (hub.subscribe(source("127.0.0.1"), "", ioc.get_executor()).why == net::event_hub::refusal::closed)
    );
}

BOOST_AUTO_TEST_CASE(a_reader_the_ring_overtakes_is_dropped_not_buffered)
{
    asio::io_context ioc;
    net::event_hub hub(quick());
    auto sub = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    for (int i = 0; i < 10; ++i) // more than the ring holds, while the reader reads nothing
        hub.publish("transaction", "{}");
    BOOST_TEST(next_of(ioc, *sub.feed).empty());
    BOOST_TEST(hub.stats().dropped_slow == 1u);
    BOOST_TEST(hub.stats().published == 10u);
}

BOOST_AUTO_TEST_CASE(last_event_id_resumes_or_says_reset)
{
    asio::io_context ioc;
    auto settings = quick();
    settings.max_streams = 20;
    net::event_hub hub(settings);
    auto watcher = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    hub.publish("block", "{}");
    const std::string id1 = first_id(next_of(ioc, *watcher.feed));
    const std::string epoch = id1.substr(0, id1.find('-'));
    for (int i = 2; i <= 6; ++i)
        hub.publish("block", "{\"height\":" + std::to_string(i) + "}");
    // The ring holds 3..6: after 4 there is no gap.
    auto resumed = hub.subscribe(source("127.0.0.1"), epoch + "-4", ioc.get_executor());
    const std::string text = without_epoch(next_of(ioc, *resumed.feed));
    BOOST_TEST(text.starts_with("id: 5\n"));
    BOOST_TEST(count(text, "event: block") == 2u);
    BOOST_TEST(count(text, "reset") == 0u);
    // After 1, event 2 is gone: reset first, then only what comes next.
    auto gap = hub.subscribe(source("127.0.0.1"), id1, ioc.get_executor());
    BOOST_TEST(next_of(ioc, *gap.feed) == "event: reset\ndata: {}\n\n");
    // Another epoch's id (a node restarted since), an id from the future, and junk are gaps too.
    for (const std::string& bad : std::vector<std::string>{
             "0123456789abcdef-5", epoch + "-500", epoch + "-", std::string("5"), epoch + "-5x"}) {
        auto other = hub.subscribe(source("127.0.0.1"), bad, ioc.get_executor());
        BOOST_TEST_REQUIRE(other.feed != nullptr);
        BOOST_TEST(next_of(ioc, *other.feed).starts_with("event: reset"), bad);
    }
}

BOOST_AUTO_TEST_CASE(a_reader_far_behind_catches_up_in_bounded_writes)
{
    asio::io_context ioc;
    auto settings = quick();
    settings.ring = 64;
    settings.max_write_bytes = 1000;
    net::event_hub hub(settings);
    auto sub = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    const std::string data(300, 'x'); // ~330-byte frames: three fit in no write
    for (int i = 0; i < 40; ++i)
        hub.publish("transaction", "\"" + data + "\"");
    std::string all;
    while (count(all, "event: transaction") < 40) {
        const std::string piece = next_of(ioc, *sub.feed);
        BOOST_TEST_REQUIRE(!piece.empty());
        BOOST_TEST(piece.size() <= 1000u);
        all += piece;
    }
    // Every frame once, in order.
    const std::string plain = without_epoch(all);
    for (int i = 1; i <= 40; ++i)
        BOOST_TEST(count(plain, "id: " + std::to_string(i) + "\n") == 1u);
    BOOST_TEST(plain.find("id: 40\n") > plain.find("id: 39\n"));
}

BOOST_AUTO_TEST_CASE(streams_are_limited_per_source_and_in_all)
{
    asio::io_context ioc;
    net::event_hub hub(quick());
    using refusal = net::event_hub::refusal;
    auto first = hub.subscribe(source("192.0.2.7"), "", ioc.get_executor());
    BOOST_TEST_REQUIRE(first.feed != nullptr);
    BOOST_TEST(
        (hub.subscribe(source("192.0.2.7"), "", ioc.get_executor()).why == refusal::too_many_from_source)
    );
    // Loopback is exempt from the per-source cap, not from the total.
    auto l1 = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    auto l2 = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    BOOST_TEST_REQUIRE(l2.feed != nullptr);
    BOOST_TEST((hub.subscribe(source("198.51.100.1"), "", ioc.get_executor()).why == refusal::too_many));
    BOOST_TEST(hub.stats().streams == 3u);
    // A closed stream gives its slots back.
    first.feed.reset();
    BOOST_TEST(hub.stats().streams == 2u);
    BOOST_TEST(hub.subscribe(source("192.0.2.7"), "", ioc.get_executor()).feed != nullptr);
}

BOOST_AUTO_TEST_CASE(sources_are_counted_as_the_write_budget_counts_them)
{
    asio::io_context ioc;
    auto settings = quick();
    settings.max_streams = 10;
    settings.limit_loopback = true; // behind a reverse proxy every client is loopback
    net::event_hub hub(settings);
    using refusal = net::event_hub::refusal;
    auto one = hub.subscribe(source("2001:db8:1:2::1"), "", ioc.get_executor());
    BOOST_TEST_REQUIRE(one.feed != nullptr);
    // Another address in the same /64 is the same source.
    BOOST_TEST((
        hub.subscribe(source("2001:db8:1:2::99"), "", ioc.get_executor()).why == refusal::too_many_from_source
    ));
    BOOST_TEST(hub.subscribe(source("2001:db8:1:3::1"), "", ioc.get_executor()).feed != nullptr);
    // An IPv4-mapped address is its IPv4 source.
    auto v4 = hub.subscribe(source("192.0.2.8"), "", ioc.get_executor());
    BOOST_TEST((
        hub.subscribe(source("::ffff:192.0.2.8"), "", ioc.get_executor()).why == refusal::too_many_from_source
    ));
    auto local = hub.subscribe(source("127.0.0.1"), "", ioc.get_executor());
    BOOST_TEST(
        (hub.subscribe(source("127.0.0.1"), "", ioc.get_executor()).why == refusal::too_many_from_source)
    );
}

BOOST_AUTO_TEST_SUITE_END()
