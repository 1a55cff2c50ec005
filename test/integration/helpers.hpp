// Shared helpers for integration tests: quick-mining node flags and JSON accessors.
#pragma once

#include <beastchain/core/block.hpp>
#include <beastchain/json/peer_messages.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../support/http_client.hpp"
#include "../support/node_process.hpp"

namespace beastchain::test {

/// True in ASan/TSan builds, where the instrumented node runs several times slower and keeps
/// freed memory in quarantine: wall-clock and RSS bounds are widened there, never in the real build.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

/// Flags for a node that mines fast enough for tests but still does real proof of work.
/// Flags in `extra` replace the defaults of the same name.
inline std::vector<std::string> quick_node(std::vector<std::string> extra = {})
{
    const std::vector<std::pair<std::string, std::string>> defaults{
        {"--difficulty", "12"}, {"--miner-threads", "1"}, {"--log-level", "warning"}};
    std::vector<std::string> args;
    for (const auto& [flag, value] : defaults)
        if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
            args.push_back(flag);
            args.push_back(value);
        }
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

/// Polls `done` every 20 ms until it holds or `limit` passes (5x longer in sanitizer builds);
/// returns whether it held.
template <class F> bool wait_until(F done, std::chrono::milliseconds limit = std::chrono::seconds(10))
{
    const auto deadline = std::chrono::steady_clock::now() + (sanitized ? 5 * limit : limit);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

/// Whether `text` (a reply, a log, a metrics page) contains `part`.
inline bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// The value of an unlabelled metric in a Prometheus text body; -1 when absent.
inline double metric_value(const std::string& text, const std::string& name)
{
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos)
        return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

/// A `/headers` page as a node serves it, for fake peers: the headers of `blocks`, the first at
/// height `from`, on a chain whose tip is at `height`.
inline std::string
headers_page(const std::vector<core::block>& blocks, std::uint64_t from, std::uint64_t height)
{
    boost::json::array headers;
    for (const auto& b : blocks)
        headers.emplace_back(core::to_hex(core::serialize_header(b, core::merkle_root(b.transactions))));
    return boost::json::serialize(boost::json::object{
        {"from", from}, {"headers", std::move(headers)}, {"height", height}});
}

/// The status code of a raw HTTP/1.1 reply, 0 when there was none.
inline unsigned status_code(const std::string& raw_reply)
{
    return raw_reply.starts_with("HTTP/1.1 ") ? static_cast<unsigned>(std::stoi(raw_reply.substr(9, 3))) : 0u;
}

/// A `/status` reply as a node of this protocol serves it, for fake peers that must pass the
/// admission probe of an announcement or the first step of a sync.
inline std::string status_reply(
    std::uint64_t height = 0, const std::string& tip = std::string(64, '0'), const std::string& work = "1"
)
{
    return boost::json::serialize(boost::json::object{
        {"height", height},
        {"tip_hash", tip},
        {"cumulative_work", work},
        {"protocol", json::protocol_version}});
}

/// Writes `blocks` real blocks into `dir` with beastchain-gen-chain.
inline void write_chain(const temp_data_dir& dir, int blocks)
{
    const auto gen = run_program(
        BEASTCHAIN_GEN_CHAIN_BINARY,
        {"--data-dir", dir.path, "--blocks", std::to_string(blocks)},
        std::chrono::seconds(120)
    );
    BOOST_REQUIRE_MESSAGE(gen.exit_code == 0, gen.err);
}

/// write_chain, then the flags for a node that serves that chain (difficulty 1, announcing
/// nothing), for tests that need a long chain from a peer.
inline std::vector<std::string> generated_chain_node(const temp_data_dir& dir, int blocks)
{
    write_chain(dir, blocks);
    return {"--difficulty", "1", "--data-dir", dir.path, "--advertise-url", "none", "--log-level", "warning"};
}

inline std::string tx_json(const std::string& sender, const std::string& recipient, long long amount)
{
    return boost::json::serialize(boost::json::object{
        {"sender", sender}, {"recipient", recipient}, {"amount", amount}});
}

inline boost::json::array chain_of(const node_process& n)
{
    const auto r = http_get(n.port(), "/chain");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().at("chain").as_array();
}

/// Registers `peer` on `on` and checks the tutorial's reply.
inline void register_peer(const node_process& on, const std::string& peer)
{
    const auto r = http_post_json(
        on.port(), "/register-node", boost::json::serialize(boost::json::object{{"address", peer}})
    );
    BOOST_TEST_REQUIRE(r.status == 201u, r.body);
}

inline std::string
submit(const node_process& n, const std::string& sender, const std::string& recipient, long long amount)
{
    const auto r = http_post_json(n.port(), "/create-transaction", tx_json(sender, recipient, amount));
    BOOST_TEST_REQUIRE(r.status == 201u, r.body);
    return std::string(r.json().at("transaction_id").as_string());
}

inline boost::json::object mine(const node_process& n)
{
    const auto r = http_get(n.port(), "/mine");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().at("block_data").as_object();
}

/// The entry for `address` in a node's /nodes list; empty when it is not listed (yet), so
/// wait_until can poll it, and `.at(...)` on it fails the test.
inline boost::json::object peer_entry(const node_process& n, const std::string& address)
{
    const boost::json::value listed = http_get(n.port(), "/nodes").json(); // alive while walked
    for (const auto& p : listed.at("nodes").as_array())
        if (p.at("address").as_string() == address)
            return p.as_object();
    return {};
}

inline boost::json::object status_of(const node_process& n)
{
    const auto r = http_get(n.port(), "/status");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    return r.json().as_object();
}

/// Runs beastchain-wallet with `args`.
inline run_result wallet(const std::vector<std::string>& args)
{
    return run_program(BEASTCHAIN_WALLET_BINARY, args, std::chrono::seconds(20));
}

/// `s` without its trailing line ends: a command's one-line output.
inline std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

/// Checks that every id in `ids` is in `chain` exactly once (the no-loss invariant).
inline void expect_each_exactly_once(const boost::json::array& chain, const std::vector<std::string>& ids)
{
    std::map<std::string, int> seen;
    for (const auto& b : chain)
        for (const auto& tx : b.at("transactions").as_array())
            ++seen[std::string(tx.at("transaction_id").as_string())];
    int missing = 0, duplicated = 0;
    for (const auto& id : ids) {
        const auto it = seen.find(id);
        const int n = it == seen.end() ? 0 : it->second;
        missing += n == 0;
        duplicated += n > 1;
    }
    BOOST_TEST_MESSAGE(
        ids.size() << " acknowledged transactions: " << missing << " missing, " << duplicated
                   << " duplicated, chain of " << chain.size() << " blocks"
    );
    BOOST_TEST(missing == 0);
    BOOST_TEST(duplicated == 0);
}

/// How many times `id` occurs in the chain's transactions.
inline int count_in_chain(const boost::json::array& chain, const std::string& id)
{
    int n = 0;
    for (const auto& b : chain)
        for (const auto& tx : b.at("transactions").as_array())
            n += tx.at("transaction_id").as_string() == id ? 1 : 0;
    return n;
}

} // namespace beastchain::test
