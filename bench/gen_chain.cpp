// beastchain-gen-chain: writes a data directory holding a valid N-block chain, for start-up and load
// benchmarks.
#include <beastchain/core/ledger.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/program_options.hpp>

#include <chrono>
#include <future>
#include <iostream>

using namespace beastchain;

int main(int argc, char* argv[])
{
    namespace po = boost::program_options;
    std::string dir;
    std::size_t blocks = 100'000, txs_per_block = 1;
    std::uint32_t difficulty = 1;
    po::options_description desc("beastchain-gen-chain: build a data directory with a mined chain");
    desc.add_options()("help", "show help")("data-dir", po::value(&dir)->required(), "directory to create")(
        "blocks", po::value(&blocks)->default_value(blocks), "blocks after genesis"
    )("transactions-per-block",
      po::value(&txs_per_block)->default_value(txs_per_block),
      "client transactions per block"
    )("difficulty",
      po::value(&difficulty)->default_value(difficulty),
      "difficulty to mine at (start the node with it)");
    try {
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc;
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "beastchain-gen-chain: " << e.what() << "\n";
        return 2;
    }

    core::consensus_params params;
    params.min_difficulty = difficulty;
    params.max_block_transactions = txs_per_block + 1;
    core::ledger ledger(params, 1'000'000);
    storage::store store(dir);
    if (!store.take_loaded().empty()) {
        std::cerr << "beastchain-gen-chain: " << dir << " is not empty\n";
        return 2;
    }
    const std::string address = core::make_uuid_hex();
    storage::record id;
    id.type = storage::record_type::node_identity;
    id.text = address;
    store.append(id);

    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t now = core::genesis_block().timestamp_ms;
    std::uint64_t last = 0;
    for (std::size_t i = 0; i < blocks; ++i) {
        for (std::size_t t = 0; t < txs_per_block; ++t) {
            core::transaction tx{core::make_uuid_hex(), "sender", "recipient", t + 1};
            storage::record r;
            r.type = storage::record_type::transaction_accepted;
            r.tx = tx;
            ledger.accept_transaction(tx);
            store.append(r);
        }
        now += 1000;
        core::block b = ledger.make_block_template(address, difficulty, now);
        std::atomic<bool> stop{false};
        b.proof = core::pow_search(b).search(0, 1, stop).value();
        const auto hash = core::block_hash(b);
        storage::record r;
        r.type = storage::record_type::block_connected;
        r.blocks.push_back({b, hash});
        if (auto v = ledger.connect_block(std::move(b), now); !v) {
            std::cerr << "generated an invalid block: " << v.detail << "\n";
            return 1;
        }
        last = store.append(r);
    }
    std::promise<bool> done;
    store.when_durable(last, [&done](bool ok) { done.set_value(ok); });
    if (!done.get_future().get()) {
        std::cerr << "beastchain-gen-chain: writing " << dir << " failed\n";
        return 1;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "wrote " << blocks << " blocks (" << txs_per_block << " transactions each) to " << dir
              << " in " << s << " s; start the node with --difficulty " << difficulty << "\n";
    return 0;
}
