// beastchain-gen-chain: writes a data directory holding a valid N-block chain, for start-up and load
// benchmarks.
#include <beastchain/json/chain_spec.hpp>

#include <boost/program_options.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

#include "chain_writer.hpp"

using namespace beastchain;

int main(int argc, char* argv[])
{
    namespace po = boost::program_options;
    std::string dir;
    std::size_t blocks = 100'000, txs_per_block = 1;
    std::uint32_t difficulty = 1;
    bool signed_chain = false;
    po::options_description desc("beastchain-gen-chain: build a data directory with a mined chain");
    desc.add_options()("help", "show help")("data-dir", po::value(&dir)->required(), "directory to create")(
        "blocks", po::value(&blocks)->default_value(blocks), "blocks after genesis"
    )("transactions-per-block",
      po::value(&txs_per_block)->default_value(txs_per_block),
      "client transactions per block"
    )("difficulty",
      po::value(&difficulty)->default_value(difficulty),
      "difficulty to mine at (start the node with it)"
    )("signed", "a signed chain: writes DIR/chain-spec.json too; start the node with --chain on it");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc;
            return 0;
        }
        po::notify(vm);
        signed_chain = vm.count("signed") > 0;
    } catch (const po::error& e) {
        std::cerr << "beastchain-gen-chain: " << e.what() << "\n";
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    try {
        const bench::chain_spec spec{blocks, txs_per_block, difficulty, signed_chain};
        bench::write_chain(dir, spec);
        if (signed_chain)
            std::ofstream(std::filesystem::path(dir) / "chain-spec.json")
                << json::chain_spec_to_json(bench::signed_bench_spec(spec)) << "\n";
    } catch (const std::exception& e) {
        std::cerr << "beastchain-gen-chain: " << e.what() << "\n";
        return 1;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "wrote " << blocks << " blocks (" << txs_per_block << " transactions each) to " << dir
              << " in " << s << " s; start the node with --difficulty " << difficulty << "\n";
    return 0;
}
