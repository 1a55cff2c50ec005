// beastchain-microbench (Google Benchmark): proof of work against raw OpenSSL SHA-256, block
// validation, JSON of a 1,000-transaction block, and loading a 100,000-block data directory.
#include <beastchain/core/ledger.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/json.hpp>
#include <openssl/evp.h>

#include <benchmark/benchmark.h>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "../chain_writer.hpp"

using namespace beastchain;

namespace {

constexpr std::size_t hashes_per_iteration = 1 << 16;

std::array<std::uint8_t, core::header_size> random_header()
{
    std::array<std::uint8_t, core::header_size> h{};
    std::mt19937 rng(1);
    for (auto& b : h)
        b = static_cast<std::uint8_t>(rng());
    return h;
}

/// A transaction with a random id, as the benchmarks have always built them (no id hashing).
core::transaction unhashed_tx(std::string sender, std::string recipient, std::uint64_t amount)
{
    core::transaction tx;
    tx.transaction_id = core::make_uuid_hex();
    tx.sender = std::move(sender);
    tx.recipient = std::move(recipient);
    tx.amount = amount;
    return tx;
}

/// A template no nonce can satisfy (difficulty 64), so a search runs its whole range.
core::block hopeless_template()
{
    core::block b;
    b.index = 1;
    b.previous_hash = core::genesis_hash();
    b.timestamp_ms = core::genesis_block().timestamp_ms + 1000;
    b.difficulty = core::max_difficulty;
    b.transactions.push_back(unhashed_tx("0", "miner", 1));
    return b;
}

/// A solved block of `n` client transactions plus the reward, at difficulty 8.
core::block big_block(std::size_t n)
{
    core::block b;
    b.index = 1;
    b.previous_hash = core::genesis_hash();
    b.timestamp_ms = core::genesis_block().timestamp_ms + 1000;
    b.difficulty = 8;
    for (std::size_t i = 0; i < n; ++i)
        b.transactions.push_back(unhashed_tx("alice-" + std::to_string(i), "bob", i + 1));
    b.transactions.push_back(unhashed_tx("0", "miner", 1));
    std::atomic<bool> stop{false};
    b.proof = core::pow_search(b).search(0, 1, stop).value();
    return b;
}

} // namespace

// ---- proof of work next to OpenSSL ---------------------------------------------------------

namespace {

/// Items and a hashes-per-second counter for a benchmark that did hashes_per_iteration per loop.
void count_hashes(benchmark::State& state)
{
    const auto hashes = static_cast<double>(state.iterations() * hashes_per_iteration);
    state.SetItemsProcessed(static_cast<std::int64_t>(hashes));
    state.counters["hashes_per_s"] = benchmark::Counter(hashes, benchmark::Counter::kIsRate);
}

/// Hashes a 96-byte header with a fresh nonce each time, the way a miner varies it.
template <class HashOne> void hash_headers(benchmark::State& state, HashOne hash_one)
{
    auto header = random_header();
    std::uint64_t nonce = 0;
    for (auto _ : state)
        for (std::size_t i = 0; i < hashes_per_iteration; ++i) {
            std::memcpy(header.data() + core::header_nonce_offset, &nonce, sizeof nonce);
            ++nonce;
            hash_one(header);
        }
    count_hashes(state);
}

} // namespace

/// The miner's inner loop: one SHA-256 compression per nonce on a copied 64-byte midstate.
static void BM_pow_search_per_thread(benchmark::State& state)
{
    const core::pow_search search(hopeless_template());
    const std::atomic<bool> stop{false};
    for (auto _ : state) {
        // Start so close to the top of the nonce space that exactly hashes_per_iteration fit.
        auto found = search.search(core::max_nonce - hashes_per_iteration + 1, 1, stop);
        benchmark::DoNotOptimize(found);
    }
    count_hashes(state);
}
BENCHMARK(BM_pow_search_per_thread);

/// OpenSSL's raw rate for the same 96-byte input, with the best EVP usage: a fetched digest and
/// one reused context (no per-hash allocation or lookup).
static void BM_openssl_sha256_96_bytes(benchmark::State& state)
{
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char out[32];
    hash_headers(state, [&](const auto& header) {
        EVP_DigestInit_ex2(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, header.data(), header.size());
        EVP_DigestFinal_ex(ctx, out, nullptr);
        benchmark::DoNotOptimize(out);
    });
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
}
BENCHMARK(BM_openssl_sha256_96_bytes);

/// The naive way (one-shot EVP_Digest per hash), for scale.
static void BM_openssl_sha256_96_bytes_oneshot(benchmark::State& state)
{
    unsigned char out[32];
    hash_headers(state, [&](const auto& header) {
        EVP_Digest(header.data(), header.size(), out, nullptr, EVP_sha256(), nullptr);
        benchmark::DoNotOptimize(out);
    });
}
BENCHMARK(BM_openssl_sha256_96_bytes_oneshot);

// ---- validation ----------------------------------------------------------------------------

