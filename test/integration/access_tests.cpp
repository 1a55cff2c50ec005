// Access with real processes: the operator's token and cookie, Host and cross-site refusals, and
// peer admission that keeps strangers from pointing the node at internal addresses.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include "../support/fake_peer.hpp"
#include "../support/http_client.hpp"
#include "../support/node_process.hpp"
#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;

namespace {

/// Sends `request` on an open connection and returns the status line of the reply (empty when
/// the connection closes first, or after 5 s without one). The connection stays open.
std::string
exchange_on(boost::asio::io_context& ioc, boost::asio::ip::tcp::socket& socket, const std::string& request)
{
    std::string reply;
    auto on_written = [&](boost::system::error_code ec, std::size_t) {
        if (!ec)
            boost::asio::async_read_until(
                socket,
                boost::asio::dynamic_buffer(reply),
                "\r\n",
                [](boost::system::error_code, std::size_t) {}
            );
    };
    boost::asio::async_write(socket, boost::asio::buffer(request), on_written);
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));
    if (!ioc.stopped()) {
        socket.cancel(); // a node that never answers fails the test instead of hanging it
        ioc.restart();
        ioc.run();
    }
    return reply.substr(0, reply.find("\r\n"));
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

/// One request as raw bytes to `address`; returns the status line's code (0: no answer) and the
/// whole reply.
std::pair<unsigned, std::string> exchange(
    const std::string& address,
    std::uint16_t port,
    const std::string& method,
    const std::string& target,
    const std::string& headers = {},
    const std::string& body = {}
)
{
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + address + ":" + std::to_string(port) +
                      "\r\nConnection: close\r\n" + headers;
    if (!body.empty())
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    const std::string reply = raw_exchange_at(address, port, req);
    return {status_code(reply), reply};
}

const std::string tx_body = R"({"sender":"a","recipient":"b","amount":1})";

} // namespace

BOOST_AUTO_TEST_SUITE(access_tests)

BOOST_AUTO_TEST_CASE(other_hosts_need_the_cookie_token_on_operator_routes_and_loopback_does_not)
{
    const std::string lan = non_loopback_address();
    if (lan.empty()) {
        BOOST_WARN_MESSAGE(false, "skipped: this machine has no non-loopback IPv4 address to call from");
        return;
    }
    temp_data_dir dir;
    const auto args = quick_node({"-H", "0.0.0.0", "--data-dir", dir.path, "--sync-interval", "0"});
    const std::string cookie = dir.path + "/.cookie";
    std::string first_token;
    {
        node_process node(args);
        BOOST_TEST_REQUIRE(wait_until([&] { return std::filesystem::exists(cookie); }));
        struct stat st
        {};
        BOOST_TEST_REQUIRE(::stat(cookie.c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0600u); // the owner's alone
        first_token = read_file(cookie);
        BOOST_TEST(first_token.size() == 64u);

        // Anonymous, from another address: every operator route answers 401 with a challenge.
        for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
                 {"GET", "/nodes"}, {"GET", "/mine"}, {"GET", "/sync-chain"}, {"GET", "/metrics"}}) {
            const auto [code, reply] = exchange(lan, node.port(), method, target);
            BOOST_TEST(code == 401u, target << ": " << reply);
            BOOST_TEST(has(reply, "WWW-Authenticate: Bearer realm=\"beastchain\""), reply);
            BOOST_TEST(has(reply, R"("error":"unauthorized")"), reply);
        }
        // A registration is refused before its body is read.
        const auto [reg, reg_reply] =
            exchange(lan, node.port(), "POST", "/register-node", {}, R"({"address":"http://10.1.2.3:5000"})");
        BOOST_TEST(reg == 401u, reg_reply);
        const auto [wrong, wrong_reply] = exchange(
            lan, node.port(), "GET", "/nodes", "Authorization: Bearer " + std::string(64, 'a') + "\r\n"
        );
        BOOST_TEST(wrong == 401u, wrong_reply);
        BOOST_TEST(has(wrong_reply, "error=\"invalid_token\""), wrong_reply);
        BOOST_TEST(!has(node.log(), std::string(64, 'a'))); // tokens are never logged
        BOOST_TEST(!has(node.log(), first_token));

        // With the cookie's token: the operator's.
        const std::string auth = "Authorization: Bearer " + first_token + "\r\n";
        BOOST_TEST(exchange(lan, node.port(), "GET", "/nodes", auth).first == 200u);
        BOOST_TEST(exchange(lan, node.port(), "GET", "/mine", auth).first == 200u);

        // Public and peer routes stay open to everyone.
        BOOST_TEST(exchange(lan, node.port(), "GET", "/chain").first == 200u);
        BOOST_TEST(exchange(lan, node.port(), "GET", "/status").first == 200u);
        BOOST_TEST(exchange(lan, node.port(), "GET", "/health").first == 200u);
        BOOST_TEST(exchange(lan, node.port(), "POST", "/create-transaction", {}, tx_body).first == 201u);

        // Loopback needs no token: the tutorial works unchanged.
        BOOST_TEST(http_get(node.port(), "/nodes").status == 200u);
        BOOST_TEST(node.stop(SIGTERM) == 0);
    }
    BOOST_TEST(!std::filesystem::exists(cookie)); // a clean stop removes it
    node_process node(args);
    BOOST_TEST_REQUIRE(wait_until([&] { return std::filesystem::exists(cookie); }));
    const std::string second_token = read_file(cookie);
    BOOST_TEST(second_token.size() == 64u);
    BOOST_TEST(second_token != first_token); // new at each start
    const auto [old, old_reply] =
        exchange(lan, node.port(), "GET", "/nodes", "Authorization: Bearer " + first_token + "\r\n");
    BOOST_TEST(old == 401u, old_reply);
}

