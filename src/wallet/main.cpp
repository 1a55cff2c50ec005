// beastchain-wallet: keys that never leave this machine, and questions to a node about transactions.
#include <beastchain/core/address.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/net/tls.hpp>
#include <beastchain/wallet/key_file.hpp>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <charconv>
#include <iostream>

namespace po = boost::program_options;
using namespace beastchain;

namespace {

constexpr const char* usage = R"(Usage: beastchain-wallet [--wallet FILE] [--node URL] COMMAND [ARG]

Commands:
  new        create a key in the wallet file (mode 0600; never overwrites) and print its address
  address    print the wallet's address
  balance [ADDRESS]
             the balance, nonce and pending spends of ADDRESS (default: the wallet's)
  sign TO AMOUNT
             print a transaction paying AMOUNT to TO, signed, without sending it
  send TO AMOUNT
             sign it and submit it to the node; prints its id
  tx ID      ask the node where transaction ID is (pending, confirmed, conflicted or unknown)

sign and send ask the node for the chain id and the next nonce unless --chain-id and --nonce
give them; the key never leaves this machine, only the signed transaction does.

)";

/// Asks the node: the reply, or why there is none.
net::peer_result
ask(const std::string& node_url,
    const std::string& ca_file,
    net::http::verb method,
    const std::string& target,
    std::string body = {})
{
    std::string why;
    auto url = net::parse_peer_url(node_url, why);
    if (!url)
        return {std::nullopt, "--node " + node_url + ": " + why};
    net::peer_limits limits;
    limits.max_response_bytes = 1024 * 1024;
    if (url->tls)
        limits.tls = net::make_client_tls(ca_file);
    return net::send_peer_request_blocking(*url, method, target, std::move(body), limits);
}

std::uint64_t parse_amount(const std::string& what, const std::string& text, std::uint64_t min)
{
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > core::max_amount)
        throw po::error(
            what + " must be an integer from " + std::to_string(min) + " to " +
            std::to_string(core::max_amount)
        );
    return v;
}

/// The node's reply to GET `target` as JSON, or an exception naming what went wrong.
boost::json::value ask_json(const po::variables_map& vm, const std::string& target)
{
    const auto node = vm["node"].as<std::string>();
    const auto res = ask(node, vm["ca"].as<std::string>(), net::http::verb::get, target);
    if (!res.reply)
        throw std::runtime_error("cannot ask " + node + ": " + res.error);
    if (res.reply->status != 200)
        throw std::runtime_error(node + target + " answered " + res.reply->body);
    return boost::json::parse(res.reply->body);
}

/// A transaction from the wallet's key, signed for the node's chain (or --chain-id).
core::transaction
sign_payment(const po::variables_map& vm, const core::secret_key& key, const std::vector<std::string>& args)
{
    if (!core::public_key_from_address(args[1]))
        throw po::error(args[1] + " is not an address (bc..., 74 characters, checksummed)");
    const std::uint64_t amount = parse_amount("AMOUNT", args[2], 1);
    const std::uint64_t fee = parse_amount("--fee", vm["fee"].as<std::string>(), 0);
    std::string chain_id = vm.count("chain-id") ? vm["chain-id"].as<std::string>() : "";
    if (chain_id.empty()) {
        // The node names the chain: say which, since a signature is valid on that chain only.
        const boost::json::value st = ask_json(vm, "/status");
        chain_id = boost::json::value_to<std::string>(st.at("chain_id"));
        std::cerr << "signing for chain \"" << boost::json::value_to<std::string>(st.at("chain")) << "\" (id "
                  << chain_id << ")\n";
    }
    const auto id = core::hash_from_hex(chain_id);
    if (!id)
        throw po::error("--chain-id must be 64 hex digits");
    std::uint64_t nonce = 0;
    if (vm.count("nonce")) {
        nonce = parse_amount("--nonce", vm["nonce"].as<std::string>(), 0);
    } else {
        const std::string me = core::address_of(core::public_key_of(key));
        nonce = ask_json(vm, "/accounts/" + me).at("pending").at("next_nonce").to_number<std::uint64_t>();
    }
    return core::make_signed_transaction(key, args[1], amount, fee, nonce, *id);
}

