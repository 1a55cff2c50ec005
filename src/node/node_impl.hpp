// The node's internals, shared by node.cpp (ledger, storage, mining) and network.cpp (peers,
// relay, sync). Threading rule: every member of impl below the "strand-owned" line is touched only
// on strand_. Workers (miner, verifier) never touch them; they post results to strand_.
#pragma once

#include <beastchain/json/conversions.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/node/clock.hpp>
#include <beastchain/node/miner.hpp>
#include <beastchain/node/node.hpp>
#include <beastchain/node/peer_table.hpp>
#include <beastchain/node/sync.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <set>
#include <stdexcept>
#include <future>
#include <unordered_map>
#include <unordered_set>

namespace beastchain::node {

namespace asio = boost::asio;

inline std::string serialize_entry(const core::chain_entry& e)
{
    return boost::json::serialize(boost::json::value_from(e));
}

/// What a strand operation wrote to storage: the sequence number to wait for, or a refusal.
struct durability_ticket
{
    std::uint64_t seq = 0; ///< 0: nothing was written
    bool refused = false;  ///< storage is failed: the change was not kept
};

struct node::impl : core::ledger_observer
{
    using mine_handler = asio::any_completion_handler<void(std::exception_ptr, mine_outcome)>;

    impl(asio::io_context& ioc, config c)
        : cfg(std::move(c))
        , io(ioc.get_executor())
        , strand_(asio::make_strand(ioc))
        , verifier_(1)
        , miner_(cfg.miner_threads)
        , ledger_(cfg.consensus, cfg.max_pending, this)
        , peers_(cfg.max_peers)
    {
        if (cfg.in_memory) {
            node_address = core::make_uuid_hex();
            return;
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto limits = storage::store_options::for_blocks(cfg.consensus.max_block_transactions);
        if (cfg.storage_max_record_bytes != 0)
            limits.max_record_bytes = cfg.storage_max_record_bytes; // a test and tuning knob
        store_ = std::make_unique<storage::store>(cfg.data_dir, limits);
        load_state(store_->take_loaded());
        if (node_address.empty()) {
            // First start: the address is generated once and kept, so rewards keep one recipient.
            node_address = core::make_uuid_hex();
            storage::record r;
            r.type = storage::record_type::node_identity;
            r.text = node_address;
            std::promise<bool> written;
            store_->when_durable(store_->append(r), [&written](bool ok) { written.set_value(ok); });
            if (!written.get_future().get())
                throw storage::storage_error(
                    "cannot write the node identity to " + store_->log_path().string()
                );
        }
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
                .count();
        log::info(
            "loaded " + std::to_string(ledger_.best_chain().size()) + " blocks, " +
            std::to_string(ledger_.pending().size()) + " pending transactions and " +
            std::to_string(peers_.size()) + " peers from " + store_->log_path().string() + " in " +
            std::to_string(ms) + " ms" + (cfg.reverify ? " (reverified)" : "")
        );
    }

    const config cfg;
    std::string node_address; ///< set once at start-up, read-only afterwards
    asio::any_io_executor io;

    // ---- strand-owned -------------------------------------------------------------------
    asio::strand<asio::io_context::executor_type> strand_;
    asio::thread_pool verifier_; ///< validates peers' chains off the I/O thread
    miner miner_;
    core::ledger ledger_;
    std::unique_ptr<storage::store> store_; ///< null when --in-memory
    peer_table peers_;
    struct mine_waiter
    {
        mine_handler handler;
        /// Set (from the caller's cancellation) when its client has left.
        std::shared_ptr<std::atomic<bool>> departed;
    };
    std::deque<mine_waiter> mine_waiters_;
    bool mining_ = false;
    std::uint64_t mining_job_ = 0;
    bool shut_down_ = false;
    std::shared_ptr<const std::string> chain_cache_; ///< serialized chain array; reset on change
    /// Serialized blocks of the best chain, a prefix of it (filled lazily). Blocks never change,
    /// so a new tip costs one serialization and /chain is a concatenation, not a re-encoding.
    std::vector<std::string> entry_json_;
    bool replaying_ = false;
    durability_ticket pending_ticket_; ///< what the current strand operation wrote
    std::chrono::steady_clock::time_point mining_since_{};
    double mining_seconds_ = 0;           ///< time spent searching, for the hash rate
    ::beastchain::node::metrics metrics_; ///< thread-safe on its own
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

    // ---- storage ------------------------------------------------------------------------

    /// Rebuilds ledger, peers and address from stored records. On the strand (or before it runs).
    void load_state(std::vector<storage::record> records)
    {
        // However the replay ends (a record that does not replay throws), writes are no longer
        // skipped and the caches are dropped: they described the state being replaced.
        struct replay_scope
        {
            impl& self;
            explicit replay_scope(impl& s)
                : self(s)
            {
                self.replaying_ = true;
            }
            ~replay_scope()
            {
                self.replaying_ = false;
                self.chain_cache_.reset();
                self.entry_json_.clear();
            }
            replay_scope(const replay_scope&) = delete;
            replay_scope& operator=(const replay_scope&) = delete;
        } scope(*this);
        ledger_ = core::ledger(cfg.consensus, cfg.max_pending, this);
        peers_ = peer_table(cfg.max_peers);
        const std::uint64_t now = now_ms();
        for (auto& r : records) {
            core::validation_result result;
            switch (r.type) {
            case storage::record_type::node_identity:
                node_address = r.text;
                break;
            case storage::record_type::transaction_accepted:
                ledger_.replay_transaction(std::move(r.tx));
                break;
            case storage::record_type::block_connected:
                result = ledger_.replay_block(
                    std::move(r.blocks.at(0).blk), r.blocks.at(0).hash, cfg.reverify, now
                );
                break;
            case storage::record_type::chain_replaced: {
                std::vector<std::pair<core::block, core::hash256>> suffix;
                for (auto& b : r.blocks)
                    suffix.emplace_back(std::move(b.blk), b.hash);
                result = ledger_.replay_chain_switch(r.fork_index, std::move(suffix), cfg.reverify, now);
                break;
            }
            case storage::record_type::switch_begin:
            case storage::record_type::switch_commit:
                break; // never loaded: the store assembles them into chain_replaced
            case storage::record_type::peer_added:
            case storage::record_type::peer_announced: {
                std::string why;
                if (auto p = net::parse_peer_url(r.text, why))
                    peers_.add(std::move(*p), now, r.type == storage::record_type::peer_announced);
                break;
            }
            case storage::record_type::peer_removed:
                peers_.remove(r.text);
                break;
            }
            if (!result)
                throw storage::storage_error(
                    store_->log_path().string() +
                    " does not replay: " + std::string(core::to_string(result.reason)) + ": " + result.detail
                );
        }
    }

    void write_record(const storage::record& r)
    {
        if (replaying_ || !store_)
            return;
        const std::uint64_t seq = store_->append(r);
        if (seq == 0)
            pending_ticket_.refused = true;
        pending_ticket_.seq = std::max(pending_ticket_.seq, seq);
    }

    /// The writes of the operation that just ran on the strand.
    durability_ticket take_ticket() { return std::exchange(pending_ticket_, {}); }

    bool storage_writable() const { return !store_ || !store_->failed(); }

    void on_transaction_accepted(const core::transaction& tx) override
    {
        storage::record r;
        r.type = storage::record_type::transaction_accepted;
        r.tx = tx;
        write_record(r);
        if (!replaying_)
            relay_transaction(tx);
    }

    void on_block_connected(const core::chain_entry& e) override
    {
        storage::record r;
        r.type = storage::record_type::block_connected;
        r.blocks.push_back({e.blk, e.hash});
        write_record(r);
        if (!replaying_)
            relay_block(e);
    }

    void on_chain_replaced(std::size_t fork_index, std::span<const core::block>) override
    {
        entry_json_.resize(std::min(entry_json_.size(), fork_index)); // later blocks changed
        // One record carries the whole new suffix: a crash leaves the old chain or the new one.
        storage::record r;
        r.type = storage::record_type::chain_replaced;
        r.fork_index = fork_index;
        const auto& entries = ledger_.best_chain().entries();
        for (std::size_t i = fork_index; i < entries.size(); ++i)
            r.blocks.push_back({entries[i].blk, entries[i].hash});
        write_record(r);
        // Peers learn of a switch from its tip: one that cannot connect it syncs with us.
        if (!replaying_)
            relay_block(ledger_.best_chain().tip());
    }

    /// Calls `done(ok)` (on any thread) once the ticket's writes are durable or have failed.
    void when_durable(durability_ticket t, std::function<void(bool)> done)
    {
        if (t.refused) {
            schedule_recovery();
            done(false);
        } else if (!store_ || t.seq == 0) {
            done(true);
        } else {
            auto checked = [this, done = std::move(done)](bool ok) {
                if (!ok)
                    schedule_recovery();
                done(ok);
            };
            store_->when_durable(t.seq, std::move(checked));
        }
    }

    /// Resumes the awaiting coroutine once the ticket is durable (true) or failed (false).
    asio::awaitable<bool> wait_durable(durability_ticket t)
    {
        auto initiate = [this, t](auto handler) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            when_durable(t, [h](bool ok) {
                auto ex = asio::get_associated_executor(*h);
                asio::dispatch(ex, [h, ok] { std::move (*h)(ok); });
            });
        };
        co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(bool)>(
            initiate, asio::use_awaitable
        );
    }