/// Everything a node checks in a pushed block on its own: hash (Merkle root over every
/// transaction, then the header), difficulty, claimed hash, and the contents rules.
static void BM_validate_block(benchmark::State& state)
{
    const core::block b = big_block(static_cast<std::size_t>(state.range(0)));
    core::consensus_params params;
    params.min_difficulty = 8;
    params.max_block_transactions = b.transactions.size();
    for (auto _ : state) {
        const core::hash256 h = core::block_hash(b);
        auto header = core::check_block_header(b, h, params);
        auto contents = core::check_block_contents(b, params);
        if (!header || !contents)
            state.SkipWithError("the benchmark block is invalid");
        benchmark::DoNotOptimize(h);
    }
    state.counters["blocks_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["transactions_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * b.transactions.size()), benchmark::Counter::kIsRate
    );
}
BENCHMARK(BM_validate_block)->Arg(1)->Arg(1000);

// ---- JSON ----------------------------------------------------------------------------------

static void BM_json_serialize_block(benchmark::State& state)
{
    const core::block b = big_block(999);
    const core::chain_entry e{b, core::block_hash(b), 0};
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::string s = boost::json::serialize(boost::json::value_from(e));
        bytes = s.size();
        benchmark::DoNotOptimize(s);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["transactions_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * 1000), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_json_serialize_block);

/// Untrusted-input path: duplicate-key scan, parse, and field-by-field decoding.
static void BM_json_parse_block(benchmark::State& state)
{
    const core::block b = big_block(999);
    const std::string text =
        boost::json::serialize(boost::json::value_from(core::chain_entry{b, core::block_hash(b), 0}));
    for (auto _ : state) {
        auto parsed = json::parse_body(text, json::kind::with_arrays(1000));
        auto decoded = json::decode_block(parsed.value());
        if (!decoded.ok())
            state.SkipWithError("the benchmark block does not decode");
        benchmark::DoNotOptimize(decoded);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["transactions_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * 1000), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_json_parse_block);

namespace {

/// The costliest body the checks accept for a peer message: 1,000 objects of 64 distinct keys
/// each (every key takes part in a duplicate check), about 0.8 MB.
const std::string& many_keys_body()
{
    static const std::string text = [] {
        std::string t = "[";
        for (int o = 0; o < 1000; ++o) {
            t += o ? ",{" : "{";
            for (int k = 0; k < 64; ++k)
                t += (k ? ",\"k" : "\"k") + std::to_string(o * 64 + k) + "\":0";
            t += '}';
        }
        return t + "]";
    }();
    return text;
}

} // namespace

/// Worst case of the linear checks (duplicate keys, counts) plus the value parse.
static void BM_json_parse_many_keys_checked(benchmark::State& state)
{
    const std::string& text = many_keys_body();
    for (auto _ : state) {
        auto parsed = json::parse_body(text, json::kind::with_arrays(1000));
        if (!parsed.ok())
            state.SkipWithError("the benchmark body is refused");
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_json_parse_many_keys_checked);

/// The same bytes through plain boost::json::parse: the floor the checks are measured against.
static void BM_json_parse_many_keys_plain(benchmark::State& state)
{
    const std::string& text = many_keys_body();
    for (auto _ : state) {
        auto jv = boost::json::parse(text);
        benchmark::DoNotOptimize(jv);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_json_parse_many_keys_plain);

// ---- loading a long chain ------------------------------------------------------------------

namespace {

/// A 100,000-block data directory, written once per run.
const std::filesystem::path& hundred_thousand_blocks()
{
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("beastchain-microbench-" + core::make_uuid_hex());
        bench::write_chain(d, {100'000, 1, 1});
        return d;
    }();
    return dir;
}

struct remove_at_exit
{
    ~remove_at_exit()
    {
        std::error_code ignored;
        if (!dir.empty())
            std::filesystem::remove_all(dir, ignored);
    }
    std::filesystem::path dir;
} cleanup;

} // namespace

/// What a node does at start-up: read and check the log, then replay it into a ledger. With
/// arg 1, every stored block is re-validated (--reverify).
static void BM_load_chain_100k(benchmark::State& state)
{
    cleanup.dir = hundred_thousand_blocks();
    const bool reverify = state.range(0) == 1;
    core::consensus_params params;
    params.min_difficulty = 1;
    for (auto _ : state) {
        storage::store s(cleanup.dir);
        core::ledger ledger(params, 1'000'000);
        const std::uint64_t now = core::genesis_block().timestamp_ms + 1'000'000'000'000;
        for (auto& r : s.take_loaded()) {
            if (r.type == storage::record_type::transaction_accepted)
                ledger.replay_transaction(std::move(r.tx));
            else if (r.type == storage::record_type::block_connected) {
                if (!ledger.replay_block(std::move(r.blocks.at(0).blk), r.blocks.at(0).hash, reverify, now))
                    state.SkipWithError("stored block does not replay");
            }
        }
        if (ledger.best_chain().size() != 100'001)
            state.SkipWithError("wrong chain length");
    }
    state.counters["blocks_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * 100'000), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_load_chain_100k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
