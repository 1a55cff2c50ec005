// Shared reply bodies: what goes on the wire is exactly the joined text, and the chain's shared
// list stays equal to a fresh join across appends, run boundaries and forks.
#include <beastchain/json/conversions.hpp>
#include <beastchain/json/text.hpp>
#include <beastchain/net/http.hpp>

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

/// The response as Beast's serializer writes it, split into head and body at the blank line.
std::pair<std::string, std::string> wire(const reply_body::value_type& body)
{
    net::response res = net::json_response(net::http::status::ok, body);
    res.prepare_payload();
    std::ostringstream os;
    os << res;
    const std::string all = os.str();
    const auto split = all.find("\r\n\r\n");
    return {all.substr(0, split), all.substr(split + 4)};
}

std::shared_ptr<const joined_text> join(const std::vector<std::string>& parts)
{
    auto j = std::make_shared<joined_text>();
    for (const auto& s : parts) {
        j->parts.push_back(text(s));
        j->bytes += s.size() + (j->items++ > 0 ? 1 : 0);
    }
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

BOOST_AUTO_TEST_CASE(shared_pieces_are_written_joined_by_commas_in_order)
{
    // More parts than one write's batch of buffers holds, and empty parts: the bytes on the wire
    // are head, the parts joined by commas, tail, and nothing else.
    std::vector<std::string> parts;
    std::string inner;
    int n = 0;
    for (; n < 150; ++n) {
        parts.push_back(n % 11 == 0 ? "" : "{\"i\":" + std::to_string(n) + "}");
        inner += (n > 0 ? "," : "") + parts.back();
    }
    const std::string expected = "{\"chain\":[" + inner + "],\"length\":" + std::to_string(n) + "}";
    const auto list = join(parts);
    const reply_body::value_type body("{\"chain\":[", list, "],\"length\":" + std::to_string(n) + "}");
    BOOST_TEST(body.size() == expected.size());
    BOOST_TEST(body.str() == expected);
    const auto [head, out] = wire(body);
    BOOST_TEST(out == expected);
    BOOST_TEST(head.find("Content-Length: " + std::to_string(expected.size())) != std::string::npos, head);
    // A second reply shares the same text instead of copying it.
    const reply_body::value_type again("[", list, "]");
    BOOST_TEST(again.shared_bytes() == list->bytes);
    BOOST_TEST(wire(again).second == "[" + inner + "]");
}

BOOST_AUTO_TEST_CASE(an_empty_list_writes_only_head_and_tail)
{
    BOOST_TEST(wire({"{\"blocks\":[", join({}), "]}"}).second == "{\"blocks\":[]}");
    BOOST_TEST(wire({"{\"blocks\":[", join({"1"}), "]}"}).second == "{\"blocks\":[1]}");
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

/// What `/chain`'s array must hold: every block's own text, joined, as if built from nothing.
std::string fresh_join(node::chain_text& t, const std::vector<core::chain_entry>& chain)
{
    std::string s = "[";
    for (std::size_t i = 0; i < chain.size(); ++i)
        s += (i > 0 ? "," : "") + *t.entry(chain, i);
    return s + "]";
}

std::string listed(node::chain_text& t, const std::vector<core::chain_entry>& chain)
{
    const auto list = t.blocks(chain);
    BOOST_TEST(list->items == chain.size());
    return reply_body::value_type("[", list, "]").str();
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
            BOOST_TEST_REQUIRE(listed(t, chain) == fresh_join(t, chain), "after block " << i);
    }
    const auto before = t.blocks(chain);
    // A fork inside the second full run: blocks from there on are new, and so is their text.
    for (const std::size_t fork : {run + 10, run, std::size_t{3}}) {
        chain.resize(fork);
        for (std::size_t i = fork; i < 2 * run + 7; ++i)
            chain.push_back(entry(i, 7 + 1000 * i + fork));
        t.truncate(fork);
        BOOST_TEST_REQUIRE(listed(t, chain) == fresh_join(t, chain), "after a fork at " << fork);
        // ...and the text is the new blocks', not what the old branch left behind.
        for (const std::size_t i : {fork, fork + 1, chain.size() - 1})
            BOOST_TEST(*t.entry(chain, i) == json::to_text(boost::json::value_from(chain[i])), "block " << i);
    }
    // A reply still holding the list from before the forks reads what it read then.
    BOOST_TEST(before->items == 2 * run + 5);
}

BOOST_AUTO_TEST_SUITE_END()
