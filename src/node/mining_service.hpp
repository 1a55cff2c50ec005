// The /mine queue: one search at a time on the miner pool, one block per waiting caller.
#pragma once

#include <beastchain/node/metrics.hpp>
#include <beastchain/node/miner.hpp>

#include <atomic>
#include <chrono>
#include <deque>

#include "chain_state.hpp"

namespace beastchain::node {

/**
 * Owns the miner pool, the `/mine` waiters and the job ids. Concurrent `/mine` callers are
 * served one after another, each with its own block; a chain change under a running search
 * restarts it on the new tip for the same caller (a chain_events listener).
 *
 * @par Thread Safety
 * Everything but construction and `join` runs on the chain strand. The miner pool's threads
 * only hash; their result is posted back to the strand.
 */
class mining_service final : public chain_events
{
public:
    using mine_handler = asio::any_completion_handler<void(std::exception_ptr, node_result<std::string>)>;

    mining_service(chain_state& chain, metrics& stats);

    /// Queues a caller; `departed` is set (from any thread) when its client leaves.
    void enqueue(mine_handler h, std::shared_ptr<std::atomic<bool>> departed);
    /// Answers and removes the waiters whose clients have left, except one whose search runs.
    void drop_departed();
    /// Cancels the search and answers every waiter "shutting down"; idempotent.
    void stop();
    /// Waits for the miner threads (after stop, off the strand).
    void join() { miner_.shutdown(); }

    bool mining() const noexcept { return mining_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }
    std::uint64_t hashes() const noexcept { return miner_.total_hashes(); }
    /// Attempts per second over the time spent searching.
    double hash_rate() const;

    void on_block_connected(const core::chain_entry&, const std::string&) override { restart(); }
    void on_chain_replaced(std::size_t, const std::string&) override { restart(); }
    void on_state_reloaded(const std::vector<storage::record>&) override
    {
        restart();
        resume_later(); // --mine stopped while storage was failing
    }

    /// Starts a search if one is due: a caller waits, or the node runs with --mine.
    void resume() { start_if_needed(); }

private:
    struct waiter
    {
        mine_handler handler;
        std::shared_ptr<std::atomic<bool>> departed;
    };

    void start_if_needed();
    /// --mine after a storage recovery: a second later, so a disk that is still full costs a
    /// failed write a second, not a loop of mining, failing and reloading.
    void resume_later();
    void on_mined(std::uint64_t job, std::optional<core::block> solved);
    /// The tip changed under a running search: restart it on the new tip.
    void restart();
    void stop_clock();
    void fail_all(const std::string& why);

    chain_state& chain_;
    metrics& stats_;
    miner miner_;
    std::deque<waiter> waiters_;
    bool mining_ = false;
    bool stopped_ = false;
    std::uint64_t job_ = 0;
    std::chrono::steady_clock::time_point since_{};
    double seconds_ = 0; ///< time spent searching, for the hash rate
};

} // namespace beastchain::node
