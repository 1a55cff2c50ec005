// Data directory: flock, log recovery at open, and the group-commit writer loop.
#include <beastchain/log.hpp>
#include <beastchain/storage/assemble.hpp>
#include <beastchain/storage/log_format.hpp>
#include <beastchain/storage/store.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace beastchain::storage {
namespace {

std::string errno_text()
{
    return std::strerror(errno);
}

void fsync_dir(const std::filesystem::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

/// Writes all of `data` at the end of the file, retrying short writes.
bool write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string read_file(int fd, const std::filesystem::path& path)
{
    struct stat st
    {};
    if (::fstat(fd, &st) != 0)
        throw storage_error("cannot stat " + path.string() + ": " + errno_text());
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw storage_error("cannot read " + path.string() + ": " + errno_text());
        got += static_cast<std::size_t>(n);
    }
    return data;
}

} // namespace

store_options store_options::for_blocks(std::size_t max_block_transactions)
{
    // A transaction takes about 600 bytes in a block record today; 1 KiB each leaves room for
    // fields to come. Blocks themselves are bounded by consensus, so this bounds every record.
    const std::uint64_t need = 64 * 1024 + std::uint64_t{max_block_transactions} * 1024;
    store_options o;
    o.max_record_bytes = static_cast<std::uint32_t>(
        std::clamp<std::uint64_t>(need, default_max_record_bytes, std::numeric_limits<std::uint32_t>::max())
    );
    return o;
}

store::store(std::filesystem::path dir, store_options opts)
    : dir_(std::move(dir))
    , log_path_(dir_ / "chain.log")
    , opts_(opts)
{
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
        throw storage_error("cannot create data directory " + dir_.string() + ": " + ec.message());

    // One node per data directory: a second one would interleave writes and corrupt the log.
    const auto lock_path = dir_ / "LOCK";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
        throw storage_error("cannot open " + lock_path.string() + ": " + errno_text());
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw storage_error(
            "data directory " + dir_.string() + " is in use by another beastchain-node (" +
            lock_path.string() + " is locked)"
        );
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0)
        log::warning("cannot record the pid in " + lock_path.string());

    const bool existed = std::filesystem::exists(log_path_);
    log_fd_ = ::open(log_path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd_ < 0)
        throw storage_error("cannot open " + log_path_.string() + ": " + errno_text());
    if (!existed)
        fsync_dir(dir_);
    loaded_ = read_log();
    writer_ = std::thread([this] { run_writer(); });
}

store::~store()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable())
        writer_.join();
    if (log_fd_ >= 0)
        ::close(log_fd_);
    if (lock_fd_ >= 0)
        ::close(lock_fd_); // releases the flock
}

std::vector<record> store::read_log()
{
    const std::string image = read_file(log_fd_, log_path_);
    const scan_result scan = scan_log(image, opts_.max_record_bytes);
    // Not corruption, and not to be misread or rewritten: say what it is and what to do.
    if (scan.tail == scan_result::tail_state::old_format)
        throw storage_error(
            log_path_.string() +
            " was written by an earlier beastchain (log format 1) that this version cannot read: move the "
            "data directory away to start afresh; the node will sync the chain from its peers"
        );
    const auto corrupt = [this](std::uint64_t offset, const std::string& why) {
        return storage_error(
            log_path_.string() + " is corrupt at offset " + std::to_string(offset) + ": " + why +
            "; refusing to start (restore the data directory from a backup, or move it away to start afresh)"
        );
    };
    if (scan.tail == scan_result::tail_state::corrupt)
        throw corrupt(scan.problem_offset, scan.problem);
    assembled_log log = assemble_records(scan);
    if (!log.problem.empty())
        throw corrupt(log.problem_offset, log.problem);

    std::uint64_t size = image.size();
    if (scan.tail == scan_result::tail_state::torn && !image.empty()) // empty: a new log, not a torn one
        log::warning(
            log_path_.string() + ": torn record at offset " + std::to_string(scan.problem_offset) + " (" +
            scan.problem + "); truncating " + std::to_string(image.size() - scan.valid_end) +
            " bytes back to the last good record"
        );
    for (const auto& w : log.warnings)
        log::warning(log_path_.string() + ": " + w);
    if (log.keep_end < image.size() || image.empty()) {
        size = log.keep_end;
        if (::ftruncate(log_fd_, static_cast<off_t>(size)) != 0)
            throw storage_error("cannot truncate " + log_path_.string() + ": " + errno_text());
        if (size == 0) {
            if (!write_all(log_fd_, log_magic))
                throw storage_error("cannot write " + log_path_.string() + ": " + errno_text());
            size = log_magic.size();
        }
        if (::fdatasync(log_fd_) != 0)
            throw storage_error("cannot sync " + log_path_.string() + ": " + errno_text());
    }
    durable_size_ = size;
    return std::move(log.records);
}

