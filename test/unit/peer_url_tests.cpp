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
        {"https://Node-A.example", "https://node-a.example:443"},
        {"https://127.0.0.1:5001/", "https://127.0.0.1:5001"},
    };
    for (const auto& [in, out] : cases) {
        const auto u = parse_peer_url(in, why);
        BOOST_TEST_REQUIRE(u.has_value(), in << ": " << why);
        BOOST_TEST(u->normalized == out);
    }
    BOOST_TEST(parse_peer_url("http://[::1]:5002", why)->host == "::1");
    BOOST_TEST(!parse_peer_url("http://a.example", why)->tls);
    BOOST_TEST(parse_peer_url("https://a.example", why)->tls);
    // One node, two schemes: different links (one would be refused by a TLS-only node).
    BOOST_TEST(!(*parse_peer_url("http://a.example:1", why) == *parse_peer_url("https://a.example:1", why)));
}

BOOST_AUTO_TEST_CASE(refuses_everything_else)
{
    for (const char* bad :
         {"",
          "127.0.0.1:5001",
          "ftp://x:1",
          "https://user@host:1",
          "https://host:1/path",
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

BOOST_AUTO_TEST_CASE(only_globally_routable_addresses_are_public)
{
    const auto pub = [](const char* text) {
        return is_public_address(boost::asio::ip::make_address(text));
    };
    for (const char* a :
         {"8.8.8.8",
          "1.1.1.1",
          "100.63.255.255",
          "100.128.0.0",
          "172.32.0.1",
          "192.169.0.1",
          "2001:4860:4860::8888",
          "2a00:1450::1",
          "::ffff:8.8.8.8",
          "64:ff9b::808:808"})
        BOOST_TEST(pub(a), a);
    for (const char* a : {"0.0.0.0",
                          "0.1.2.3",
                          "10.0.0.1",
                          "100.64.0.1",
                          "127.0.0.1",
                          "127.255.0.1",
                          "169.254.169.254",
                          "172.16.0.1",
                          "172.31.255.255",
                          "192.0.0.8",
                          "192.0.2.2",
                          "192.88.99.1",
                          "192.168.1.1",
                          "198.18.0.1",
                          "198.19.255.255",
                          "198.51.100.7",
                          "203.0.113.9",
                          "224.0.0.1",
                          "239.255.255.250",
                          "240.0.0.1",
                          "255.255.255.255",
                          "::",
                          "::1",
                          "::127.0.0.1",
                          "::ffff:127.0.0.1",
                          "::ffff:10.0.0.1",
                          "64:ff9b::7f00:1",
                          "fc00::1",
                          "fd00::2",
                          "fe80::1",
                          "fec0::1",
                          "ff02::1",
                          "2001:db8::1",
                          "2001::1",
                          "2002:7f00:1::",
                          "100::1",
                          "2001:2::1",
                          "64:ff9b:1::1",
                          "2001:10::1",
                          "2001:2f::1",
                          "3fff::1"})
        BOOST_TEST(!pub(a), a);
}

BOOST_AUTO_TEST_CASE(only_this_host_and_its_local_network_are_internal_sources)
{
    const auto internal = [](const char* text) {
        return is_internal_address(boost::asio::ip::make_address(text));
    };
    for (const char* a :
         {"127.0.0.1",
          "10.9.8.7",
          "172.16.0.1",
          "172.31.255.255",
          "192.168.0.1",
          "169.254.1.1",
          "::1",
          "fd00::2",
          "fe80::1",
          "::ffff:192.168.0.1"})
        BOOST_TEST(internal(a), a);
    // Strangers reach us from these too: CGNAT space, tunnels, documentation, reserved, unknown.
    for (const char* a :
         {"100.64.0.1",
          "8.8.8.8",
          "172.32.0.1",
          "192.0.2.2",
          "0.0.0.0",
          "240.0.0.1",
          "2001::1",
          "2002:c000:0201::1",
          "2a00:1450::1",
          "::"})
        BOOST_TEST(!internal(a), a);
}

BOOST_AUTO_TEST_SUITE_END()
