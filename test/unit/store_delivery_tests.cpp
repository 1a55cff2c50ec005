// The store's completion hand-off: a group commit's waiters reach their owner as one task.
#include <beastchain/storage/store.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "chain_fixture.hpp"

using namespace beastchain;
using namespace beastchain::storage;
using namespace beastchain::test;

namespace {

/// What an event loop does with the store's tasks, reduced to a queue the test thread drains.
struct task_queue
{
    std::mutex mutex;
    std::condition_variable ready;
    std::vector<std::function<void()>> tasks;
    std::size_t delivered = 0;

    void push(std::function<void()> t)
    {
        {
            const std::lock_guard lock(mutex);
            tasks.push_back(std::move(t));
            ++delivered;
        }
        ready.notify_one();
    }

    /// Runs what has arrived, waiting up to `for_at_most` for something to arrive.
    void run_some(std::chrono::milliseconds for_at_most)
    {
        std::vector<std::function<void()>> now;
        {
            std::unique_lock lock(mutex);
            ready.wait_for(lock, for_at_most, [&] { return !tasks.empty(); });
            now.swap(tasks);
        }
        for (auto& t : now)
            t();
    }
};

record transaction_record(std::uint64_t i)
{
    record r;
    r.type = record_type::transaction_accepted;
    r.tx = make_tx("alice", "bob", i + 1);
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(store_delivery_tests)

BOOST_AUTO_TEST_CASE(completions_run_where_the_owner_runs_them_one_task_per_group_commit)
{
    temp_dir dir;
    // Declared before the store, so it outlives it: the store's destructor joins the writer
    // thread, which may still be signalling the queue's condition variable after its last push
    // (TSan caught the queue destroyed under that signal when it was declared after).
    task_queue loop;
    store s(dir.path);
    s.deliver_through([&loop](std::function<void()> t) { loop.push(std::move(t)); });

    constexpr int count = 200;
    const auto owner = std::this_thread::get_id();
    std::atomic<int> completed{0}, failed{0}, elsewhere{0};
    for (int i = 0; i < count; ++i)
        s.when_durable(s.append(transaction_record(static_cast<std::uint64_t>(i))), [&](bool ok) {
            if (std::this_thread::get_id() != owner)
                ++elsewhere; // the writer thread called it itself: the hand-off was bypassed
            ++(ok ? completed : failed);
        });

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (completed + failed < count && std::chrono::steady_clock::now() < deadline)
        loop.run_some(std::chrono::milliseconds(100));

    BOOST_TEST(completed.load() == count);
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(elsewhere.load() == 0);
    // Every record was written, and no group commit was split into more than one task.
    const auto stats = s.statistics();
    BOOST_TEST(stats.records == static_cast<std::uint64_t>(count));
    const std::lock_guard lock(loop.mutex);
    BOOST_TEST(loop.delivered >= 1u);
    BOOST_TEST(loop.delivered <= stats.syncs);
}

BOOST_AUTO_TEST_SUITE_END()