    /// After a failed write: rebuild state from what is durable, dropping every unacknowledged change.
    /// If that fails the store stays failed, so writes keep being refused (503), never acknowledged.
    void schedule_recovery()
    {
        asio::post(strand_, [this] {
            if (!store_ || !store_->failed())
                return;
            try {
                auto rebuild = [this](std::vector<storage::record> records) {
                    load_state(std::move(records));
                };
                store_->recover(rebuild);
                log::warning("storage recovered: state rebuilt from " + store_->log_path().string());
                restart_mining();
            } catch (const std::exception& e) {
                log::error(
                    std::string("storage recovery failed: ") + e.what() +
                    "; refusing writes until the node is restarted"
                );
            }
        });
    }

    /// Runs `fn` on the strand and resumes the awaiting coroutine on its own executor with the
    /// result. An exception thrown by `fn` is rethrown in the caller.
    template <class Fn> asio::awaitable<std::invoke_result_t<Fn&>> on_strand(Fn fn)
    {
        using result = std::invoke_result_t<Fn&>;
        auto initiate = [this](auto handler, Fn f) {
            asio::post(strand_, [h = std::move(handler), f = std::move(f)]() mutable {
                std::exception_ptr failure;
                result r{};
                try {
                    r = f();
                } catch (...) {
                    failure = std::current_exception();
                }
                auto ex = asio::get_associated_executor(h);
                asio::dispatch(ex, [h = std::move(h), failure, r = std::move(r)]() mutable {
                    std::move(h)(failure, std::move(r));
                });
            });
        };
        return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, result)>(
            initiate, asio::use_awaitable, std::move(fn)
        );
    }