BOOST_AUTO_TEST_CASE(a_token_file_is_required_from_every_client_loopback_included)
{
    temp_data_dir dir;
    std::filesystem::create_directories(dir.path);
    const std::string token_file = dir.path + "/token";
    std::ofstream(token_file) << "correct-horse-battery-staple-42\n";
    node_process node(quick_node({"--auth-token-file", token_file, "--in-memory"}));
    const auto anonymous = http_get(node.port(), "/nodes");
    BOOST_TEST(anonymous.status == 401u, anonymous.body);
    BOOST_TEST(anonymous.headers.at("www-authenticate") == R"(Bearer realm="beastchain")");
    const auto [ok, reply] = exchange(
        "127.0.0.1", node.port(), "GET", "/nodes", "Authorization: bearer correct-horse-battery-staple-42\r\n"
    );
    BOOST_TEST(ok == 200u, reply);
    BOOST_TEST(http_get(node.port(), "/chain").status == 200u);

    // A token too short to resist guessing, or a file that is not there, stops the start.
    std::ofstream(token_file) << "short\n";
    const auto weak = run_node_to_exit({"--auth-token-file", token_file, "--in-memory", "-p", "0"});
    BOOST_TEST(weak.exit_code == 2);
    BOOST_TEST(has(weak.err, "16 to 1024 printable characters"), weak.err);
    const auto missing =
        run_node_to_exit({"--auth-token-file", dir.path + "/none", "--in-memory", "-p", "0"});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(has(missing.err, "cannot read --auth-token-file"), missing.err);
}

BOOST_AUTO_TEST_CASE(a_loopback_node_answers_only_to_its_own_host_names)
{
    node_process node(quick_node({"--allow-host", "Node.LAN", "--in-memory"}));
    const auto call = [&](const std::string& host) {
        return raw_exchange(
            node.port(), "GET /chain HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
        );
    };
    // A page on an attacker's name that now resolves to 127.0.0.1 (DNS rebinding) sends its name.
    const std::string rebound = call("attacker.example:" + std::to_string(node.port()));
    BOOST_TEST(rebound.starts_with("HTTP/1.1 403"), rebound);
    BOOST_TEST(has(rebound, R"("error":"forbidden_host")"), rebound);
    for (const std::string& host :
         {"localhost:" + std::to_string(node.port()),
          std::string("127.0.0.1"),
          std::string("[::1]:80"),
          std::string("node.lan"),
          std::string("app.localhost")})
        BOOST_TEST(call(host).starts_with("HTTP/1.1 200"), host);
}

