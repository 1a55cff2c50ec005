// The access rules without sockets: which requests the token, Host and cross-site checks refuse.
#include <beastchain/net/access.hpp>

#include <boost/test/unit_test.hpp>

using namespace beastchain::net;

namespace {

const client loopback{boost::asio::ip::make_address("127.0.0.1")};
const client mapped_loopback{boost::asio::ip::make_address("::ffff:127.0.0.1")};
const client remote{boost::asio::ip::make_address("192.0.2.7")};
const std::string token = "0123456789abcdef0123456789abcdef";

request get(std::string target, std::string host = "127.0.0.1:5000")
{
    request r{http::verb::get, target, 11};
    r.set(http::field::host, host);
    return r;
}

unsigned refused(const access_policy& p, const request& r, const client& c, route_access a, bool side = false)
{
    const auto res = p.refuse(r, c, a, side);
    return res ? res->result_int() : 0u;
}

} // namespace

BOOST_AUTO_TEST_SUITE(access_tests)

BOOST_AUTO_TEST_CASE(operator_routes_need_the_token_except_from_loopback_without_a_token_file)
{
    const access_policy cookie({.token = token});
    BOOST_TEST(mapped_loopback.loopback());
    BOOST_TEST(!remote.loopback());
    BOOST_TEST(refused(cookie, get("/mine"), loopback, route_access::operator_only) == 0u);
    BOOST_TEST(refused(cookie, get("/mine"), mapped_loopback, route_access::operator_only) == 0u);
    BOOST_TEST(refused(cookie, get("/mine"), remote, route_access::operator_only) == 401u);
    BOOST_TEST(refused(cookie, get("/chain"), remote, route_access::open) == 0u);

    request with = get("/mine");
    with.set(http::field::authorization, "Bearer " + token);
    BOOST_TEST(refused(cookie, with, remote, route_access::operator_only) == 0u);
    for (const std::string& bad : std::vector<std::string>{
             "Bearer " + token + "x",
             "Bearer " + token.substr(1),
             "Basic " + token,
             "Bearer",
             "Bearer ",
             token}) {
        request r = get("/mine");
        r.set(http::field::authorization, bad);
        BOOST_TEST(refused(cookie, r, remote, route_access::operator_only) == 401u, bad);
    }

    // A token file binds loopback too; no token at all leaves other hosts no way in.
    const access_policy file({.token = token, .token_on_loopback = true});
    BOOST_TEST(refused(file, get("/mine"), loopback, route_access::operator_only) == 401u);
    BOOST_TEST(refused(file, with, loopback, route_access::operator_only) == 0u);
    const access_policy none;
    BOOST_TEST(refused(none, get("/mine"), loopback, route_access::operator_only) == 0u);
    BOOST_TEST(refused(none, get("/mine"), remote, route_access::operator_only) == 401u);
    request guess = get("/mine");
    guess.set(http::field::authorization, "Bearer ");
    BOOST_TEST(!none.has_token(guess)); // an empty token never matches "no token"
}

BOOST_AUTO_TEST_CASE(local_clients_may_not_name_hosts_the_node_does_not_own)
{
    const access_policy p({.check_host = true, .extra_hosts = {"Node.Lan"}});
    for (const char* host :
         {"127.0.0.1:5000",
          "localhost",
          "LOCALHOST:1",
          "[::1]:5000",
          "a.localhost",
          "node.lan:80",
          "192.0.2.1"})
        BOOST_TEST(refused(p, get("/chain", host), loopback, route_access::open) == 0u, host);
    for (const char* host : {"attacker.example", "localhost.attacker.example:5000", "node.lan.evil", "[::1"})
        BOOST_TEST(refused(p, get("/chain", host), loopback, route_access::open) == 403u, host);
    for (const char* host : {"localhost.", "ip6-localhost:5000"})
        BOOST_TEST(refused(p, get("/chain", host), loopback, route_access::open) == 0u, host);
    // Another host's client meets the token on operator routes instead; its Host is its business.
    BOOST_TEST(refused(p, get("/chain", "node.example"), remote, route_access::open) == 0u);
    BOOST_TEST(refused(p, get("/mine", "node.example"), remote, route_access::operator_only) == 401u);
}

BOOST_AUTO_TEST_CASE(side_effects_from_other_sites_are_refused_and_reads_are_not)
{
    const access_policy p;
    const auto with = [](const char* name, const char* value) {
        request r = get("/create-transaction");
        r.set(name, value);
        return r;
    };
    BOOST_TEST(refused(p, with("Origin", "http://127.0.0.1:5000"), loopback, route_access::open, true) == 0u);
    BOOST_TEST(refused(p, with("Sec-Fetch-Site", "same-origin"), loopback, route_access::open, true) == 0u);
    BOOST_TEST(refused(p, with("Sec-Fetch-Site", "none"), loopback, route_access::open, true) == 0u);
    BOOST_TEST(refused(p, get("/create-transaction"), loopback, route_access::open, true) == 0u);
    BOOST_TEST(
        refused(p, with("Referer", "http://127.0.0.1:5000/x?y"), loopback, route_access::open, true) == 0u
    );
    for (const auto& [name, value] : std::vector<std::pair<const char*, const char*>>{
             {"Origin", "http://attacker.example"},
             {"Origin", "null"},
             {"Origin", "http://127.0.0.1:5001"},
             {"Origin", "127.0.0.1:5000"},
             {"Sec-Fetch-Site", "cross-site"},
             {"Sec-Fetch-Site", "same-site"},
             {"Referer", "http://attacker.example/page.html"}}) {
        BOOST_TEST(refused(p, with(name, value), loopback, route_access::open, true) == 403u, value);
        BOOST_TEST(refused(p, with(name, value), loopback, route_access::open, false) == 0u, value);
    }
}

BOOST_AUTO_TEST_CASE(random_tokens_are_long_and_differ)
{
    const std::string a = random_token(), b = random_token();
    BOOST_TEST(a.size() == 64u);
    BOOST_TEST(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_SUITE_END()