    /// Block `i` of the best chain as JSON, from the per-block cache.
    const std::string& entry_json(std::size_t i)
    {
        const auto& entries = ledger_.best_chain().entries();
        while (entry_json_.size() <= i)
            entry_json_.push_back(serialize_entry(entries[entry_json_.size()]));
        return entry_json_[i];
    }

    std::shared_ptr<const std::string> chain_array()
    {
        if (!chain_cache_) {
            const std::size_t n = ledger_.best_chain().size();
            std::size_t bytes = 2;
            for (std::size_t i = 0; i < n; ++i)
                bytes += entry_json(i).size() + 1;
            std::string s;
            s.reserve(bytes);
            s += '[';
            for (std::size_t i = 0; i < n; ++i) {
                if (i > 0)
                    s += ',';
                s += entry_json_[i];
            }
            s += ']';
            chain_cache_ = std::make_shared<const std::string>(std::move(s));
        }
        return chain_cache_;
    }

    /// Answers a waiting caller (a /mine or /sync-chain handler) with `r` on the caller's own
    /// executor, never inline on the strand.
    template <class Handler, class Result>
    static void complete(Handler h, Result r, std::exception_ptr failed = nullptr)
    {
        auto ex = asio::get_associated_executor(h);
        asio::dispatch(ex, [h = std::move(h), r = std::move(r), failed]() mutable {
            std::move(h)(failed, std::move(r));
        });
    }