BOOST_AUTO_TEST_CASE(side_effecting_requests_a_browser_marks_cross_site_are_refused)
{
    node_process node(quick_node({"--in-memory"}));
    const std::string host = "127.0.0.1:" + std::to_string(node.port());
    const auto post_tx = [&](const std::string& headers) {
        return exchange("127.0.0.1", node.port(), "POST", "/create-transaction", headers, tx_body);
    };
    for (const char* headers :
         {"Origin: http://attacker.example\r\n",
          "Origin: null\r\n",
          "Sec-Fetch-Site: cross-site\r\n",
          "Sec-Fetch-Site: same-site\r\n",
          "Origin: http://127.0.0.1:1\r\n"}) {
        const auto [code, reply] = post_tx(headers);
        BOOST_TEST(code == 403u, headers << reply);
        BOOST_TEST(has(reply, R"("error":"cross_site")"), reply);
    }
    const auto [mine_code, mine_reply] =
        exchange("127.0.0.1", node.port(), "GET", "/mine", "Sec-Fetch-Site: cross-site\r\n");
    BOOST_TEST(mine_code == 403u, mine_reply);
    // The node's own origin, a user typing the URL, and a read from anywhere are fine.
    BOOST_TEST(post_tx("Origin: http://" + host + "\r\nSec-Fetch-Site: same-origin\r\n").first == 201u);
    BOOST_TEST(post_tx("Sec-Fetch-Site: none\r\n").first == 201u);
    BOOST_TEST(
        exchange("127.0.0.1", node.port(), "GET", "/chain", "Sec-Fetch-Site: cross-site\r\n").first == 200u
    );
    BOOST_TEST(chain_of(node).size() == 1u);
    BOOST_TEST(status_of(node).at("pending_transactions").to_number<int>() == 2);
}

BOOST_AUTO_TEST_CASE(a_public_stranger_cannot_make_the_node_call_internal_addresses)
{
    // A real node at 127.0.0.1 that would pass the admission probe, under every spelling.
    fake_peer internal(fake_peer::mode::serve, "{}");
    internal.route("/status", 200, status_reply());
    const std::string port = std::to_string(internal.port());
    node_process node(quick_node({"--in-memory", "--sync-interval", "0", "--test-public-clients"}));
    for (const std::string& address :
         {"http://127.0.0.1:" + port,
          "http://2130706433:" + port,
          "http://0x7f000001:" + port,
          "http://0177.0.0.1:" + port,
          "http://127.1:" + port,
          "http://localhost:" + port,
          "http://[::ffff:127.0.0.1]:" + port,
          "http://[::1]:" + port,
          "http://10.0.0.1:" + port,
          "http://169.254.169.254:" + port,
          "http://0.0.0.0:" + port}) {
        const auto r =
            http_post_json(node.port(), "/announce", bj::serialize(bj::object{{"address", address}}));
        BOOST_TEST(r.status == 403u, address << " " << r.body);
        BOOST_TEST(has(r.body, R"("error":"peer_refused")"), r.body);
    }
    BOOST_TEST(internal.requests_seen() == 0); // refused on the resolved address, before connecting
    BOOST_TEST(bj::parse(http_get(node.port(), "/nodes").body).at("node_count").to_number<int>() == 0);
    // The operator's own registration is trusted, whatever it names.
    register_peer(node, "http://2130706433:" + port);

    // --allow-private-peers admits them (the probe still has to find a node there).
    node_process open(
        quick_node({"--in-memory", "--sync-interval", "0", "--test-public-clients", "--allow-private-peers"})
    );
    const auto r = http_post_json(
        open.port(), "/announce", bj::serialize(bj::object{{"address", "http://2130706433:" + port}})
    );
    BOOST_TEST(r.status == 201u, r.body);
}

