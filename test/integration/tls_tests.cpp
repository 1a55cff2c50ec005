// TLS with real processes and a CA made by the openssl command: https:// peer links, certificate
// checks, plain HTTP on a TLS node, protocol floor, reload on SIGHUP, and start-up errors.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <openssl/ssl.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "../support/http_client.hpp"
#include "../support/node_process.hpp"
#include "../support/tls_client.hpp"
#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;

namespace {

std::vector<std::string> tls_node(const test_pki& pki, std::vector<std::string> extra = {})
{
    std::vector<std::string> args{"--tls-cert", pki.cert, "--tls-key", pki.key, "--tls-ca", pki.ca};
    args.insert(args.end(), extra.begin(), extra.end());
    return quick_node(args);
}

std::string https_url(const node_process& n)
{
    return "https://127.0.0.1:" + std::to_string(n.port());
}

std::size_t count_of(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
        ++n;
    return n;
}

std::string peer_error(const node_process& n, const std::string& address)
{
    const bj::value nodes = http_get(n.port(), "/nodes").json();
    for (const auto& p : nodes.at("nodes").as_array())
        if (p.at("address").as_string() == address && p.at("last_error").is_string())
            return std::string(p.at("last_error").as_string());
    return {};
}

void copy_over(const std::string& from, const std::string& to)
{
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls_tests)

BOOST_AUTO_TEST_CASE(two_nodes_linked_over_https_carry_transactions_and_blocks)
{
    test_pki pki;
    node_process a(tls_node(pki, {"--sync-interval", "0"}));
    node_process b(tls_node(pki, {"--sync-interval", "0", "--peer", https_url(a)}));

    // b announced its own https:// address, so the link is two-way.
    BOOST_TEST_REQUIRE(wait_until([&] {
        return http_get(a.port(), "/nodes").body.find(https_url(b)) != std::string::npos;
    }));
    const std::string id = submit(b, "alice", "bob", 7);
    BOOST_TEST(
        wait_until([&] {
            return http_get(a.port(), "/status").json().at("pending_transactions").to_number<int>() == 1;
        }),
        "the transaction crossed the TLS link"
    );
    mine(a);
    BOOST_TEST_REQUIRE(wait_until([&] { return chain_of(b).size() == 2; }), "the block crossed the TLS link");
    BOOST_TEST(count_in_chain(chain_of(b), id) == 1);
    BOOST_TEST(peer_error(a, https_url(b)).empty());
    BOOST_TEST(peer_error(b, https_url(a)).empty());

    // A client that checks the certificate reaches the API over TLS too.
    const auto r = https_call(a.port(), "GET", "/status", https_options{.ca_file = pki.ca});
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.peer_subject == "node-one");
}

BOOST_AUTO_TEST_CASE(an_unknown_ca_fails_the_link_naming_the_certificate_and_is_logged_once_by_the_server)
{
    test_pki pki;
    node_process a(tls_node(pki, {"--sync-interval", "0"}));
    // c trusts another CA only: a's certificate is not one it can check.
    node_process c(quick_node(
        {"--tls-ca", pki.other_ca, "--sync-interval", "0", "--advertise-url", "none", "--peer", https_url(a)}
    ));
    BOOST_TEST_REQUIRE(wait_until([&] { return !peer_error(c, https_url(a)).empty(); }));
    const std::string why = peer_error(c, https_url(a));
    BOOST_TEST(why.find("certificate") != std::string::npos, why);
    BOOST_TEST(why.find("local issuer") != std::string::npos, why);

    // The test client with the wrong CA fails the same way, several times; a logs the first.
    for (int i = 0; i < 5; ++i)
        BOOST_CHECK_THROW(
            https_call(a.port(), "GET", "/status", https_options{.ca_file = pki.other_ca}), std::runtime_error
        );
    // And a client that is not TLS at all but starts like it (a bare handshake record header).
    raw_exchange(a.port(), std::string("\x16\x03\x01\x00\x05hello", 10), std::chrono::seconds(2));
    BOOST_TEST(http_get(a.port(), "/status").status == 200u, "a failed handshake costs one connection");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(count_of(a.log(), "TLS handshake from 127.0.0.1 failed") == 1u, a.log());
}

BOOST_AUTO_TEST_CASE(plain_http_is_served_to_loopback_and_refused_with_426_to_other_hosts)
{
    test_pki pki;
    node_process a(tls_node(pki, {"-H", "0.0.0.0", "--sync-interval", "0"}));
    BOOST_TEST(http_get(a.port(), "/chain").status == 200u, "loopback plain HTTP: the tutorial still works");

    const std::string lan = non_loopback_address();
    if (lan.empty()) {
        BOOST_WARN_MESSAGE(false, "skipped: this machine has no non-loopback IPv4 address to call from");
        return;
    }
    // A keep-alive request: the 426 still closes the connection (not the client's timeout).
    const auto asked = std::chrono::steady_clock::now();
    const std::string reply = raw_exchange_at(
        lan, a.port(), "GET /chain HTTP/1.1\r\nHost: " + lan + "\r\n\r\n", std::chrono::seconds(5)
    );
    BOOST_TEST(status_code(reply) == 426u, reply);
    BOOST_TEST(reply.find("\"tls_required\"") != std::string::npos, reply);
    BOOST_TEST(reply.find("Upgrade: TLS/1.2, HTTP/1.1") != std::string::npos, reply);
    BOOST_TEST((std::chrono::steady_clock::now() - asked < std::chrono::seconds(3)));

    // A peer that still calls this node http:// from another address delivers nothing, and says why.
    node_process b(quick_node({"--sync-interval", "0", "--advertise-url", "none"}));
    const std::string plain_url = "http://" + lan + ":" + std::to_string(a.port());
    register_peer(b, plain_url);
    submit(b, "alice", "bob", 3); // relayed to a: refused with 426
    BOOST_TEST_REQUIRE(wait_until([&] { return !peer_error(b, plain_url).empty(); }));
    BOOST_TEST(peer_error(b, plain_url).find("requires TLS") != std::string::npos, peer_error(b, plain_url));

    // Over TLS from that host the node answers, and the operator's token is what opens /nodes.
    https_options over_lan{.ca_file = pki.ca, .address = lan, .host = "127.0.0.1"};
    https_connection link(a.port(), over_lan);
    BOOST_TEST(link.call("GET", "/chain").status == 200u);
    BOOST_TEST(link.call("GET", "/nodes").status == 401u);
}