    /// Answers and removes the waiters whose clients have left, except one whose search is
    /// running (its block is nearly paid for and will serve the next caller's chain). On the strand.
    void drop_departed_mine_waiters()
    {
        const std::size_t keep = mining_ ? 1 : 0;
        // Rebuilt rather than erased from: Boost 1.81's any_completion_handler move assignment
        // recurses without end, so its elements are only ever move-constructed.
        std::deque<mine_waiter> staying;
        for (std::size_t i = 0; i < mine_waiters_.size(); ++i) {
            mine_waiter& w = mine_waiters_[i];
            if (i < keep || !w.departed->load()) {
                staying.push_back(std::move(w));
                continue;
            }
            complete(std::move(w.handler), mine_outcome{false, {}, "the client went away"});
            log::debug("dropped a /mine request whose client went away before its search started");
        }
        mine_waiters_.swap(staying);
    }

    /// Starts a search for the first waiter if none is running. On the strand.
    void start_mining_if_needed()
    {
        if (mining_ || shut_down_)
            return;
        drop_departed_mine_waiters(); // a departed caller must not force a block
        if (mine_waiters_.empty())
            return;
        if (!storage_writable()) {
            // A block we could not store would be lost on restart: refuse rather than pretend.
            while (!mine_waiters_.empty()) {
                complete(
                    std::move(mine_waiters_.front().handler),
                    mine_outcome{false, {}, "storage is failing; try again later"}
                );
                mine_waiters_.pop_front();
            }
            return;
        }
        mining_ = true;
        mining_since_ = std::chrono::steady_clock::now();
        const std::uint64_t job = ++mining_job_;
        core::block tmpl = ledger_.make_block_template(node_address, cfg.difficulty, now_ms());
        log::debug(
            "mining block " + std::to_string(tmpl.index) + " with " +
            std::to_string(tmpl.transactions.size()) + " transactions"
        );
        auto on_done = [this, job](std::optional<core::block> solved) {
            asio::post(strand_, [this, job, solved = std::move(solved)]() mutable {
                on_mined(job, std::move(solved));
            });
        };
        miner_.start(std::move(tmpl), std::move(on_done));
    }