std::vector<record> store::take_loaded()
{
    return std::move(loaded_);
}

std::uint64_t store::append(const record& r)
{
    std::string bytes;
    for (const auto& f : encode_frames(r)) {
        if (f.payload.size() > opts_.max_record_bytes) {
            // Never write what replay would call corruption. Nothing is acknowledged past here
            // until the caller rebuilds its state from the log (recover()).
            log::error(
                "refusing a record of " + std::to_string(f.payload.size()) + " bytes for " +
                log_path_.string() + " (the limit is " + std::to_string(opts_.max_record_bytes) +
                "); refusing writes until storage recovers"
            );
            failed_.store(true);
            return 0;
        }
        bytes += frame(f.type, f.payload);
    }
    std::uint64_t seq = 0;
    {
        const std::lock_guard lock(mutex_);
        if (failed_.load() || stopping_)
            return 0;
        seq = next_seq_++;
        live_seq_ = seq;
        queue_.emplace_back(seq, std::move(bytes));
    }
    wake_.notify_one();
    return seq;
}

void store::when_durable(std::uint64_t seq, std::function<void(bool)> done)
{
    bool decided = false, ok = false;
    {
        const std::lock_guard lock(mutex_);
        if (seq != 0 && seq <= durable_seq_) {
            decided = ok = true;
        } else if (seq == 0 || seq > live_seq_) {
            decided = true;
        } else {
            waiters_.emplace_back(seq, std::move(done));
        }
    }
    if (decided)
        done(ok);
}

void store::deliver_through(deliver_fn deliver)
{
    const std::lock_guard lock(mutex_);
    deliver_ = std::move(deliver);
}

void store::run_writer()
{
    for (;;) {
        std::vector<std::pair<std::uint64_t, std::string>> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return; // stopping, and everything queued is written
            batch.swap(queue_);
            writing_ = true;
        }

        // Group commit: one write of everything queued, one fdatasync for all of it.
        std::string bytes;
        for (const auto& [seq, b] : batch)
            bytes += b;
        bool ok = write_all(log_fd_, bytes);
        const auto sync_start = std::chrono::steady_clock::now();
        ok = ok && ::fdatasync(log_fd_) == 0;
        const double sync_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count();
        const std::string why = ok ? std::string() : errno_text();

        std::vector<std::function<void(bool)>> ready;
        bool result = ok;
        deliver_fn deliver;
        {
            const std::lock_guard lock(mutex_);
            if (ok) {
                durable_seq_ = batch.back().first;
                durable_size_ += bytes.size();
                ++stats_.syncs;
                stats_.sync_seconds += sync_seconds;
                stats_.records += batch.size();
                stats_.bytes += bytes.size();
                const auto still_waiting =
                    std::partition(waiters_.begin(), waiters_.end(), [this](const auto& w) {
                        return w.first > durable_seq_;
                    });
                for (auto it = still_waiting; it != waiters_.end(); ++it)
                    ready.push_back(std::move(it->second));
                waiters_.erase(still_waiting, waiters_.end());
            } else {
                // Take back whatever part of the batch reached the file, then fail every waiter
                // past the durable point; the caller rebuilds its state from the log (recover()).
                failed_.store(true);
                if (::ftruncate(log_fd_, static_cast<off_t>(durable_size_)) != 0)
                    log::error(
                        "cannot truncate " + log_path_.string() + " after a failed write: " + errno_text()
                    );
                queue_.clear();
                live_seq_ = durable_seq_;
                for (auto& [seq, w] : waiters_)
                    ready.push_back(std::move(w));
                waiters_.clear();
            }
            writing_ = false;
            if (!ready.empty())
                deliver = deliver_;
        }
        idle_.notify_all();
        if (!ok)
            log::error(
                "writing " + log_path_.string() + " failed: " + why +
                "; refusing writes until storage recovers"
            );
        auto complete = [ready = std::move(ready), result]() mutable {
            for (auto& w : ready)
                w(result);
        };
        if (deliver)
            deliver(std::move(complete));
        else
            complete();
    }
}

void store::recover(const std::function<void(std::vector<record>)>& rebuild)
{
    std::vector<record> records;
    {
        std::unique_lock lock(mutex_);
        if (!failed_.load())
            return;
        // Records queued before an over-limit refusal are still being written: read the log once
        // they are (a failed write clears the queue itself).
        idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
        records = read_log();
    }
    // Appends stay refused while the caller rebuilds: its state is not yet the log's.
    rebuild(std::move(records));
    const std::lock_guard lock(mutex_);
    failed_.store(false);
}

store::stats store::statistics() const
{
    const std::lock_guard lock(mutex_);
    return stats_;
}

} // namespace beastchain::storage
