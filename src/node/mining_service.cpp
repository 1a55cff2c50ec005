// mining_service: the /mine queue, searches on the miner pool, and restarts on chain events.
#include "mining_service.hpp"

#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace beastchain::node {

namespace {

node_result<std::string> not_mining(std::string why)
{
    return node_error{node_errc::not_mining, std::move(why)};
}

} // namespace

mining_service::mining_service(chain_state& chain, metrics& stats)
    : chain_(chain)
    , stats_(stats)
    , miner_(chain.settings().miner_threads)
{}

void mining_service::enqueue(mine_handler h, std::shared_ptr<std::atomic<bool>> departed)
{
    if (stopped_) {
        complete(std::move(h), not_mining("the node is shutting down"));
        return;
    }
    waiters_.push_back({std::move(h), std::move(departed)});
    start_if_needed();
}

void mining_service::drop_departed()
{
    const std::size_t keep = mining_ ? 1 : 0;
    // Rebuilt rather than erased from: Boost 1.81's any_completion_handler move assignment
    // recurses without end, so its elements are only ever move-constructed.
    std::deque<waiter> staying;
    for (std::size_t i = 0; i < waiters_.size(); ++i) {
        waiter& w = waiters_[i];
        if (i < keep || !w.departed->load()) {
            staying.push_back(std::move(w));
            continue;
        }
        complete(std::move(w.handler), not_mining("the client went away"));
        log::debug("dropped a /mine request whose client went away before its search started");
    }
    waiters_.swap(staying);
}

void mining_service::fail_all(const std::string& why)
{
    while (!waiters_.empty()) {
        complete(std::move(waiters_.front().handler), not_mining(why));
        waiters_.pop_front();
    }
}

void mining_service::stop()
{
    if (stopped_)
        return;
    stopped_ = true;
    ++job_; // the cancelled search's late completion is ignored, and it stops counting as mining
    stop_clock();
    miner_.cancel();
    fail_all("the node is shutting down");
}

double mining_service::hash_rate() const
{
    double busy = seconds_;
    if (mining_)
        busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    return busy > 0 ? static_cast<double>(hashes()) / busy : 0;
}

void mining_service::start_if_needed()
{
    if (mining_ || stopped_)
        return;
    drop_departed(); // a departed caller must not force a block
    if (waiters_.empty() && !chain_.settings().mine)
        return;
    if (!chain_.writable()) {
        // A block we could not store would be lost on restart: refuse rather than pretend.
        // --mine resumes when the state is reloaded (on_state_reloaded).
        fail_all("storage is failing; try again later");
        return;
    }
    mining_ = true;
    since_ = std::chrono::steady_clock::now();
    const std::uint64_t job = ++job_;
    core::block tmpl = chain_.make_template(chain_.settings().difficulty, now_ms());
    log::debug(
        "mining block " + std::to_string(tmpl.index) + " with " + std::to_string(tmpl.transactions.size()) +
        " transactions"
    );
    auto on_done = [this, job](std::optional<core::block> solved) {
        asio::post(chain_.strand(), [this, job, solved = std::move(solved)]() mutable {
            on_mined(job, std::move(solved));
        });
    };
    // The template's own rule: leading zero bits, or the chain's compact target on ASERT chains.
    const auto target = core::block_target(tmpl, chain_.ledger().best_chain().params());
    if (!target) {
        stop_clock();
        fail_all("the chain's required difficulty has no valid target");
        return;
    }
    miner_.start(std::move(tmpl), *target, std::move(on_done));
}

void mining_service::resume_later()
{
    if (!chain_.settings().mine || stopped_)
        return;
    auto timer = std::make_shared<asio::steady_timer>(chain_.strand(), std::chrono::seconds(1));
    timer->async_wait([this, timer](const boost::system::error_code&) { start_if_needed(); });
}

void mining_service::stop_clock()
{
    if (mining_)
        seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    mining_ = false;
}

void mining_service::on_mined(std::uint64_t job, std::optional<core::block> solved)
{
    if (job != job_)
        return; // a superseded search
    stop_clock();
    if (solved && !stopped_) {
        const std::uint64_t index = solved->index;
        // The tip may have moved (a sync adopted another chain): then the block no longer
        // connects and the same waiter is served by a fresh search on the new tip.
        if (auto r = chain_.connect(std::move(*solved), {}); r) {
            const core::chain_entry& tip = chain_.ledger().best_chain().tip();
            log::info("mined block " + std::to_string(index) + " " + core::to_hex(tip.hash));
            stats_.block_mined();
            if (waiters_.empty()) { // --mine: nobody asked; relay and the next block follow
                // Still checked: a failed write schedules the recovery that resumes mining.
                chain_.when_durable(chain_.take_ticket(), [](bool) {});
                start_if_needed();
                return;
            }
            // The reply waits until the block is on stable storage.
            auto h = std::make_shared<mine_handler>(std::move(waiters_.front().handler));
            waiters_.pop_front();
            auto reply = [h, block_json = chain_.entry_json(tip.blk.index)](bool ok) mutable {
                complete(
                    std::move(*h),
                    ok ? node_result<std::string>(std::move(block_json))
                       : not_mining("the block could not be stored; try again later")
                );
            };
            chain_.when_durable(chain_.take_ticket(), std::move(reply));
        } else {
            log::info(
                "mined block " + std::to_string(index) + " is stale (" +
                std::string(core::to_string(r.reason)) + "); mining again"
            );
        }
    }
    start_if_needed();
}

void mining_service::restart()
{
    // Not when idle: on_mined connects its block (which calls back here) before it answers the
    // waiter the block is for, and a search started now would mine for nobody.
    if (!mining_)
        return;
    ++job_; // the cancelled search's completion is now ignored
    stop_clock();
    miner_.cancel();
    start_if_needed();
}

} // namespace beastchain::node