    void stop_mining_clock()
    {
        if (mining_)
            mining_seconds_ +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - mining_since_).count();
        mining_ = false;
    }

    /// A search ended (solved or cancelled). On the strand.
    void on_mined(std::uint64_t job, std::optional<core::block> solved)
    {
        if (job != mining_job_)
            return; // a superseded search
        stop_mining_clock();
        if (solved && !shut_down_) {
            const std::uint64_t index = solved->index;
            // The tip may have moved (a sync adopted another chain): then the block no longer
            // connects and the same waiter is served by a fresh search on the new tip.
            if (auto r = ledger_.connect_block(std::move(*solved), now_ms()); r) {
                chain_cache_.reset();
                const core::chain_entry& tip = ledger_.best_chain().tip();
                log::info("mined block " + std::to_string(index) + " " + core::to_hex(tip.hash));
                metrics_.block_mined();
                // The reply waits until the block is on stable storage.
                auto h = std::make_shared<mine_handler>(std::move(mine_waiters_.front().handler));
                mine_waiters_.pop_front();
                auto reply = [h, block_json = entry_json(tip.blk.index)](bool ok) mutable {
                    complete(
                        std::move(*h),
                        ok ? mine_outcome{true, std::move(block_json), {}}
                           : mine_outcome{false, {}, "the block could not be stored; try again later"}
                    );
                };
                when_durable(take_ticket(), std::move(reply));
            } else {
                log::info(
                    "mined block " + std::to_string(index) + " is stale (" +
                    std::string(core::to_string(r.reason)) + "); mining again"
                );
            }
        }
        start_mining_if_needed();
    }

    /// The tip changed under a running search: restart it on the new tip. On the strand.
    void restart_mining()
    {
        if (!mining_)
            return;
        ++mining_job_; // the cancelled search's completion is now ignored
        stop_mining_clock();
        miner_.cancel();
        start_mining_if_needed();
    }

    // ---- network (network.cpp) ----------------------------------------------------------

    /// What is waiting to go to one peer. Bounded: a slow peer only ever delays itself.
    struct outbox
    {
        std::deque<core::transaction> txs;
        std::deque<std::string> blocks; ///< serialized blocks, newest last
        bool sending = false;           ///< a drain coroutine owns the queue
        std::uint64_t dropped = 0;
    };
    std::unordered_map<std::string, outbox> outboxes_;
    std::string relay_origin_; ///< the peer whose item is being applied: not sent back to it
    std::unordered_set<std::string> unannounced_; ///< peers we have not yet told our address
    std::string advertise_;                       ///< our announced address; empty: do not announce

    using sync_handler = asio::any_completion_handler<void(std::exception_ptr, sync_outcome)>;
    std::vector<sync_handler> sync_waiters_;
    bool sync_running_ = false;
    bool sync_again_ = false;
    std::unique_ptr<asio::steady_timer> sync_timer_;

    /// Valid blocks that did not connect and started a sync round: replaying one starts no more,
    /// and each origin (a registered peer, or everyone else together) starts at most one round per
    /// `orphan_sync_interval_ms`; one that comes sooner is served by a single deferred round.
    static constexpr std::size_t recent_orphans_kept = 1024;
    static constexpr std::uint64_t orphan_sync_interval_ms = 1'000;
    std::set<core::hash256> recent_orphans_;
    std::deque<core::hash256> orphan_order_;
    std::unordered_map<std::string, std::uint64_t> orphan_sync_at_; ///< at most max_peers + 1 keys
    std::unique_ptr<asio::steady_timer> orphan_timer_;               ///< the deferred round, if any
    /// Starts or schedules the sync round a new orphan block calls for. On the strand.
    void sync_for_orphan(const core::hash256& hash, const std::string& origin);

    /// Test only: throws once at the step `cfg.fail_point` names.
    bool fail_point_fired_ = false;
    void hit_fail_point(std::string_view name)
    {
        if (fail_point_fired_ || cfg.fail_point != name)
            return;
        fail_point_fired_ = true;
        throw std::runtime_error("fail point " + std::string(name));
    }

    /// The next request a peer's drain coroutine should make.
    struct outbound
    {
        enum class kind
        {
            stop, ///< nothing queued (or the peer is gone or banned): the coroutine ends
            wait, ///< the peer is backing off
            send
        };
        kind what = kind::stop;
        std::uint64_t wait_ms = 0;
        std::string target;
        std::string body;
        std::size_t transactions = 0;
        std::size_t blocks = 0;
    };
    outbound next_outbound(const std::string& peer);

    /// Queues `item` in the `queue` of every peer it should reach (not its origin, not a banned
    /// peer), dropping the oldest entry of a queue already holding `capacity`.
    template <class Item>
    void enqueue_for_peers(std::deque<Item> outbox::*queue, std::size_t capacity, const Item& item);
    void relay_transaction(const core::transaction& tx);
    void relay_block(const core::chain_entry& e);
    void wake_outbox(const net::peer_url& peer, outbox& box);
    asio::awaitable<void> drain_outbox(net::peer_url peer);
    void announce_to(const net::peer_url& peer);
    asio::awaitable<void> send_announcement(net::peer_url peer, std::string self);
    void request_sync(std::optional<sync_handler> waiter);
    asio::awaitable<void> run_sync_round(std::vector<sync_handler> waiters);
    asio::awaitable<sync_outcome> sync_round(bool want_chain);
    asio::awaitable<void> run_background_sync();

    // ---- peer membership (peer_membership.cpp) ------------------------------------------
    /// Records how an exchange with a peer went: success, failure (back-off) or ban. An announced
    /// peer that keeps failing, or that answered as something other than a beastchain peer
    /// (`not_a_peer`), is evicted.
    void note_contact(
        const std::string& peer, bool ok, const std::string& error, bool ban, bool not_a_peer = false
    );
    /// Adds a peer to the table and the log (an operator's may evict an announced one).
    peer_table::add_result add_peer(const net::peer_url& peer, bool announced);
    /// Removes a peer from the table, its queues and the log.
    void forget_peer(const std::string& peer, const std::string& why);
};

} // namespace beastchain::node
