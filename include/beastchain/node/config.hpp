// Node configuration and its command-line parser (Boost.Program_options).
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/core/chain_spec.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/net/server.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace beastchain::node {

inline constexpr std::string_view version = "0.1.0";

struct config
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 5000;
    /// `--chain` as given: a built-in chain's name or a spec file.
    std::string chain_arg = "tutorial";
    /// The effective chain spec (node settings applied); `consensus` is derived from it.
    core::chain_spec chain;
    /// Leading zero bits this node mines at. The default takes tens of milliseconds on one core.
    std::uint32_t difficulty = 20;
    unsigned miner_threads = 1;
    /// `--mine`: search for blocks without pause, as a miner does, not only for /mine callers.
    bool mine = false;
    /// Where block rewards go; empty: the node's own address (`node_address` in /status).
    std::string mining_address;
    /// Threads running the io_context: sessions, peer sockets and the chain strand's steps.
    unsigned io_threads = 1;
    std::size_t max_pending = 100'000;
    std::size_t max_peers = 64;
    /// A peer's /chain reply may hold at most this many blocks.
    std::size_t max_peer_chain_blocks = 1'000'000;
    core::consensus_params consensus;
    net::server_limits server;
    net::peer_limits peer;
    log::level log_level = log::level::info;
    /// Where the chain, pending transactions, peers and node address live.
    /// Empty until parsed: without --data-dir it becomes default_data_dir(port) once the port is
    /// bound, so nodes started from one folder with only -p each get their own directory.
    std::string data_dir;
    bool data_dir_defaulted = false; ///< no --data-dir (flag, config file or environment) was given
    /// Keep everything in memory (nothing survives a restart): for quick experiments.
    bool in_memory = false;
    /// Re-check every stored block's hash and proof of work at start-up instead of trusting the checksummed
    /// log.
    bool reverify = false;
    /// One log line per request: method, path, status, bytes, duration.
    bool access_log = true;
    /// Deepest JSON nesting accepted in request bodies and peer replies.
    std::size_t max_json_depth = 32;
    /// Largest storage record written or read; 0: enough for the largest valid block. A test and
    /// tuning knob (`--storage-max-record-bytes`), not listed by --help.
    std::uint32_t storage_max_record_bytes = 0;
    /// Test only (`--fail-point NAME`, not listed by --help): makes the named internal step throw
    /// once, so tests can show a failure there costs one request, not the node. See sync_service.cpp
    /// (hit_fail_point).
    std::string fail_point;

    // ---- peer network ------------------------------------------------------------------
    /// Peers registered (and announced to) at start, normalized `http://host:port`.
    std::vector<std::string> bootstrap_peers;
    /// The address this node announces to peers; empty: `http://HOST:PORT` of the listener;
    /// "none": announce nothing (a node peers cannot reach still syncs and relays outward).
    std::string advertise_url;
    /// Seconds between background syncs with every peer; 0 turns them off.
    unsigned sync_interval_seconds = 30;
    /// The whole download from one peer in a sync round; what arrived by then is still used and
    /// the next round carries on, so a slow peer delays a round but cannot hold it.
    std::chrono::milliseconds peer_download_timeout{120'000};
    /// Reply bytes one sync round reads from all its peers together; like the deadline, what
    /// arrived is used and the next round carries on from the new tip.
    std::uint64_t sync_round_bytes = 256ULL * 1024 * 1024;
    /// How long a peer that served invalid blocks is ignored.
    unsigned ban_seconds = 600;
    /// Transactions queued for relay to one peer at most; the oldest are dropped beyond it
    /// (they still reach the peer inside a block).
    std::size_t relay_queue = 10'000;

    // ---- access ------------------------------------------------------------------------
    /// File holding the operator's bearer token (`--auth-token-file`); when set, every client
    /// needs it on operator routes, loopback included. Empty: a node listening beyond loopback
    /// writes a fresh token to <data-dir>/.cookie at each start and asks it of other hosts.
    std::string auth_token_file;
    /// The token read from auth_token_file (never printed or logged).
    std::string auth_token;
    /// Host names accepted in `Host` on a loopback listener, besides IP literals and localhost.
    std::vector<std::string> allow_hosts;
    /// PEM certificate chain and key (`--tls-cert`, `--tls-key`): the port then serves HTTPS, and
    /// plain HTTP to loopback clients only. Both or neither; reloaded on SIGHUP.
    std::string tls_cert;
    std::string tls_key;
    /// CAs that https:// peers are checked against (`--tls-ca`); empty: the system's.
    std::string tls_ca;
    /// Admit announced peers at private, loopback or link-local addresses from public sources.
    bool allow_private_peers = false;
    /// Test only (`--test-public-clients`, not listed by --help): treat every client as a public
    /// address, so tests on loopback reach the rules for announcements from the internet.
    bool test_public_clients = false;
};

/// The configuration as a file `--config` accepts (used by --print-config).
std::string to_config_file(const config& c);

/// What parsing produced: a configuration to run, or an exit code with text for the user
/// (help and version exit 0 on stdout; errors exit 2 with one line on stderr).
struct parse_outcome
{
    std::optional<config> cfg;
    int exit_code = 0;
    std::string message;
};

/// Parses the command line, then `BEASTCHAIN_*` environment variables, then the file named by
/// `--config`; a key set by an earlier source wins. Unknown keys and bad values exit 2.
parse_outcome parse_command_line(int argc, const char* const argv[]);

/// The data directory of a node on `port` started without --data-dir: ./beastchain-data for the
/// tutorial's default port 5000 (where earlier versions kept every node's data) and
/// ./beastchain-data-PORT for any other.
std::string default_data_dir(std::uint16_t port);

} // namespace beastchain::node