int run(const po::variables_map& vm)
{
    const auto& args = vm["command"].as<std::vector<std::string>>();
    const std::string& command = args.front();
    // Only the commands that use the key need its file (and, without --wallet, HOME).
    const auto file = [&vm] {
        return vm.count("wallet") ? std::filesystem::path(vm["wallet"].as<std::string>())
                                  : wallet::default_key_file();
    };
    const auto want_args = [&](std::size_t n) {
        if (args.size() != n + 1)
            throw po::error(command + " takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
    };
    if (command == "new") {
        want_args(0);
        const auto key = wallet::create_key_file(file());
        std::cout << core::address_of(core::public_key_of(key)) << "\n";
        std::cerr << "created " << file().string() << " (mode 0600): keep a copy somewhere safe\n";
        return 0;
    }
    if (command == "address") {
        want_args(0);
        std::cout << core::address_of(core::public_key_of(wallet::read_key_file(file()))) << "\n";
        return 0;
    }
    if (command == "balance") {
        if (args.size() > 2)
            throw po::error("balance takes at most one argument");
        const std::string who =
            args.size() == 2 ? args[1] : core::address_of(core::public_key_of(wallet::read_key_file(file())));
        if (!core::public_key_from_address(who))
            throw po::error(who + " is not an address (bc..., 74 characters, checksummed)");
        std::cout << boost::json::serialize(ask_json(vm, "/accounts/" + who)) << "\n";
        return 0;
    }
    if (command == "sign" || command == "send") {
        want_args(2);
        const core::transaction tx = sign_payment(vm, wallet::read_key_file(file()), args);
        const std::string body = boost::json::serialize(boost::json::value_from(tx));
        if (command == "sign") {
            std::cout << body << "\n";
            return 0;
        }
        const auto node = vm["node"].as<std::string>();
        const auto res =
            ask(node, vm["ca"].as<std::string>(), net::http::verb::post, "/create-transaction", body);
        if (!res.reply) {
            // It may have arrived with only the reply lost: a second send would sign the next
            // nonce and pay twice. Name the transaction so the user can look before retrying.
            std::cerr << "beastchain-wallet: cannot send to " << node << ": " << res.error
                      << "\nthe transaction was " << tx.transaction_id
                      << "; check with `beastchain-wallet tx " << tx.transaction_id
                      << "` before sending again (or send with --nonce " << tx.nonce
                      << ", which the node refuses as a conflict if the first arrived)\n";
            return 1;
        }
        if (res.reply->status != 201) {
            std::cerr << "beastchain-wallet: " << node << " refused it: " << res.reply->body << "\n";
            return 1;
        }
        std::cout << tx.transaction_id << "\n";
        return 0;
    }
    if (command == "tx") {
        want_args(1);
        if (!core::is_valid_transaction_id(args[1]))
            throw po::error("tx: " + args[1] + " is not a transaction id (64 lower-case hex digits)");
        const auto node = vm["node"].as<std::string>();
        const auto res =
            ask(node, vm["ca"].as<std::string>(), net::http::verb::get, "/transactions/" + args[1]);
        if (!res.reply) {
            std::cerr << "beastchain-wallet: cannot ask " << node << ": " << res.error << "\n";
            return 1;
        }
        std::cout << res.reply->body << "\n";
        return res.reply->status == 200 ? 0 : 1;
    }
    throw po::error("unknown command " + command);
}

} // namespace

int main(int argc, char* argv[])
{
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("help,h", "show this help and exit")
        ("wallet", po::value<std::string>(), "key file (default: $HOME/.beastchain/wallet.json)")
        ("node", po::value<std::string>()->default_value("http://127.0.0.1:5000"), "the node to ask")
        ("ca", po::value<std::string>()->default_value(""), "PEM CAs for an https:// node (default: the system's)")
        ("fee", po::value<std::string>()->default_value("0"), "sign/send: the fee offered to the miner")
        ("nonce", po::value<std::string>(), "sign/send: the sender's nonce (default: the node's next)")
        ("chain-id", po::value<std::string>(), "sign/send: the chain's id (default: the node's /status)");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>());
    // clang-format on
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description positional;
    positional.add("command", -1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help") || !vm.count("command")) {
            std::cout << usage << desc;
            return vm.count("help") ? 0 : 2;
        }
        return run(vm);
    } catch (const po::error& e) {
        std::cerr << "beastchain-wallet: " << e.what() << " (see --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "beastchain-wallet: " << e.what() << "\n";
        return 1;
    }
}
