// Signing and checking transactions of a signed chain.
#include <beastchain/core/hash.hpp>
#include <beastchain/core/signing.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "little_endian.hpp"

namespace beastchain::core {

namespace {

constexpr std::string_view transaction_tag = "beastchain/transaction";

validation_result fail(reject_reason r, std::string detail)
{
    return validation_result::fail(r, std::move(detail));
}

/// The cache key: the transaction id's bytes (they cover the signature) mixed with the chain id.
hash256 cache_key(const transaction& tx, const hash256& chain_id)
{
    hash256 key{};
    if (!bytes_from_hex(tx.transaction_id, key))
        return chain_id; // never a valid id's key; check_transaction refuses such ids first
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] ^= chain_id[i];
    return key;
}

struct key_hash
{
    std::size_t operator()(const hash256& h) const noexcept
    {
        std::size_t v = 0;
        std::copy_n(h.begin(), sizeof v, reinterpret_cast<std::uint8_t*>(&v)); // already uniform
        return v;
    }
};

class signature_cache
{
public:
    bool contains(const hash256& key)
    {
        std::lock_guard lock(mutex_);
        return current_.contains(key) || previous_.contains(key);
    }
    void add(const hash256& key)
    {
        std::lock_guard lock(mutex_);
        if (current_.size() >= signature_cache_generation) {
            previous_ = std::move(current_);
            current_ = {};
        }
        current_.insert(key);
    }
    void clear()
    {
        std::lock_guard lock(mutex_);
        current_.clear();
        previous_.clear();
    }

private:
    std::mutex mutex_;
    std::unordered_set<hash256, key_hash> current_;
    std::unordered_set<hash256, key_hash> previous_;
};

signature_cache& cache()
{
    static signature_cache c;
    return c;
}

} // namespace

hash256 tagged_hash(std::string_view tag, std::string_view data)
{
    const hash256 t = sha256(tag);
    std::string bytes(reinterpret_cast<const char*>(t.data()), t.size());
    bytes += bytes;
    bytes += data;
    return sha256(bytes);
}

hash256 signing_hash(const transaction& tx, const hash256& chain_id)
{
    transaction unsigned_copy = tx;
    unsigned_copy.sig.reset();
    std::string data(reinterpret_cast<const char*>(chain_id.data()), chain_id.size());
    data += canonical_bytes(unsigned_copy);
    // The fee is not in version 1's bytes: append it, so a relay cannot change what was paid.
    detail::put_le(data, tx.fee);
    return tagged_hash(transaction_tag, data);
}

transaction make_signed_transaction(
    const secret_key& key,
    std::string recipient,
    std::uint64_t amount,
    std::uint64_t fee,
    std::uint64_t nonce,
    const hash256& chain_id
)
{
    transaction tx;
    tx.sender = address_of(public_key_of(key));
    tx.recipient = std::move(recipient);
    tx.amount = amount;
    tx.fee = fee;
    tx.nonce = nonce;
    tx.sig = sign(key, signing_hash(tx, chain_id));
    tx.transaction_id = transaction_id_of(tx);
    return tx;
}

validation_result check_signed_transaction(const transaction& tx, const hash256& chain_id)
{
    if (!tx.sig)
        return fail(
            reject_reason::unsigned_transaction,
            "this chain takes signed transactions only: signature is missing"
        );
    // What every transaction must be: id form, bounded fields, amount, nonce, id = content hash.
    if (auto r = check_transaction(tx); !r)
        return r;
    // The id covers every field and the signature, so a (chain, id) pair that passed once passes
    // again: skip the address parsing and the verification, the costly part.
    const hash256 key = cache_key(tx, chain_id);
    if (cache().contains(key))
        return validation_result::success();
    // The sender's key is parsed by verify below, which refuses one that is no point.
    const auto sender_key = key_bytes_from_address(tx.sender);
    if (!sender_key)
        return fail(
            reject_reason::bad_sender, "sender is not an address (bc..., 74 characters, checksummed)"
        );
    if (!public_key_from_address(tx.recipient))
        return fail(
            reject_reason::bad_recipient, "recipient is not an address (bc..., 74 characters, checksummed)"
        );
    // The amount is at most 10^15 (checked above) and so is the fee here: the sum cannot wrap.
    if (tx.fee > max_amount || tx.amount + tx.fee > max_amount)
        return fail(reject_reason::bad_fee, "amount plus fee must be at most " + std::to_string(max_amount));
    if (!verify(*sender_key, signing_hash(tx, chain_id), *tx.sig))
        return fail(
            reject_reason::bad_signature, "the signature does not verify for the sender's key on this chain"
        );
    cache().add(key);
    return validation_result::success();
}

bool signature_cache_contains(const transaction& tx, const hash256& chain_id)
{
    return cache().contains(cache_key(tx, chain_id));
}

void signature_cache_clear()
{
    cache().clear();
}

bool preverify_signatures(std::span<const transaction> txs, const hash256& chain_id, unsigned threads)
{
    // One failure decides the answer: every lane stops at the next transaction.
    std::atomic<bool> failed{false};
    const auto check_range = [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end && !failed.load(std::memory_order_relaxed); ++i)
            if (txs[i].is_signed() && !check_signed_transaction(txs[i], chain_id))
                failed.store(true, std::memory_order_relaxed);
        return !failed.load(std::memory_order_relaxed);
    };
    const std::size_t n = txs.size();
    const std::size_t lanes = std::clamp<std::size_t>(std::min<std::size_t>(threads, n / 64), 1, 64);
    if (lanes == 1)
        return check_range(0, n);
    std::vector<char> ok(lanes, 1);
    {
        std::vector<std::jthread> workers;
        workers.reserve(lanes - 1);
        for (std::size_t lane = 1; lane < lanes; ++lane)
            workers.emplace_back([&, lane] {
                ok[lane] = check_range(n * lane / lanes, n * (lane + 1) / lanes);
            });
        ok[0] = check_range(0, n / lanes);
    }
    return !failed.load() && std::all_of(ok.begin(), ok.end(), [](char c) { return c != 0; });
}

} // namespace beastchain::core
