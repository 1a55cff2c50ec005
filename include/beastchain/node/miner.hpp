// The proof-of-work worker pool: searches one block template at a time on all its threads.
#pragma once

#include <beastchain/core/pow.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace beastchain::node {

/**
 * Runs the nonce search for one template at a time, split across `threads` workers (worker i
 * tries nonces i, i+threads, ...), so no hashing ever runs on the I/O thread.
 *
 * @par Thread Safety
 * `start` and `cancel` may be called from any one thread at a time (the node's strand).
 * The completion callback runs on a worker thread; the node posts it back to its strand.
 */
class miner
{
public:
    /// Receives the solved block, or nullopt when the search was cancelled.
    using completion = std::function<void(std::optional<core::block>)>;

    explicit miner(unsigned threads);
    ~miner();
    miner(const miner&) = delete;
    miner& operator=(const miner&) = delete;

    /// Cancels any search in progress and starts on `tmpl`, for a hash at or below `target`
    /// (core::block_target of the template). `done` is called exactly once.
    void start(core::block tmpl, const core::target256& target, completion done);

    /// Asks the current search to stop; its completion then reports nullopt.
    void cancel();

    /// Stops and joins the workers; later starts complete immediately with nullopt.
    void shutdown();

    unsigned threads() const noexcept { return threads_; }

    /// Hashes tried since start-up, for hash-rate reporting.
    std::uint64_t total_hashes() const noexcept { return hashes_.load(std::memory_order_relaxed); }

private:
    struct job;
    struct pool;
    unsigned threads_;
    std::unique_ptr<pool> pool_;
    std::shared_ptr<job> current_;
    std::atomic<std::uint64_t> hashes_{0};
};

} // namespace beastchain::node
