// Miner pool: one job's nonce lanes on asio::thread_pool workers; the last worker out reports.
#include <beastchain/core/pow.hpp>
#include <beastchain/log.hpp>
#include <beastchain/node/miner.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <mutex>
#include <sys/resource.h>
#include <unistd.h>

namespace beastchain::node {

struct miner::pool
{
    explicit pool(unsigned n)
        : workers(n)
    {}
    boost::asio::thread_pool workers;
    std::atomic<bool> closed{false};
};

struct miner::job
{
    job(core::block t, const core::target256& target, completion d, unsigned lanes)
        : tmpl(std::move(t))
        , search(tmpl, target)
        , done(std::move(d))
        , running(lanes)
    {}
    core::block tmpl;
    const core::pow_search search;
    completion done;
    std::atomic<bool> stop{false};
    std::atomic<unsigned> running;
    std::mutex found_mutex;
    std::optional<std::uint64_t> nonce;

    /// Called by each lane as it ends; the last one reports the outcome exactly once.
    void finish_lane()
    {
        if (running.fetch_sub(1, std::memory_order_acq_rel) != 1)
            return;
        std::optional<core::block> solved;
        {
            const std::lock_guard lock(found_mutex);
            if (nonce) {
                solved = std::move(tmpl);
                solved->proof = *nonce;
            }
        }
        done(std::move(solved));
    }
};

miner::miner(unsigned threads)
    : threads_(std::max(1u, threads))
    , pool_(std::make_unique<pool>(threads_))
{}

miner::~miner()
{
    shutdown();
}

namespace {

/// Mining soaks up every core it is given; requests must not queue behind it. Niceness 10 makes
/// the kernel run the I/O thread first whenever both are runnable (measured: /chain p99 while
/// mining fell from 16 ms to the figure in docs/performance.md). Linux niceness is per thread.
void lower_own_priority()
{
    thread_local bool lowered = false;
    if (!lowered) {
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
        lowered = true;
    }
}

} // namespace

void miner::start(core::block tmpl, const core::target256& target, completion done)
{
    cancel();
    if (pool_->closed.load()) {
        done(std::nullopt);
        return;
    }
    auto j = std::make_shared<job>(std::move(tmpl), target, std::move(done), threads_);
    current_ = j;
    for (unsigned lane = 0; lane < threads_; ++lane) {
        boost::asio::post(pool_->workers, [j, lane, lanes = threads_, hashes = &hashes_] {
            lower_own_priority();
            try {
                if (auto n = j->search.search(lane, lanes, j->stop, hashes)) {
                    const std::lock_guard lock(j->found_mutex);
                    if (!j->nonce)
                        j->nonce = n;
                    j->stop.store(true, std::memory_order_relaxed);
                }
            } catch (const std::exception& e) {
                log::error(std::string("miner lane failed: ") + e.what());
                j->stop.store(true, std::memory_order_relaxed);
            }
            j->finish_lane();
        });
    }
}

void miner::cancel()
{
    if (current_) {
        current_->stop.store(true, std::memory_order_relaxed);
        current_.reset();
    }
}

void miner::shutdown()
{
    if (pool_->closed.exchange(true))
        return;
    cancel();
    pool_->workers.join();
}

} // namespace beastchain::node
