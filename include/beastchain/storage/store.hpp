// The data directory: an exclusive lock, the record log, and a group-commit writer thread.
#pragma once

#include <beastchain/storage/log_format.hpp>
#include <beastchain/storage/record.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace beastchain::storage {

/// A data directory that cannot be used: locked by another node, unreadable, or corrupt.
/// The message names the file (and offset) so an operator can act on it.
class storage_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct store_options
{
    /// Largest record payload the store writes or reads: a bigger record is refused on append.
    std::uint32_t max_record_bytes = default_max_record_bytes;

    /// Room for blocks of up to `max_block_transactions` transactions (never below the default).
    static store_options for_blocks(std::size_t max_block_transactions);
};

/**
 * Owns `DIR/LOCK` (flock, released on exit) and `DIR/chain.log`.
 *
 * Appends are queued in order and written by one writer thread: each round writes everything
 * queued so far and issues a single fdatasync (group commit), then reports every covered
 * sequence number durable. A failed write or sync truncates the log back to the last durable
 * byte, fails every waiter past it, and refuses appends until `recover()`: what was acknowledged
 * stays, and nothing unacknowledged half-survives.
 *
 * @par Thread Safety
 * All public members may be called from any thread.
 */
class store
{
public:
    /// Opens or creates `dir`, takes the lock and reads the log, truncating a torn tail (with a
    /// warning naming file and offset). Throws storage_error on lock conflict or corruption.
    explicit store(std::filesystem::path dir, store_options opts = {});
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    /// The records read at open, in log order; moved out once.
    std::vector<record> take_loaded();

    /// Queues a record (a chain switch as its bounded frames, all in one write); returns its
    /// sequence number, or 0 when the store is failed or a frame is over `max_record_bytes`. An
    /// over-limit record also fails the store: the caller's state holds a change the log lacks.
    std::uint64_t append(const record& r);

    /// Calls `done(true)` once `seq` is on stable storage, or `done(false)` if its write failed.
    /// May call it on the writer thread, through the hand-off set by deliver_through(), or, when
    /// already decided, on the calling thread.
    void when_durable(std::uint64_t seq, std::function<void(bool)> done);

    /// How the writer hands over one group commit's completions.
    using deliver_fn = std::function<void(std::function<void()>)>;
    /// From now on the writer passes each group commit's completions to `deliver` as one task,
    /// instead of calling them on its own thread: an owner with an event loop posts that task
    /// once, so the writer makes one cross-thread hand-off per sync, not one per waiter.
    void deliver_through(deliver_fn deliver);

    /// True after a failed write until recover().
    bool failed() const noexcept { return failed_.load(); }

    /// After a failure: re-reads the (truncated) log and hands its records to `rebuild`, from which
    /// the caller rebuilds its state. Appends are accepted again only once `rebuild` has returned:
    /// if reading or rebuilding throws, the exception propagates and the store stays failed, so
    /// nothing is acknowledged that the log does not hold. Does nothing unless failed().
    void recover(const std::function<void(std::vector<record>)>& rebuild);

    const std::filesystem::path& log_path() const noexcept { return log_path_; }

    struct stats
    {
        std::uint64_t syncs = 0;
        double sync_seconds = 0; ///< total time spent in fdatasync
        std::uint64_t records = 0;
        std::uint64_t bytes = 0;
    };
    stats statistics() const;

private:
    std::vector<record> read_log();
    void run_writer();

    std::filesystem::path dir_;
    std::filesystem::path log_path_;
    const store_options opts_;
    int lock_fd_ = -1;
    int log_fd_ = -1;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_; ///< the writer has nothing queued or in flight
    bool writing_ = false;         ///< the writer holds a batch it has not finished
    std::vector<std::pair<std::uint64_t, std::string>> queue_; ///< seq, framed bytes
    /// Unordered (tickets are waited on from many strands): each group commit scans it, and it
    /// holds at most the requests in flight, so a flat vector beats a map node and a vector per
    /// sequence number allocated on every request.
    std::vector<std::pair<std::uint64_t, std::function<void(bool)>>> waiters_;
    deliver_fn deliver_; ///< empty: the writer calls completions itself
    std::uint64_t next_seq_ = 1;
    std::uint64_t durable_seq_ = 0;
    /// Highest sequence number that is queued or written and not lost to a failed write: the
    /// records up to it still complete after an over-limit refusal fails the store.
    std::uint64_t live_seq_ = 0;
    std::uint64_t durable_size_ = 0; ///< bytes of the log known to be on stable storage
    std::atomic<bool> failed_{false};
    bool stopping_ = false;
    stats stats_;
    std::vector<record> loaded_;
    std::thread writer_;
};

} // namespace beastchain::storage
