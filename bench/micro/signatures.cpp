// Microbenchmarks of BIP340 signatures: our wrapper against libsecp256k1 called directly.
#include <beastchain/core/keys.hpp>

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
