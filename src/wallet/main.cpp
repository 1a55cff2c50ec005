// beastchain-wallet: keys that never leave this machine, and questions to a node about transactions.
#include <beastchain/core/address.hpp>
#include <beastchain/core/transaction.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/net/tls.hpp>
#include <beastchain/wallet/key_file.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/program_options.hpp>

#include <iostream>

namespace po = boost::program_options;
namespace asio = boost::asio;
using namespace beastchain;

namespace {

constexpr const char* usage = R"(Usage: beastchain-wallet [--wallet FILE] [--node URL] COMMAND [ARG]

Commands:
  new        create a key in the wallet file (mode 0600; never overwrites) and print its address
  address    print the wallet's address
  tx ID      ask the node where transaction ID is (pending, confirmed or unknown)

)";

/// GET `target` from the node: the reply, or exit status 1 with the reason printed.
net::peer_result get(const std::string& node_url, const std::string& ca_file, const std::string& target)
{
    std::string why;
    auto url = net::parse_peer_url(node_url, why);
    if (!url)
        return {std::nullopt, "--node " + node_url + ": " + why};
    net::peer_limits limits;
    limits.max_response_bytes = 1024 * 1024;
    if (url->tls)
        limits.tls = net::make_client_tls(ca_file);
    asio::io_context ioc;
    auto done = asio::co_spawn(
        ioc, net::send_peer_request(*url, net::http::verb::get, target, {}, limits), asio::use_future
    );
    ioc.run();
    return done.get();
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
    if (command == "tx") {
        want_args(1);
        if (!core::is_valid_transaction_id(args[1]))
            throw po::error("tx: " + args[1] + " is not a transaction id (64 lower-case hex digits)");
        const auto node = vm["node"].as<std::string>();
        const auto res = get(node, vm["ca"].as<std::string>(), "/transactions/" + args[1]);
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
        ("ca", po::value<std::string>()->default_value(""), "PEM CAs for an https:// node (default: the system's)");
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
