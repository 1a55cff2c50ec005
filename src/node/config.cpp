// Command-line flags: the tutorial's -H/--host and -p/--port plus the node's own settings.
#include <beastchain/core/address.hpp>
#include <beastchain/json/chain_spec.hpp>
#include <beastchain/node/chain_choice.hpp>
#include <beastchain/node/config.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

namespace beastchain::node {
namespace po = boost::program_options;

namespace {

template <class T> void require_range(const char* name, T value, T min, T max)
{
    if (value < min || value > max) {
        std::ostringstream os;
        os << "--" << name << " must be from " << min << " to " << max << " (got " << value << ")";
        throw po::error(os.str());
    }
}

std::optional<log::level> parse_level(const std::string& s)
{
    if (s == "debug")
        return log::level::debug;
    if (s == "info")
        return log::level::info;
    if (s == "warning")
        return log::level::warning;
    if (s == "error")
        return log::level::error;
    return std::nullopt;
}

} // namespace

std::string to_config_file(const config& c)
{
    static constexpr const char* levels[] = {"debug", "info", "warning", "error"};
    std::ostringstream os;
    os << "# effective beastchain-node configuration\n"
       << "host = " << c.host << "\n"
       << "port = " << c.port << "\n"
       << "chain = " << c.chain_arg << "\n"
       << "data-dir = " << c.data_dir << "\n"
       << "in-memory = " << (c.in_memory ? "true" : "false") << "\n"
       << "reverify = " << (c.reverify ? "true" : "false") << "\n"
       << (c.consensus.asert ? "# difficulty: set by the chain (asert)\n"
                             : "difficulty = " + std::to_string(c.difficulty) +
                                   "\n"
                                   "min-difficulty = " +
                                   std::to_string(c.consensus.min_difficulty) + "\n")
       << "miner-threads = " << c.miner_threads << "\n"
       << "mine = " << (c.mine ? "true" : "false") << "\n"
       << "io-threads = " << c.io_threads << "\n"
       << "max-block-transactions = " << c.consensus.max_block_transactions << "\n"
       << "max-pending = " << c.max_pending << "\n"
       << "max-peers = " << c.max_peers << "\n"
       << "max-body-bytes = " << c.server.body_limit << "\n"
       << "max-header-bytes = " << c.server.header_limit << "\n"
       << "header-timeout-ms = " << c.server.header_timeout.count() << "\n"
       << "body-timeout-ms = " << c.server.body_timeout.count() << "\n"
       << "idle-timeout-ms = " << c.server.idle_timeout.count() << "\n"
       << "max-connections = " << c.server.max_connections << "\n"
       << "max-connections-per-ip = " << c.server.per_source.max_connections_per_source << "\n"
       << "write-rate = " << c.server.per_source.write_rate << "\n"
       << "write-burst = " << c.server.per_source.write_burst << "\n"
       << "limit-loopback = " << (c.server.per_source.limit_loopback ? "true" : "false") << "\n"
       << "max-json-depth = " << c.max_json_depth << "\n"
       << "peer-connect-timeout-ms = " << c.peer.connect_timeout.count() << "\n"
       << "peer-response-timeout-ms = " << c.peer.response_timeout.count() << "\n"
       << "max-peer-response-bytes = " << c.peer.max_response_bytes << "\n"
       << "peer-download-timeout-ms = " << c.peer_download_timeout.count() << "\n"
       << "sync-round-bytes = " << c.sync_round_bytes << "\n"
       << "log-level = " << levels[static_cast<int>(c.log_level)] << "\n"
       << "access-log = " << (c.access_log ? "true" : "false") << "\n"
       << "sync-interval = " << c.sync_interval_seconds << "\n"
       << "ban-seconds = " << c.ban_seconds << "\n"
       << "relay-queue = " << c.relay_queue << "\n";
    if (c.storage_max_record_bytes != 0)
        os << "storage-max-record-bytes = " << c.storage_max_record_bytes << "\n";
    if (!c.advertise_url.empty())
        os << "advertise-url = " << c.advertise_url << "\n";
    if (!c.mining_address.empty())
        os << "mining-address = " << c.mining_address << "\n";
    if (!c.auth_token_file.empty())
        os << "auth-token-file = " << c.auth_token_file << "\n";
    for (const auto& h : c.allow_hosts)
        os << "allow-host = " << h << "\n";
    for (const auto& [key, value] :
         {std::pair{"tls-cert", &c.tls_cert}, {"tls-key", &c.tls_key}, {"tls-ca", &c.tls_ca}})
        if (!value->empty())
            os << key << " = " << *value << "\n";
    os << "allow-private-peers = " << (c.allow_private_peers ? "true" : "false") << "\n";
    for (const auto& p : c.bootstrap_peers)
        os << "peer = " << p << "\n";
    return os.str();
}

parse_outcome parse_command_line(int argc, const char* const argv[])
{
    config cfg;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    unsigned port = cfg.port;
    // One core stays with the I/O threads: with a miner on every core, /chain's p99 on 2 cores
    // was 5.4 ms against 2.1 ms with one core left (docs/performance.md), and neither niceness
    // nor SCHED_IDLE won that back. The cost is hash rate: on an ASERT chain the difficulty
    // follows it; at the tutorial chain's fixed difficulty a block takes longer to find.
    unsigned miner_threads = std::max(1u, cores - 1);
    unsigned io_threads = cores;
    std::optional<unsigned> min_difficulty;
    unsigned max_block_txs = static_cast<unsigned>(cfg.consensus.max_block_transactions);
    std::size_t max_body = cfg.server.body_limit;
    unsigned peer_connect_ms = static_cast<unsigned>(cfg.peer.connect_timeout.count());
    unsigned peer_response_ms = static_cast<unsigned>(cfg.peer.response_timeout.count());
    unsigned peer_download_ms = static_cast<unsigned>(cfg.peer_download_timeout.count());
    std::string level = "info";
    std::size_t max_header = cfg.server.header_limit;
    unsigned header_ms = static_cast<unsigned>(cfg.server.header_timeout.count());
    unsigned body_ms = static_cast<unsigned>(cfg.server.body_timeout.count());
    unsigned idle_ms = static_cast<unsigned>(cfg.server.idle_timeout.count());

    po::options_description desc("beastchain-node options");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("host,H", po::value(&cfg.host)->default_value(cfg.host), "address to listen on")
        ("port,p", po::value(&port)->default_value(port), "port to listen on (0 picks a free one)")
        ("chain", po::value(&cfg.chain_arg)->default_value(cfg.chain_arg),
            "the network: a built-in chain (tutorial) or a chain spec file (see --print-chain-spec)")
        ("print-chain-spec", "print the effective chain spec as JSON that --chain FILE accepts, and exit")
        ("difficulty", po::value(&cfg.difficulty)->default_value(cfg.difficulty),
            "leading zero bits of the block hash this node mines at (1-64; default: the chain's minimum)")
        ("min-difficulty", po::value<unsigned>(),
            "lowest difficulty valid in blocks (default: the chain's; on the tutorial chain, --difficulty)")
        ("miner-threads", po::value(&miner_threads)->default_value(miner_threads), "proof-of-work worker threads (default: cores - 1, at least 1)")
        ("mine", po::bool_switch(&cfg.mine),
            "mine without pause, one block after another (GET /mine callers still get their own blocks)")
        ("mining-address", po::value(&cfg.mining_address),
            "where block rewards go (default: the node's own address, node_address in /status)")
        ("io-threads", po::value(&io_threads)->default_value(io_threads),
            "threads serving connections and peers (each connection runs on one at a time)")
        ("max-block-transactions", po::value(&max_block_txs)->default_value(max_block_txs),
            "transactions per block, the reward included")
        ("max-pending", po::value(&cfg.max_pending)->default_value(cfg.max_pending),
            "pending transactions kept before /create-transaction answers 503")
        ("max-peers", po::value(&cfg.max_peers)->default_value(cfg.max_peers), "registered peers at most")
        ("max-body-bytes", po::value(&max_body)->default_value(max_body), "largest request body accepted")
        ("peer-connect-timeout-ms", po::value(&peer_connect_ms)->default_value(peer_connect_ms),
            "deadline to reach a peer")
        ("peer-response-timeout-ms", po::value(&peer_response_ms)->default_value(peer_response_ms),
            "deadline for a peer's whole reply")
        ("peer-download-timeout-ms", po::value(&peer_download_ms)->default_value(peer_download_ms),
            "deadline for one sync download from a peer; blocks that arrived by then are kept")
        ("sync-round-bytes", po::value(&cfg.sync_round_bytes)->default_value(cfg.sync_round_bytes),
            "reply bytes one sync round reads from all peers together; the next round carries on")
        ("max-peer-response-bytes", po::value(&cfg.peer.max_response_bytes)->default_value(cfg.peer.max_response_bytes),
            "largest reply read from a peer")
        ("log-level", po::value(&level)->default_value(level), "debug, info, warning or error")
        ("data-dir", po::value(&cfg.data_dir),
            "data directory, created if missing (default: ./beastchain-data on port 5000, ./beastchain-data-PORT on others)")
        ("in-memory", po::bool_switch(&cfg.in_memory), "keep no data on disk; everything is lost on exit")
        ("reverify", po::bool_switch(&cfg.reverify), "re-validate every stored block at start-up")
        ("access-log", po::value(&cfg.access_log)->default_value(cfg.access_log), "log one line per request (true/false)")
        ("max-header-bytes", po::value(&max_header)->default_value(max_header), "largest request line plus headers")
        ("header-timeout-ms", po::value(&header_ms)->default_value(header_ms),
            "deadline from a request's first byte to the end of its headers")
        ("body-timeout-ms", po::value(&body_ms)->default_value(body_ms), "deadline for a request body")
        ("idle-timeout-ms", po::value(&idle_ms)->default_value(idle_ms), "keep-alive idle time before closing")
        ("max-connections", po::value(&cfg.server.max_connections)->default_value(cfg.server.max_connections),
            "open connections at most; more get 503")
        ("max-connections-per-ip", po::value(&cfg.server.per_source.max_connections_per_source)
            ->default_value(cfg.server.per_source.max_connections_per_source),
            "open connections one address (an IPv6 /64) may hold; more get 429 (0: no cap)")
        ("write-rate", po::value(&cfg.server.per_source.write_rate)->default_value(cfg.server.per_source.write_rate),
            "POSTs, /mine and /sync-chain per second per address; beyond it 429 with Retry-After (0: no limit)")
        ("write-burst", po::value(&cfg.server.per_source.write_burst)->default_value(cfg.server.per_source.write_burst),
            "writes one address may send at once before --write-rate applies")
        ("limit-loopback", po::bool_switch(&cfg.server.per_source.limit_loopback),
            "apply the per-address limits to loopback clients too (exempt by default)")
        ("max-json-depth", po::value(&cfg.max_json_depth)->default_value(cfg.max_json_depth), "deepest JSON nesting accepted")
        ("peer", po::value<std::vector<std::string>>(), "a peer to join at start (http://host:port or https://; repeatable)")
        ("advertise-url", po::value(&cfg.advertise_url),
            "the address announced to peers (default http(s)://HOST:PORT; 'none': announce nothing)")
        ("sync-interval", po::value(&cfg.sync_interval_seconds)->default_value(cfg.sync_interval_seconds),
            "seconds between background syncs with all peers (0: off)")
        ("ban-seconds", po::value(&cfg.ban_seconds)->default_value(cfg.ban_seconds),
            "how long a peer that served invalid blocks is ignored")
        ("relay-queue", po::value(&cfg.relay_queue)->default_value(cfg.relay_queue),
            "transactions queued for relay per peer before the oldest are dropped")
        ("auth-token-file", po::value(&cfg.auth_token_file),
            "file holding the operator token every client must send on operator routes "
            "(default: loopback needs none; other hosts need the one in <data-dir>/.cookie)")
        ("allow-host", po::value(&cfg.allow_hosts)->composing(),
            "a host name a loopback-only node answers to besides IP literals and localhost (repeatable)")
        ("tls-cert", po::value(&cfg.tls_cert),
            "PEM certificate chain: serve HTTPS (plain HTTP stays open to loopback only; reloaded on SIGHUP)")
        ("tls-key", po::value(&cfg.tls_key), "PEM private key for --tls-cert (no passphrase)")
        ("tls-ca", po::value(&cfg.tls_ca), "PEM CAs that https:// peers are checked against (default: the system's)")
        ("allow-private-peers", po::bool_switch(&cfg.allow_private_peers),
            "admit peers that announce private, loopback or link-local addresses from public ones")
        ("config", po::value<std::string>(), "INI file with any of these options (key = value)")
        ("print-config", "print the effective configuration and exit");
    // Test and tuning knobs: accepted from every source, but kept out of --help.
    po::options_description hidden("test and tuning");
    hidden.add_options()
        ("storage-max-record-bytes", po::value(&cfg.storage_max_record_bytes)->default_value(0),
            "largest storage record written or read (0: enough for the largest valid block)")
        ("fail-point", po::value(&cfg.fail_point), "test only: make the named internal step throw once")
        ("test-public-clients", po::bool_switch(&cfg.test_public_clients),
            "test only: treat every client as a public address (peer admission rules)");
    // clang-format on
    po::options_description all;
    all.add(desc).add(hidden);

    try {
        // Precedence: the first source to set a key wins, so store command line, then
        // environment (BEASTCHAIN_MINER_THREADS -> miner-threads), then the config file.
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
        const auto env_key = [&all](const std::string& var) -> std::string {
            static const std::string prefix = "BEASTCHAIN_";
            if (var.rfind(prefix, 0) != 0)
                return {};
            std::string key = var.substr(prefix.size());
            std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
                return c == '_' ? '-' : static_cast<char>(std::tolower(c));
            });
            if (all.find_nothrow(key, false) == nullptr || key == "help" || key == "version" ||
                key == "print-config" || key == "print-chain-spec")
                throw po::error("unknown environment variable " + var);
            return key;
        };
        po::store(po::parse_environment(all, env_key), vm);
        if (vm.count("config")) {
            const std::string path = vm["config"].as<std::string>();
            std::ifstream file(path);
            if (!file)
                throw po::error("cannot read config file " + path);
            try {
                po::store(po::parse_config_file(file, all, false), vm);
            } catch (const po::error& e) {
                throw po::error(std::string(e.what()) + " in " + path);
            }
        }
        if (vm.count("help")) {
            std::ostringstream os;
            os << "Usage: beastchain-node [options]\n\n" << desc;
            return {std::nullopt, 0, os.str()};
        }
        if (vm.count("version"))
            return {std::nullopt, 0, "beastchain-node " + std::string(version) + "\n"};
        po::notify(vm);
        if (vm.count("min-difficulty"))
            min_difficulty = vm["min-difficulty"].as<unsigned>();

