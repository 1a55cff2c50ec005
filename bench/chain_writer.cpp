// Chain generation through the node's own ledger and storage code, so the result loads like a real node's.
#include "chain_writer.hpp"

#include <beastchain/core/address.hpp>
#include <beastchain/core/ledger.hpp>
#include <beastchain/core/signing.hpp>
#include <beastchain/storage/store.hpp>

#include <future>
#include <stdexcept>

namespace beastchain::bench {

namespace {

/// Where the signed chain's transfers go: one fixed address, so accounts stay few.
const std::string& address_of_recipient()
{
    static const std::string a = core::address_of(core::public_key_of(core::secret_key::generate()));
    return a;
}

} // namespace

core::chain_spec signed_bench_spec(const chain_spec& spec)
{
    core::chain_spec s = *core::builtin_spec("signed");
    s.name = "signed-bench";
    // The minimum rule, at the generator's difficulty: a chain written in seconds, whose blocks
    // are one second apart in 2018, is not one ASERT would let anyone mine cheaply.
    s.difficulty = core::difficulty_rule::minimum;
    s.target_block_ms = 0;
    s.half_life_ms = 0;
    s.min_difficulty = spec.difficulty;
    s.max_block_transactions =
        static_cast<std::uint32_t>(std::max<std::size_t>(2, spec.transactions_per_block + 1));
    return s;
}

void write_chain(const std::filesystem::path& dir, const chain_spec& spec)
{
    core::consensus_params params;
    params.min_difficulty = spec.difficulty;
    params.max_block_transactions = spec.transactions_per_block + 1;
    const core::chain_spec signed_spec = signed_bench_spec(spec);
    if (spec.signed_chain)
        params = core::consensus_of(signed_spec);
    const core::secret_key key = core::secret_key::generate();
    const std::string key_address = core::address_of(core::public_key_of(key));
    std::uint64_t next_nonce = 0;
    core::ledger ledger(params, 1'000'000);
    storage::store store(dir);
    if (!store.take_loaded().empty())
        throw std::runtime_error(dir.string() + " is not empty");
    const std::string address = core::make_uuid_hex();
    storage::record id;
    id.type = storage::record_type::node_identity;
    id.text = address;
    std::uint64_t last = store.append(id);
    if (spec.signed_chain) { // what a node of that chain writes at its first start
        storage::record chain;
        chain.type = storage::record_type::chain_identity;
        chain.text = core::to_hex(ledger.best_chain().entries().front().hash) + " " + signed_spec.name;
        last = store.append(chain);
    }

    std::uint64_t now = core::genesis_block().timestamp_ms;
    for (std::size_t i = 0; i < spec.blocks; ++i) {
        for (std::size_t t = 0; t < spec.transactions_per_block && (!spec.signed_chain || i > 0); ++t) {
            core::transaction tx =
                spec.signed_chain
                    ? core::make_signed_transaction(
                          key, address_of_recipient(), 1, 1, next_nonce++, params.chain_id
                      )
                    : core::make_transaction("sender", "recipient", t + 1, core::make_transaction_nonce());
            storage::record r;
            r.type = storage::record_type::transaction_accepted;
            r.tx = tx;
            ledger.accept_transaction(tx);
            store.append(r);
        }
        now += 1000;
        core::block b =
            ledger.make_block_template(spec.signed_chain ? key_address : address, spec.difficulty, now);
        std::atomic<bool> stop{false};
        b.proof = core::pow_search(b, core::block_target(b, params).value()).search(0, 1, stop).value();
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
