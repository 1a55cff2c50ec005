// beastchain-bench's command line: targets, load shape, verification and output.
#pragma once

#include <beastchain/net/peer_url.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace beastchain::bench {

enum class scenario
{
    transactions,      ///< every connection posts transactions
    mixed,             ///< one connection mines in a loop, one reads /chain, one /status, the rest post
    chain,             ///< every connection reads /chain
    chain_while_mining ///< one connection mines in a loop, the rest read /chain
};

struct options
{
    std::vector<net::peer_url> targets;
    unsigned connections = 16;
    double rate = 0; ///< requests per second across all posting connections; 0: closed loop
    double duration_seconds = 10;
    std::optional<std::uint64_t> count; ///< stop after this many posting requests instead
    double warmup_seconds = 0;
    scenario what = scenario::transactions;
    std::chrono::milliseconds timeout{10'000};
    bool verify = false;
    bool verify_mine = true; ///< mine pending transactions during --verify (else wait for the targets)
    double verify_timeout_seconds = 1800;
    std::string json_path;
    std::optional<bool> progress; ///< default: when stderr is a terminal
    /// Close each connection after one reply, so every request pays a connect (and for https
    /// targets a TLS handshake): measures connection setup rather than keep-alive service.
    bool new_connection_per_request = false;
    /// --signed: post transfers signed in advance from one funded sender per connection; the
    /// wallet key file of the address the first target mines to.
    bool signed_txs = false;
    std::string signed_funder;
    /// Filled before the load by prepare_signed: each connection's bodies in nonce order.
    std::shared_ptr<const std::vector<std::vector<std::string>>> signed_bodies;
    /// For https:// targets: the CAs they are verified against (--tls-ca; default the system's).
    std::shared_ptr<boost::asio::ssl::context> tls;
};

/// Options, or an exit code and text (help: 0 on stdout; errors: 2 on stderr).
struct parsed_options
{
    std::optional<options> opts;
    int exit_code = 0;
    std::string message;
};

parsed_options parse_options(int argc, const char* const argv[]);

std::string_view to_string(scenario s) noexcept;

} // namespace beastchain::bench