        require_range("port", port, 0u, 65535u);
        require_range("difficulty", cfg.difficulty, 1u, core::max_difficulty);
        require_range("miner-threads", miner_threads, 1u, 256u);
        require_range("io-threads", io_threads, 1u, 256u);
        require_range("max-block-transactions", max_block_txs, 2u, 100'000u);
        require_range<std::size_t>("max-pending", cfg.max_pending, 1, 10'000'000);
        require_range<std::size_t>("max-peers", cfg.max_peers, 1, 10'000);
        require_range<std::size_t>("max-body-bytes", max_body, 1024, 64 * 1024 * 1024);
        require_range("peer-connect-timeout-ms", peer_connect_ms, 10u, 600'000u);
        require_range("peer-response-timeout-ms", peer_response_ms, 10u, 3'600'000u);
        require_range("peer-download-timeout-ms", peer_download_ms, 10u, 86'400'000u);
        require_range<std::uint64_t>(
            "sync-round-bytes", cfg.sync_round_bytes, 64 * 1024, std::uint64_t{1} << 40
        );
        require_range<std::size_t>(
            "max-peer-response-bytes", cfg.peer.max_response_bytes, 1024, std::size_t{4} * 1024 * 1024 * 1024
        );
        require_range<std::size_t>("max-header-bytes", max_header, 1024, 1024 * 1024);
        require_range("header-timeout-ms", header_ms, 10u, 600'000u);
        require_range("body-timeout-ms", body_ms, 10u, 3'600'000u);
        require_range("idle-timeout-ms", idle_ms, 10u, 3'600'000u);
        require_range<std::size_t>("max-connections", cfg.server.max_connections, 1, 1'000'000);
        require_range<std::size_t>("max-json-depth", cfg.max_json_depth, 4, 1024);
        require_range<std::size_t>(
            "max-connections-per-ip", cfg.server.per_source.max_connections_per_source, 0, 1'000'000
        );
        require_range("write-rate", cfg.server.per_source.write_rate, 0.0, 1e9);
        require_range("write-burst", cfg.server.per_source.write_burst, 1.0, 1e9);
        require_range("sync-interval", cfg.sync_interval_seconds, 0u, 86'400u);
        require_range("ban-seconds", cfg.ban_seconds, 0u, 30u * 86'400u);
        require_range<std::size_t>("relay-queue", cfg.relay_queue, 1, 10'000'000);
        if (cfg.storage_max_record_bytes != 0)
            require_range<std::uint32_t>(
                "storage-max-record-bytes", cfg.storage_max_record_bytes, 1024, 0xFFFF'FFFFu
            );
        if (vm.count("peer"))
            for (const auto& text : vm["peer"].as<std::vector<std::string>>()) {
                std::string why;
                const auto url = net::parse_peer_url(text, why);
                if (!url)
                    throw po::error("--peer " + text + ": " + why);
                cfg.bootstrap_peers.push_back(url->normalized);
            }
        if (!cfg.advertise_url.empty() && cfg.advertise_url != "none") {
            std::string why;
            const auto url = net::parse_peer_url(cfg.advertise_url, why);
            if (!url)
                throw po::error("--advertise-url " + cfg.advertise_url + ": " + why);
            cfg.advertise_url = url->normalized;
        }
        if (!cfg.auth_token_file.empty()) {
            std::ifstream file(cfg.auth_token_file);
            std::getline(file, cfg.auth_token);
            while (!cfg.auth_token.empty() && std::isspace(static_cast<unsigned char>(cfg.auth_token.back())))
                cfg.auth_token.pop_back();
            // Short tokens fall to guessing; the cookie's are 64 hex digits.
            if (!file.good() && !file.eof())
                throw po::error("cannot read --auth-token-file " + cfg.auth_token_file);
            if (cfg.auth_token.size() < 16 || cfg.auth_token.size() > 1024 ||
                !std::all_of(cfg.auth_token.begin(), cfg.auth_token.end(), [](unsigned char c) {
                    return std::isgraph(c);
                }))
                throw po::error(
                    "--auth-token-file " + cfg.auth_token_file +
                    " must hold one token of 16 to 1024 printable characters on its first line"
                );
        }
        if (cfg.tls_cert.empty() != cfg.tls_key.empty())
            throw po::error("--tls-cert and --tls-key go together");
        for (auto& h : cfg.allow_hosts) {
            std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
            // Compared with the Host header's name, port stripped: a port here would never match.
            if (h.empty() || h.find_first_of(":/[] ") != std::string::npos)
                throw po::error("--allow-host " + h + ": give a host name without scheme or port");
        }
        const auto lvl = parse_level(level);
        if (!lvl)
            throw po::error("--log-level must be debug, info, warning or error");
        if (min_difficulty)
            require_range("min-difficulty", *min_difficulty, 1u, core::max_difficulty);
        if (!cfg.mining_address.empty())
            if (auto ok = core::check_address(
                    cfg.mining_address, core::reject_reason::bad_recipient, "mining-address"
                );
                !ok)
                throw po::error("--" + ok.detail);
        chain_overrides given;
        if (!vm["difficulty"].defaulted())
            given.difficulty = cfg.difficulty;
        given.min_difficulty = min_difficulty;
        if (!vm["max-block-transactions"].defaulted())
            given.max_block_transactions = max_block_txs;
        try {
            const chain_choice chosen = choose_chain(cfg.chain_arg, given);
            cfg.chain = chosen.spec;
            cfg.difficulty = chosen.difficulty;
        } catch (const std::runtime_error& e) {
            throw po::error(e.what());
        }
        if (vm.count("print-chain-spec"))
            return {std::nullopt, 0, json::chain_spec_to_json(cfg.chain)};

        cfg.port = static_cast<std::uint16_t>(port);
        if (cfg.data_dir.empty()) {
            cfg.data_dir_defaulted = true;
            cfg.data_dir = default_data_dir(cfg.port); // for port 0, app picks it again once bound
        }
        cfg.miner_threads = miner_threads;
        cfg.io_threads = io_threads;
        cfg.consensus = core::consensus_of(cfg.chain);
        if (!cfg.mining_address.empty() && cfg.consensus.signed_transactions &&
            !core::public_key_from_address(cfg.mining_address))
            throw po::error("--mining-address must be an address (bc..., 74 characters) on a signed chain");
        cfg.server.body_limit = max_body;
        cfg.peer.connect_timeout = std::chrono::milliseconds(peer_connect_ms);
        cfg.peer.response_timeout = std::chrono::milliseconds(peer_response_ms);
        cfg.peer_download_timeout = std::chrono::milliseconds(peer_download_ms);
        cfg.log_level = *lvl;
        cfg.server.header_limit = max_header;
        cfg.server.header_timeout = std::chrono::milliseconds(header_ms);
        cfg.server.body_timeout = std::chrono::milliseconds(body_ms);
        cfg.server.idle_timeout = std::chrono::milliseconds(idle_ms);
        if (vm.count("print-config"))
            return {std::nullopt, 0, to_config_file(cfg)};
    } catch (const po::error& e) {
        return {std::nullopt, 2, std::string("beastchain-node: ") + e.what() + " (see --help)\n"};
    }
    return {std::move(cfg), 0, {}};
}

std::string default_data_dir(std::uint16_t port)
{
    return port == 5000 ? std::string("./beastchain-data") : "./beastchain-data-" + std::to_string(port);
}

} // namespace beastchain::node