BOOST_AUTO_TEST_CASE(at_most_eight_admission_probes_run_at_once)
{
    // Each announcement of a silent address holds a probe until the peer timeout; the ninth at
    // once is told to come back instead of making the node open yet another socket.
    node_process node(quick_node({"--in-memory", "--sync-interval", "0", "--peer-response-timeout-ms", "3000"}
    ));
    std::vector<std::unique_ptr<fake_peer>> silent;
    for (int i = 0; i < 9; ++i)
        silent.push_back(std::make_unique<fake_peer>(fake_peer::mode::silent));
    std::vector<unsigned> statuses(silent.size());
    std::vector<std::thread> callers;
    for (std::size_t i = 0; i < silent.size(); ++i)
        callers.emplace_back([&, i] {
            statuses[i] =
                http_post_json(
                    node.port(), "/announce", bj::serialize(bj::object{{"address", silent[i]->url()}})
                ).status;
        });
    for (auto& t : callers)
        t.join();
    const auto count = [&](unsigned code) {
        return std::count(statuses.begin(), statuses.end(), code);
    };
    BOOST_TEST(count(503u) >= 1);
    BOOST_TEST(count(403u) + count(503u) == 9);
}

BOOST_AUTO_TEST_CASE(a_local_client_naming_a_foreign_host_is_refused_on_a_wildcard_listener_too)
{
    // Loopback clients skip the token whatever the node listens on, so the rebinding check
    // follows the client, not the listener.
    node_process node(quick_node({"-H", "0.0.0.0", "--in-memory"}));
    const std::string rebound = raw_exchange(
        node.port(), "POST /register-node HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    );
    BOOST_TEST(rebound.starts_with("HTTP/1.1 403"), rebound);
    BOOST_TEST(has(rebound, R"("error":"forbidden_host")"), rebound);
    BOOST_TEST(http_get(node.port(), "/nodes").status == 200u); // Host: 127.0.0.1 is fine
}

BOOST_AUTO_TEST_CASE(one_address_gets_429_beyond_its_write_rate_and_connection_cap)
{
    node_process node(quick_node(
        {"--in-memory",
         "--limit-loopback",
         "--write-rate",
         "1",
         "--write-burst",
         "2",
         "--max-connections-per-ip",
         "3"}
    ));
    BOOST_TEST(http_post_json(node.port(), "/create-transaction", tx_body).status == 201u);
    BOOST_TEST(http_post_json(node.port(), "/create-transaction", tx_body).status == 201u);
    const auto limited = http_post_json(node.port(), "/create-transaction", tx_body);
    BOOST_TEST(limited.status == 429u, limited.body);
    BOOST_TEST(limited.json().at("error").as_string() == "rate_limited");
    BOOST_TEST(limited.headers.at("retry-after") == "1");
    BOOST_TEST(http_get(node.port(), "/mine").status == 429u); // /mine is a write too
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(http_get(node.port(), "/chain").status == 200u); // reads are not
    BOOST_TEST(status_of(node).at("pending_transactions").to_number<int>() == 2);

    // Three open connections are this address's share; the fourth is refused at once. Each is
    // held only once the node has served on it: a connection from the requests above that the
    // node has not yet seen close still counts, and would have the node refuse a held one.
    boost::asio::io_context ioc;
    std::vector<boost::asio::ip::tcp::socket> held;
    int refused_while_holding = 0;
    while (held.size() < 3) {
        BOOST_TEST_REQUIRE(refused_while_holding < 100);
        held.emplace_back(ioc);
        held.back().connect({boost::asio::ip::make_address("127.0.0.1"), node.port()});
        const std::string status_line =
            exchange_on(ioc, held.back(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        if (status_line.starts_with("HTTP/1.1 200"))
            continue;
        BOOST_TEST_REQUIRE(status_line.starts_with("HTTP/1.1 429"), status_line);
        held.pop_back();
        ++refused_while_holding;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_TEST_MESSAGE("refused while holding: " << refused_while_holding);
    const std::string fourth = raw_exchange(node.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    BOOST_TEST(fourth.starts_with("HTTP/1.1 429"), fourth);
    BOOST_TEST(has(fourth, "too_many_connections"), fourth);
    held.pop_back();
    BOOST_TEST(wait_until([&] { return http_get(node.port(), "/health").status == 200u; }));
}

BOOST_AUTO_TEST_CASE(loopback_clients_are_exempt_from_the_per_address_limits_by_default)
{
    node_process node(quick_node({"--in-memory", "--write-rate", "1", "--write-burst", "1"}));
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(http_post_json(node.port(), "/create-transaction", tx_body).status == 201u);
}

BOOST_AUTO_TEST_SUITE_END()