BOOST_AUTO_TEST_CASE(a_peer_certificate_must_name_the_host_of_the_url)
{
    test_pki pki;
    // d's certificate names localhost only: fine as https://localhost, not as https://127.0.0.1.
    node_process d(
        quick_node({"--tls-cert", pki.name_only_cert, "--tls-key", pki.name_only_key, "--sync-interval", "0"})
    );
    node_process e(quick_node({"--tls-ca", pki.ca, "--sync-interval", "0", "--advertise-url", "none"}));
    const std::string by_ip = https_url(d), by_name = "https://localhost:" + std::to_string(d.port());
    register_peer(e, by_ip);
    register_peer(e, by_name);
    mine(d); // relayed to e over the link that checks out
    BOOST_TEST(
        wait_until([&] { return chain_of(e).size() == 2; }), "the block arrived over https://localhost"
    );
    BOOST_TEST_REQUIRE(wait_until([&] { return !peer_error(e, by_ip).empty(); }));
    BOOST_TEST(peer_error(e, by_ip).find("IP address mismatch") != std::string::npos, peer_error(e, by_ip));
    BOOST_TEST(peer_error(e, by_name).empty(), peer_error(e, by_name));
}

BOOST_AUTO_TEST_CASE(tls_below_1_2_is_refused)
{
    test_pki pki;
    node_process a(tls_node(pki, {"--sync-interval", "0"}));
    try {
        https_call(a.port(), "GET", "/status", https_options{.max_version = TLS1_1_VERSION});
        BOOST_ERROR("a TLS 1.1 client was served");
    } catch (const std::runtime_error& e) {
        // The server's alert, not the client refusing to offer the old protocol.
        BOOST_TEST(std::string(e.what()).find("protocol version") != std::string::npos, e.what());
    }
    BOOST_TEST(
        https_call(a.port(), "GET", "/status", https_options{.max_version = TLS1_2_VERSION}).status == 200u
    );
}

BOOST_AUTO_TEST_CASE(sighup_serves_a_new_certificate_to_new_connections_and_keeps_open_ones)
{
    test_pki pki;
    const std::string cert = pki.dir + "/live.pem", key = pki.dir + "/live.key";
    copy_over(pki.cert, cert);
    copy_over(pki.key, key);
    node_process a(quick_node({"--tls-cert", cert, "--tls-key", key, "--sync-interval", "0"}));
    https_options trusted{.ca_file = pki.ca};
    https_connection before(a.port(), trusted);
    BOOST_TEST(before.call("GET", "/status").peer_subject == "node-one");

    copy_over(pki.second_cert, cert);
    copy_over(pki.second_key, key);
    ::kill(a.pid(), SIGHUP);
    BOOST_TEST_REQUIRE(wait_until([&] {
        return https_call(a.port(), "GET", "/status", trusted).peer_subject == "node-two";
    }));
    BOOST_TEST(before.call("GET", "/status").status == 200u, "the open connection survived the reload");

    // A broken pair on reload keeps the last good certificate, and the node keeps running.
    copy_over(pki.key, key); // node-one's key under node-two's certificate
    ::kill(a.pid(), SIGHUP);
    BOOST_TEST_REQUIRE(wait_until([&] {
        return a.log().find("keeping the old TLS certificate") != std::string::npos;
    }));
    BOOST_TEST(https_call(a.port(), "GET", "/status", trusted).peer_subject == "node-two");
}

BOOST_AUTO_TEST_CASE(bad_tls_settings_stop_the_node_at_start_with_one_line)
{
    test_pki pki;
    const auto only_cert = run_node_to_exit({"-p", "0", "--in-memory", "--tls-cert", pki.cert});
    BOOST_TEST(only_cert.exit_code == 2);
    BOOST_TEST(only_cert.err.find("--tls-cert and --tls-key") != std::string::npos, only_cert.err);

    const auto missing =
        run_node_to_exit({"-p", "0", "--in-memory", "--tls-cert", pki.dir + "/none.pem", "--tls-key", pki.key}
        );
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(missing.err.find("none.pem") != std::string::npos, missing.err);

    const auto mismatched =
        run_node_to_exit({"-p", "0", "--in-memory", "--tls-cert", pki.cert, "--tls-key", pki.second_key});
    BOOST_TEST(mismatched.exit_code == 2);
    BOOST_TEST(mismatched.err.find("does not match") != std::string::npos, mismatched.err);

    const auto no_ca = run_node_to_exit({"-p", "0", "--in-memory", "--tls-ca", pki.dir + "/none-ca.pem"});
    BOOST_TEST(no_ca.exit_code == 2);
    BOOST_TEST(no_ca.err.find("none-ca.pem") != std::string::npos, no_ca.err);
}

BOOST_AUTO_TEST_SUITE_END()
