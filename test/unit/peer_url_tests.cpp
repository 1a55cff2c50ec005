// Peer addresses: what register-node accepts, how it normalises, and what it refuses.
#include <beastchain/net/peer_url.hpp>

#include <boost/test/unit_test.hpp>

using namespace beastchain::net;

BOOST_AUTO_TEST_SUITE(peer_url_tests)

BOOST_AUTO_TEST_CASE(accepts_and_normalises_http_urls)
{
    std::string why;
    const std::pair<const char*, const char*> cases[] = {
        {"http://127.0.0.1:5001", "http://127.0.0.1:5001"},
        {"http://127.0.0.1:5001/", "http://127.0.0.1:5001"},
        {"HTTP://LocalHost:5001", "http://localhost:5001"},
        {"http://node-a.example:80", "http://node-a.example:80"},
        {"http://node-a.example", "http://node-a.example:80"},
        {"http://[::1]:5002", "http://[::1]:5002"},
    };
    for (const auto& [in, out] : cases) {
        const auto u = parse_peer_url(in, why);
        BOOST_TEST_REQUIRE(u.has_value(), in << ": " << why);
        BOOST_TEST(u->normalized == out);
    }
    BOOST_TEST(parse_peer_url("http://[::1]:5002", why)->host == "::1");
}

BOOST_AUTO_TEST_CASE(refuses_everything_else)
{
    for (const char* bad :
         {"",
          "127.0.0.1:5001",
          "https://127.0.0.1:5001",
          "ftp://x:1",
          "http://user:pw@host:1",
          "http://host:1/path",
          "http://host:1?q=1",
          "http://host:1#f",
          "http://host:0",
          "http://host:70000",
          "http://:5000",
          "http://ho st:1",
          "file:///etc/passwd",
          "javascript:alert(1)"}) {
        std::string why;
        BOOST_TEST(!parse_peer_url(bad, why).has_value(), "accepted " << bad);
        BOOST_TEST(!why.empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
