// Chain generation through the node's own ledger and storage code, so the result loads like a real node's.
#include "chain_writer.hpp"

#include <beastchain/core/ledger.hpp>
#include <beastchain/storage/store.hpp>

#include <future>
#include <stdexcept>

namespace beastchain::bench {

void write_chain(const std::filesystem::path& dir, const chain_spec& spec)
{
    core::consensus_params params;
    params.min_difficulty = spec.difficulty;
    params.max_block_transactions = spec.transactions_per_block + 1;
    core::ledger ledger(params, 1'000'000);
    storage::store store(dir);
    if (!store.take_loaded().empty())
        throw std::runtime_error(dir.string() + " is not empty");
    const std::string address = core::make_uuid_hex();
    storage::record id;
    id.type = storage::record_type::node_identity;
    id.text = address;
    std::uint64_t last = store.append(id);

    std::uint64_t now = core::genesis_block().timestamp_ms;
    for (std::size_t i = 0; i < spec.blocks; ++i) {
        for (std::size_t t = 0; t < spec.transactions_per_block; ++t) {
            core::transaction tx =
                core::make_transaction("sender", "recipient", t + 1, core::make_transaction_nonce());
            storage::record r;
            r.type = storage::record_type::transaction_accepted;
            r.tx = tx;
            ledger.accept_transaction(tx);
            store.append(r);
        }
        now += 1000;
        core::block b = ledger.make_block_template(address, spec.difficulty, now);
        std::atomic<bool> stop{false};
        b.proof = core::pow_search(b).search(0, 1, stop).value();
        const auto hash = core::block_hash(b);
        storage::record r;
        r.type = storage::record_type::block_connected;
        r.blocks.push_back({b, hash});
        if (auto v = ledger.connect_block(std::move(b), now); !v)
            throw std::runtime_error("generated an invalid block: " + v.detail);
        last = store.append(r);
    }
    std::promise<bool> done;
    store.when_durable(last, [&done](bool ok) { done.set_value(ok); });
    if (!done.get_future().get())
        throw std::runtime_error("writing " + dir.string() + " failed");
}

} // namespace beastchain::bench
