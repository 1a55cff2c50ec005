// Microbenchmarks of BIP340 signatures: our wrapper against libsecp256k1 called directly, and a
// signed block's validation on one core and spread over the cores.
#include <beastchain/core/address.hpp>
#include <beastchain/core/chain.hpp>
#include <beastchain/core/keys.hpp>
#include <beastchain/core/signing.hpp>

#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

using namespace beastchain;

namespace {

struct signed_message
{
    core::secret_key key = core::secret_key::generate();
    core::public_key pub = core::public_key_of(key);
    core::hash256 message = core::sha256(std::string_view("a transaction's canonical bytes"));
    core::signature sig = core::sign(key, message);
};

} // namespace

/// What a node pays per signature it checks: parse the key from its 32 bytes, then verify.
static void BM_verify_schnorr(benchmark::State& state)
{
    const signed_message m;
    for (auto _ : state)
        benchmark::DoNotOptimize(core::verify(m.pub, m.message, m.sig));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_schnorr);

/// libsecp256k1's own rate: the key parsed once, outside the loop, and only the verification timed.
static void BM_verify_schnorr_libsecp256k1_raw(benchmark::State& state)
{
    const signed_message m;
    secp256k1_xonly_pubkey parsed;
    if (secp256k1_xonly_pubkey_parse(secp256k1_context_static, &parsed, m.pub.data()) != 1) {
        state.SkipWithError("cannot parse the key");
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(secp256k1_schnorrsig_verify(
            secp256k1_context_static, m.sig.data(), m.message.data(), m.message.size(), &parsed
        ));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_schnorr_libsecp256k1_raw);

/// Signing (the wallet's side), with fresh auxiliary randomness as the wrapper draws it.
static void BM_sign_schnorr(benchmark::State& state)
{
    const signed_message m;
    for (auto _ : state)
        benchmark::DoNotOptimize(core::sign(m.key, m.message));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_schnorr);

namespace {

/// A block of 999 signed transfers from 50 senders and the reward: a full block of a signed chain.
struct signed_block
{
    core::consensus_params params;
    core::block blk;
    signed_block()
    {
        params.signed_transactions = true;
        params.chain_id = core::sha256(std::string_view("bench chain"));
        params.min_difficulty = 1;
        std::vector<core::secret_key> keys(50, core::secret_key::generate());
        for (auto& k : keys)
            k = core::secret_key::generate();
        const std::string to = core::address_of(core::public_key_of(keys.front()));
        std::uint64_t fees = 0;
        for (std::uint64_t i = 0; i < 999; ++i) {
            blk.transactions.push_back(core::make_signed_transaction(
                keys[i % keys.size()], to, 1, 1, i / keys.size(), params.chain_id
            ));
            fees += 1;
        }
        blk.transactions.push_back(core::make_transaction("0", to, params.block_reward + fees, 1));
    }
};

} // namespace

/// Every stateless rule of a 1,000-transaction signed block (ids, addresses, fees, signatures)
/// with the signatures checked on `threads` threads first (1: all on the caller, as before).
static void BM_signed_block_contents(benchmark::State& state)
{
    static const signed_block b;
    const auto threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state) {
        core::signature_cache_clear(); // time the verification, not the cache
        if (threads > 1)
            benchmark::DoNotOptimize(
                core::preverify_signatures(b.blk.transactions, b.params.chain_id, threads)
            );
        const auto r = core::check_block_contents(b.blk, b.params);
        if (!r.ok())
            state.SkipWithError(r.detail.c_str());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(b.blk.transactions.size()));
}
BENCHMARK(BM_signed_block_contents)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// What a node pays for a client's signed transaction before the pool: every stateless rule,
/// the signature verified (the cache emptied each time), and the parts of it on their own.
static void BM_check_signed_transaction(benchmark::State& state)
{
    const core::secret_key key = core::secret_key::generate();
    const core::hash256 chain = core::sha256(std::string_view("bench chain"));
    const auto tx =
        core::make_signed_transaction(key, core::address_of(core::public_key_of(key)), 1, 1, 0, chain);
    for (auto _ : state) {
        core::signature_cache_clear();
        benchmark::DoNotOptimize(core::check_signed_transaction(tx, chain));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_check_signed_transaction);

static void BM_public_key_from_address(benchmark::State& state)
{
    const std::string address = core::address_of(core::public_key_of(core::secret_key::generate()));
    for (auto _ : state)
        benchmark::DoNotOptimize(core::public_key_from_address(address));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_public_key_from_address);

static void BM_signing_hash(benchmark::State& state)
{
    const core::secret_key key = core::secret_key::generate();
    const core::hash256 chain = core::sha256(std::string_view("bench chain"));
    const auto tx =
        core::make_signed_transaction(key, core::address_of(core::public_key_of(key)), 1, 1, 0, chain);
    for (auto _ : state)
        benchmark::DoNotOptimize(core::signing_hash(tx, chain));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_signing_hash);
