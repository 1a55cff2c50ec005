// Parses beastchain-bench's flags with Boost.Program_options.
#include "options.hpp"

#include <beastchain/net/tls.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace beastchain::bench {

namespace po = boost::program_options;

std::string_view to_string(scenario s) noexcept
{
    switch (s) {
    case scenario::transactions:
        return "transactions";
    case scenario::mixed:
        return "mixed";
    case scenario::chain:
        return "chain";
    case scenario::chain_while_mining:
        return "chain-while-mining";
    }
    return "?";
}

parsed_options parse_options(int argc, const char* const argv[])
{
    options o;
    std::vector<std::string> targets;
    std::string what = "transactions";
    std::string tls_ca;
    unsigned timeout_ms = static_cast<unsigned>(o.timeout.count());
    po::options_description desc(
        "beastchain-bench: fires concurrent requests at beastchain (or tutorial) nodes, reports latency,\n"
        "and with --verify proves every acknowledged transaction landed in the chain exactly once.\n\nOptions"
    );
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("target", po::value(&targets)->composing(),
            "node URL, http://host:port or https:// (repeatable: connections are spread over the targets)")
        ("tls-ca", po::value(&tls_ca), "PEM CAs that https:// targets are checked against (default: the system's)")
        ("new-connection-per-request", po::bool_switch(&o.new_connection_per_request),
            "close each connection after one reply: measures connects and TLS handshakes")
        ("connections,c", po::value(&o.connections)->default_value(o.connections), "keep-alive connections")
        ("rate,r", po::value(&o.rate)->default_value(o.rate),
            "open loop: requests per second, latency measured from each request's intended start "
            "(corrects coordinated omission); 0: closed loop, as fast as replies come")
        ("duration,d", po::value(&o.duration_seconds)->default_value(o.duration_seconds), "seconds of measured load")
        ("count,n", po::value<std::uint64_t>(), "send this many requests instead of running for --duration")
        ("warmup", po::value(&o.warmup_seconds)->default_value(o.warmup_seconds),
            "seconds of load before measuring (its transactions are still verified)")
        ("scenario", po::value(&what)->default_value(what), "transactions, mixed, chain or chain-while-mining")
        ("timeout-ms", po::value(&timeout_ms)->default_value(timeout_ms), "deadline per request")
        ("verify", po::bool_switch(&o.verify),
            "afterwards, mine until nothing is pending, read the chain(s) and count every acknowledged "
            "transaction: exit 1 if any is missing or duplicated")
        ("verify-no-mine", "during --verify, wait for the targets to mine instead of calling /mine")
        ("verify-timeout", po::value(&o.verify_timeout_seconds)->default_value(o.verify_timeout_seconds),
            "seconds --verify may take")
        ("signed", po::value(&o.signed_funder),
            "on a signed chain: post pre-signed transfers, one funded sender per connection; the value is "
            "the wallet key file the first target mines to (--mining-address), which funds them. Needs --count")
        ("json", po::value(&o.json_path), "also write the results as JSON to this file")
        ("progress", po::value<bool>(), "live progress line on stderr (default: when stderr is a terminal)");
    // clang-format on
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::ostringstream os;
            os << desc;
            return {std::nullopt, 0, os.str()};
        }
        po::notify(vm);
        if (targets.empty())
            throw po::error("at least one --target is required");
        for (const auto& t : targets) {
            std::string why;
            auto url = net::parse_peer_url(t, why);
            if (!url)
                throw po::error("--target " + t + ": " + why);
            o.targets.push_back(std::move(*url));
        }
        if (what == "transactions")
            o.what = scenario::transactions;
        else if (what == "mixed")
            o.what = scenario::mixed;
        else if (what == "chain")
            o.what = scenario::chain;
        else if (what == "chain-while-mining")
            o.what = scenario::chain_while_mining;
        else
            throw po::error("--scenario must be transactions, mixed, chain or chain-while-mining");
        const unsigned min_connections = o.what == scenario::mixed                ? 4
                                         : o.what == scenario::chain_while_mining ? 2
                                                                                  : 1;
        if (o.connections < min_connections || o.connections > 100'000)
            throw po::error(
                "--connections must be from " + std::to_string(min_connections) +
                " to 100000 for this scenario"
            );
        if (o.rate < 0 || o.duration_seconds <= 0 || o.warmup_seconds < 0 || o.verify_timeout_seconds <= 0)
            throw po::error("--rate and --warmup must be >= 0, --duration and --verify-timeout > 0");
        if (vm.count("count")) {
            o.count = vm["count"].as<std::uint64_t>();
            if (*o.count == 0)
                throw po::error("--count must be at least 1");
        }
        if (timeout_ms < 1)
            throw po::error("--timeout-ms must be at least 1");
        o.timeout = std::chrono::milliseconds(timeout_ms);
        o.verify_mine = vm.count("verify-no-mine") == 0;
        if (vm.count("progress"))
            o.progress = vm["progress"].as<bool>();
        if (!tls_ca.empty() ||
            std::any_of(o.targets.begin(), o.targets.end(), [](const auto& t) { return t.tls; })) {
            try {
                o.tls = net::make_client_tls(tls_ca);
            } catch (const std::runtime_error& e) {
                throw po::error(e.what());
            }
        }
        o.signed_txs = !o.signed_funder.empty();
        if (o.signed_txs && (!o.count || o.warmup_seconds > 0 || o.what != scenario::transactions))
            throw po::error("--signed needs --count, no --warmup and the transactions scenario");
        if (o.verify && o.what == scenario::chain)
            throw po::error("--verify needs a scenario that posts transactions");
    } catch (const po::error& e) {
        return {std::nullopt, 2, std::string("beastchain-bench: ") + e.what() + " (see --help)\n"};
    }
    return {std::move(o), 0, {}};
}

} // namespace beastchain::bench
