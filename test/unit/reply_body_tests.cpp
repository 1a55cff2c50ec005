// Shared reply bodies: what goes on the wire is exactly the joined text, whatever the batching,
// and the chain's shared lists stay equal to a fresh join across appends, run boundaries and forks.
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/text.hpp>
#include <beastchain/net/http.hpp>

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "chain_text.hpp"

using namespace beastchain;
using net::joined_text;
using net::reply_body;
using net::shared_text;

namespace {

shared_text text(std::string s)
{
    return std::make_shared<const std::string>(std::move(s));
}

/// The whole response as Beast's serializer writes it, `step` bytes at a time (0: as the
/// serializer offers them), split into head and body at the blank line.
std::pair<std::string, std::string> wire(const reply_body::value_type& body, std::size_t step = 0)
{
    net::response res = net::json_response(net::http::status::ok, body);
    res.prepare_payload();
    net::http::serializer<false, reply_body> sr(res);
    std::string all;
    boost::beast::error_code ec;
    while (!sr.is_done()) {
        sr.next(ec, [&](boost::beast::error_code& e, const auto& buffers) {
            e = {};
            const std::size_t n = step == 0 ? boost::beast::buffer_bytes(buffers)
                                            : std::min(step, boost::beast::buffer_bytes(buffers));
            all += boost::beast::buffers_to_string(boost::beast::buffers_prefix(n, buffers));
            sr.consume(n);
        });
        BOOST_TEST_REQUIRE(!ec, ec.message());
    }
    const auto split = all.find("\r\n\r\n");
    return {all.substr(0, split), all.substr(split + 4)};
}

std::shared_ptr<const joined_text> join(const std::vector<std::string>& parts)
{
    auto j = std::make_shared<joined_text>();
    for (const auto& s : parts)
        j->add(text(s));
    return j;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reply_body_tests)

BOOST_AUTO_TEST_CASE(owned_text_goes_out_as_it_is)
{
    const auto [head, body] = wire(std::string(R"({"message":"ok"})"));
    BOOST_TEST(body == R"({"message":"ok"})");
    BOOST_TEST(head.find("Content-Length: 16") != std::string::npos, head);
}

BOOST_AUTO_TEST_CASE(shared_parts_are_written_joined_by_commas_in_order)
{
    // Every part count from one to well past two batches, with empty parts among them, an empty
    // or a non-empty tail, written whole and 7 bytes at a time: the bytes are head, the parts
    // joined by commas, tail, and Content-Length counts exactly them. Some counts fill a batch
    // exactly, so the tail waits for the next one.
    for (int n = 1; n <= 140; ++n)
        for (const std::string& tail : {std::string(), std::string("],\"length\":1}")})
            for (const std::size_t step : {std::size_t{0}, std::size_t{7}}) {
                std::vector<std::string> parts;
                std::string inner;
                for (int i = 0; i < n; ++i) {
                    parts.push_back(i % 11 == 5 ? "" : "{\"i\":" + std::to_string(i) + "}");
                    inner += (i > 0 ? "," : "") + parts.back();
                }
                const auto list = join(parts);
                BOOST_TEST_REQUIRE(list->bytes() == inner.size());
                const reply_body::value_type body("{\"chain\":[", list, tail);
                const std::string expected = "{\"chain\":[" + inner + tail;
                BOOST_TEST_REQUIRE(body.str() == expected);
                const auto [head, out] = wire(body, step);
                BOOST_TEST_REQUIRE(out == expected, n << " parts, step " << step);
                BOOST_TEST_REQUIRE(
                    head.find("Content-Length: " + std::to_string(expected.size())) != std::string::npos, head
                );
            }
}

BOOST_AUTO_TEST_CASE(parts_that_carry_their_commas_are_written_back_to_back)
{
    auto list = std::make_shared<joined_text>(/*own_commas=*/true);
    list->add(text("1,2"), 2);
    list->add(text(",3,4"), 2);
    list->add(text(",5"));
    BOOST_TEST(list->items() == 5u);
    BOOST_TEST(list->bytes() == 9u);
    BOOST_TEST(wire({"[", list, "]"}).second == "[1,2,3,4,5]");
}

BOOST_AUTO_TEST_CASE(an_empty_list_writes_only_head_and_tail)
{
    BOOST_TEST(wire({"{\"blocks\":[", join({}), "]}"}).second == "{\"blocks\":[]}");
    BOOST_TEST(wire({"{\"blocks\":[", join({"1"}), "]}"}).second == "{\"blocks\":[1]}");
    const auto [head, body] = wire({"", join({}), ""});
    BOOST_TEST(body.empty());
    BOOST_TEST(head.find("Content-Length: 0") != std::string::npos, head);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(chain_text_tests)

namespace {

core::chain_entry entry(std::uint64_t index, std::uint64_t timestamp_ms)
{
    core::chain_entry e;
    e.blk.index = index;
    e.blk.timestamp_ms = timestamp_ms;
    e.hash[0] = static_cast<std::uint8_t>(index);
    return e;
}

std::string serialized(const core::chain_entry& e)
{
    return json::to_text(boost::json::value_from(e));
}

/// What `/chain`'s array must hold: each block serialized now, joined, as if built from nothing.
std::string fresh_join(const std::vector<core::chain_entry>& chain)
{
    std::string s = "[";
    for (std::size_t i = 0; i < chain.size(); ++i)
        s += (i > 0 ? "," : "") + serialized(chain[i]);
    return s + "]";
}

/// The shared list as a reply writes it, checked against its own byte and item counts.
std::string listed(node::chain_text& t, const std::vector<core::chain_entry>& chain)
{
    const auto list = t.blocks(chain);
    const std::string s = wire({"[", list, "]"}).second;
    BOOST_TEST(list->items() == chain.size());
    BOOST_TEST(list->bytes() + 2 == s.size());
    return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_shared_list_follows_appends_run_boundaries_and_forks)
{
    constexpr std::size_t run = node::chain_text::run_size;
    node::chain_text t;
    std::vector<core::chain_entry> chain;
    for (std::size_t i = 0; i < 2 * run + 5; ++i) {
        chain.push_back(entry(i, 1000 * i));
        t.grew();
        if (i % 97 == 0 || i + 1 == run || i == run || i + 1 == 2 * run)
            BOOST_TEST_REQUIRE(listed(t, chain) == fresh_join(chain), "after block " << i);
    }
    const auto before = t.blocks(chain);
    const std::string before_text = fresh_join(chain);
    // Forks inside a full run, at a run boundary and near genesis: blocks from there on are new,
    // and the list must hold their text, not what the old branch left behind.
    for (const std::size_t fork : {run + 10, run, std::size_t{3}}) {
        chain.resize(fork);
        for (std::size_t i = fork; i < 2 * run + 7; ++i)
            chain.push_back(entry(i, 7 + 1000 * i + fork));
        t.truncate(fork);
        BOOST_TEST_REQUIRE(listed(t, chain) == fresh_join(chain), "after a fork at " << fork);
    }
    // A reply still holding the list from before the forks reads exactly what it read then.
    BOOST_TEST(reply_body::value_type("[", before, "]").str() == before_text);
}

BOOST_AUTO_TEST_CASE(a_blocks_page_is_the_blocks_it_names_and_counts_its_bytes)
{
    node::chain_text t;
    std::vector<core::chain_entry> chain;
    for (std::size_t i = 0; i < 300; ++i)
        chain.push_back(entry(i, 1000 * i));
    node::blocks_query q;
    q.from = 250;
    q.limit = 20;
    const auto page = t.blocks_page(chain, q);
    BOOST_TEST_REQUIRE(page.has_value());
    std::string expected = "{\"blocks\":[";
    for (std::size_t i = 250; i < 270; ++i)
        expected += (i > 250 ? "," : "") + serialized(chain[i]);
    const auto [head, body] = wire(*page, 5);
    BOOST_TEST(body.starts_with(expected + "],\"from\":250,\"height\":299,"), body.substr(0, 200));
    BOOST_TEST(head.find("Content-Length: " + std::to_string(body.size())) != std::string::npos, head);
    // Past the tip: an empty page, still well formed.
    q.from = 300;
    BOOST_TEST(wire(*t.blocks_page(chain, q)).second.starts_with("{\"blocks\":[],\"from\":300,"));
    // A locator with no block on this chain: no page.
    node::blocks_query lost;
    lost.locator.emplace_back(5, core::hash256{});
    BOOST_TEST(!t.blocks_page(chain, lost).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
