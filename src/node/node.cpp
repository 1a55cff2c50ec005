// Node wiring. Threading rule: every member of impl below the "strand-owned" line is touched only
// on strand_. Workers (miner, verifier) never touch them; they post results to strand_.
#include <beastchain/json/conversions.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/node/miner.hpp>
#include <beastchain/node/node.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <future>

namespace beastchain::node {

namespace asio = boost::asio;

namespace {

std::uint64_t now_ms()
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()
    )
                                          .count());
}

/// A peer's chain after fetching and validation: either a candidate or why there is none.
struct candidate_outcome
{
    std::string peer;
    std::optional<core::candidate_chain> chain;
    std::string error;
    std::string reason = "unreachable"; ///< metrics label: a reject_reason name, or how the fetch failed
};

/// Parses, decodes and validates a peer's /chain reply. CPU-bound: runs on the verification pool.
asio::awaitable<candidate_outcome>
decode_and_validate(std::string peer, std::string body, core::consensus_params params, std::size_t max_blocks)
{
    candidate_outcome out{std::move(peer), std::nullopt, {}};
    auto parsed = json::parse_body(body);
    out.reason = "invalid_reply";
    if (!parsed.ok()) {
        out.error = "invalid reply: body " + parsed.error().detail;
        co_return out;
    }
    auto decoded = json::decode_chain_reply(parsed.value(), max_blocks);
    if (!decoded.ok()) {
        out.error = "invalid reply: " + decoded.error().field + " " + decoded.error().detail;
        co_return out;
    }
    core::chain_rejection rejection;
    out.chain = core::validate_chain(
        std::move(decoded.value().blocks), decoded.value().claimed_hashes, now_ms(), params, rejection
    );
    out.reason = std::string(core::to_string(rejection.result.reason));
    if (!out.chain)
        out.error = "invalid chain: block " + std::to_string(rejection.index) + ": " +
                    std::string(core::to_string(rejection.result.reason)) + ": " + rejection.result.detail;
    co_return out;
}

/// Fetches one peer's chain and validates it on `verifier`. Never throws for peer misbehaviour.
asio::awaitable<candidate_outcome> fetch_candidate(
    net::peer_url peer,
    net::peer_limits limits,
    core::consensus_params params,
    std::size_t max_blocks,
    asio::any_io_executor verifier
)
{
    net::peer_result res = co_await net::send_peer_request(peer, net::http::verb::get, "/chain", {}, limits);
    if (!res.reply)
        co_return candidate_outcome{peer.normalized, std::nullopt, res.error};
    if (res.reply->status != 200)
        co_return candidate_outcome{
            peer.normalized, std::nullopt, "answered HTTP " + std::to_string(res.reply->status)};
    co_return co_await asio::co_spawn(
        verifier,
        decode_and_validate(peer.normalized, std::move(res.reply->body), params, max_blocks),
        asio::use_awaitable
    );
}

std::string serialize_entry(const core::chain_entry& e)
{
    return boost::json::serialize(boost::json::value_from(e));
}

} // namespace

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
    {
        if (cfg.in_memory) {
            node_address = core::make_uuid_hex();
            return;
        }
        const auto t0 = std::chrono::steady_clock::now();
        store_ = std::make_unique<storage::store>(cfg.data_dir);
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
    std::vector<net::peer_url> peers_;
    std::deque<mine_handler> mine_waiters_;
    bool mining_ = false;
    std::uint64_t mining_job_ = 0;
    bool shut_down_ = false;
    std::shared_ptr<const std::string> chain_cache_; ///< serialized chain array; reset on change
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
        replaying_ = true;
        ledger_ = core::ledger(cfg.consensus, cfg.max_pending, this);
        peers_.clear();
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
            case storage::record_type::peer_added: {
                std::string why;
                if (auto p = net::parse_peer_url(r.text, why); p && peers_.size() < cfg.max_peers)
                    peers_.push_back(std::move(*p));
                break;
            }
            }
            if (!result)
                throw storage::storage_error(
                    store_->log_path().string() +
                    " does not replay: " + std::string(core::to_string(result.reason)) + ": " + result.detail
                );
        }
        replaying_ = false;
        chain_cache_.reset();
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
    }

    void on_block_connected(const core::chain_entry& e) override
    {
        storage::record r;
        r.type = storage::record_type::block_connected;
        r.blocks.push_back({e.blk, e.hash});
        write_record(r);
    }

    void on_chain_replaced(std::size_t fork_index, std::span<const core::block>) override
    {
        // One record carries the whole new suffix: a crash leaves the old chain or the new one.
        storage::record r;
        r.type = storage::record_type::chain_replaced;
        r.fork_index = fork_index;
        const auto& entries = ledger_.best_chain().entries();
        for (std::size_t i = fork_index; i < entries.size(); ++i)
            r.blocks.push_back({entries[i].blk, entries[i].hash});
        write_record(r);
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
    void schedule_recovery()
    {
        asio::post(strand_, [this] {
            if (!store_ || !store_->failed())
                return;
            try {
                load_state(store_->recover());
                log::warning("storage recovered: state rebuilt from " + store_->log_path().string());
                restart_mining();
            } catch (const std::exception& e) {
                log::error(std::string("storage recovery failed: ") + e.what());
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

    std::shared_ptr<const std::string> chain_array()
    {
        if (!chain_cache_) {
            std::string s = "[";
            for (const auto& e : ledger_.best_chain().entries()) {
                if (s.size() > 1)
                    s += ',';
                s += serialize_entry(e);
            }
            s += ']';
            chain_cache_ = std::make_shared<const std::string>(std::move(s));
        }
        return chain_cache_;
    }

    static void complete(mine_handler h, mine_outcome r)
    {
        auto ex = asio::get_associated_executor(h);
        asio::dispatch(ex, [h = std::move(h), r = std::move(r)]() mutable {
            std::move(h)(nullptr, std::move(r));
        });
    }

    /// Starts a search for the first waiter if none is running. On the strand.
    void start_mining_if_needed()
    {
        if (mining_ || mine_waiters_.empty() || shut_down_)
            return;
        if (!storage_writable()) {
            // A block we could not store would be lost on restart: refuse rather than pretend.
            while (!mine_waiters_.empty()) {
                complete(
                    std::move(mine_waiters_.front()),
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
                auto h = std::make_shared<mine_handler>(std::move(mine_waiters_.front()));
                mine_waiters_.pop_front();
                auto reply = [h, block_json = serialize_entry(tip)](bool ok) mutable {
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
};

node::node(asio::io_context& ioc, config cfg)
    : impl_(std::make_unique<impl>(ioc, std::move(cfg)))
{}

node::~node()
{
    shutdown();
    impl_->miner_.shutdown();
    impl_->verifier_.join();
}

const config& node::settings() const noexcept
{
    return impl_->cfg;
}

const std::string& node::address() const noexcept
{
    return impl_->node_address;
}

asio::awaitable<submit_outcome> node::submit_transaction(core::transaction tx)
{
    impl* self = impl_.get();
    auto accept = [self, tx = std::move(tx)]() mutable {
        if (!self->storage_writable())
            return std::pair{
                submit_outcome{core::ledger::accept_status::accepted, {}, 0, true}, durability_ticket{}};
        auto r = self->ledger_.accept_transaction(std::move(tx));
        submit_outcome out{r.status, std::move(r.detail), 0, false};
        if (r.status == core::ledger::accept_status::accepted) {
            // It is last in line: say which block should carry it given the per-block cap.
            const std::size_t per_block = self->cfg.consensus.max_block_transactions - 1;
            out.block_index = self->ledger_.best_chain().tip().blk.index + 1 +
                              (self->ledger_.pending().size() - 1) / per_block;
        }
        return std::pair{std::move(out), self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(accept));
    // 201 means durable: answer only after the record is synced.
    if (!out.storage_failed && !co_await self->wait_durable(ticket))
        out.storage_failed = true;
    co_return out;
}

asio::awaitable<mine_outcome> node::mine()
{
    impl* self = impl_.get();
    auto initiate = [self](auto handler) {
        asio::post(self->strand_, [self, h = std::move(handler)]() mutable {
            if (self->shut_down_) {
                impl::complete(std::move(h), mine_outcome{false, {}, "the node is shutting down"});
                return;
            }
            self->mine_waiters_.emplace_back(std::move(h));
            self->start_mining_if_needed();
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, mine_outcome)>(
        initiate, asio::use_awaitable
    );
}

asio::awaitable<std::pair<std::shared_ptr<const std::string>, std::size_t>> node::chain_json()
{
    impl* self = impl_.get();
    auto read = [self] {
        return std::pair{self->chain_array(), self->ledger_.best_chain().size()};
    };
    co_return co_await self->on_strand(std::move(read));
}

asio::awaitable<register_outcome> node::register_peer(net::peer_url peer)
{
    impl* self = impl_.get();
    auto add = [self, peer = std::move(peer)]() mutable {
        register_outcome out;
        auto& peers = self->peers_;
        if (std::find(peers.begin(), peers.end(), peer) == peers.end()) {
            if (peers.size() >= self->cfg.max_peers)
                out.full = true;
            else if (!self->storage_writable())
                out.storage_failed = true;
            else {
                log::info("registered peer " + peer.normalized);
                storage::record r;
                r.type = storage::record_type::peer_added;
                r.text = peer.normalized;
                self->write_record(r);
                peers.push_back(std::move(peer));
                out.added = true;
            }
        }
        for (const auto& p : peers)
            out.nodes.push_back(p.normalized);
        return std::pair{std::move(out), self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(add));
    if (!out.storage_failed && !co_await self->wait_durable(ticket))
        out.storage_failed = true;
    co_return out;
}

asio::awaitable<sync_outcome> node::sync()
{
    impl* self = impl_.get();
    auto snapshot = [self] {
        return self->peers_;
    };
    const std::vector<net::peer_url> peers = co_await self->on_strand(std::move(snapshot));

    std::vector<candidate_outcome> candidates;
    if (!peers.empty()) {
        // Fetch and validate every peer concurrently; each fetch bounds its own time and size.
        auto ex = co_await asio::this_coro::executor;
        using op_type = decltype(asio::co_spawn(ex, fetch_candidate({}, {}, {}, 0, ex), asio::deferred));
        std::vector<op_type> ops;
        ops.reserve(peers.size());
        for (const auto& p : peers)
            ops.push_back(asio::co_spawn(
                ex,
                fetch_candidate(
                    p,
                    self->cfg.peer,
                    self->cfg.consensus,
                    self->cfg.max_peer_chain_blocks,
                    self->verifier_.get_executor()
                ),
                asio::deferred
            ));
        auto [order, errors, results] =
            co_await asio::experimental::make_parallel_group(std::move(ops))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (errors[i]) {
                // fetch_candidate reports peer faults as values; an exception here is our bug.
                try {
                    std::rethrow_exception(errors[i]);
                } catch (const std::exception& e) {
                    log::error("sync with " + peers[i].normalized + " failed internally: " + e.what());
                    results[i] =
                        candidate_outcome{peers[i].normalized, std::nullopt, "internal error", "internal"};
                }
            }
            candidates.push_back(std::move(results[i]));
        }
    }

    auto adopt = [self, candidates = std::move(candidates)]() mutable {
        sync_outcome out;
        core::candidate_chain* best = nullptr;
        bool any_valid = false;
        for (auto& c : candidates) {
            if (!c.chain) {
                log::warning("sync: peer " + c.peer + " rejected: " + c.error);
                out.failed.push_back({c.peer, c.error});
                self->metrics_.block_rejected(c.reason);
                continue;
            }
            any_valid = true;
            if (best == nullptr || c.chain->work() > best->work())
                best = &*c.chain;
        }
        out.status = any_valid ? sync_outcome::result::up_to_date : sync_outcome::result::no_neighbour_chain;
        if (best != nullptr && !self->storage_writable()) {
            out.storage_failed = true;
        } else if (best != nullptr) {
            const auto r = self->ledger_.adopt_if_more_work(std::move(*best));
            if (r.switched) {
                self->metrics_.blocks_received(self->ledger_.best_chain().size() - r.fork_index);
                out.status = sync_outcome::result::replaced;
                self->chain_cache_.reset();
                log::info(
                    "adopted a chain of " + std::to_string(self->ledger_.best_chain().size()) +
                    " blocks (fork at " + std::to_string(r.fork_index) + ", " +
                    std::to_string(r.returned_to_pending) + " transactions back to pending)"
                );
                self->restart_mining();
            }
        }
        out.chain_json = self->chain_array();
        return std::pair{std::move(out), self->take_ticket()};
    };
    auto [out, ticket] = co_await self->on_strand(std::move(adopt));
    self->metrics_.sync_run(out.failed.size());
    if (!co_await self->wait_durable(ticket)) {
        out.storage_failed = true;
        out.status = sync_outcome::result::up_to_date;
    }
    co_return out;
}

asio::awaitable<node_status> node::status()
{
    impl* self = impl_.get();
    auto read = [self] {
        node_status st;
        const auto& tip = self->ledger_.best_chain().tip();
        st.height = tip.blk.index;
        st.tip_hash = core::to_hex(tip.hash);
        st.cumulative_work = core::work_to_string(tip.cumulative_work);
        st.difficulty = self->cfg.difficulty;
        st.pending = self->ledger_.pending().size();
        st.peers = self->peers_.size();
        st.mining = self->mining_;
        st.hashes = self->miner_.total_hashes();
        double busy = self->mining_seconds_;
        if (self->mining_)
            busy +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - self->mining_since_).count();
        st.hash_rate = busy > 0 ? static_cast<double>(st.hashes) / busy : 0;
        st.storage_ok = self->storage_writable();
        st.uptime_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started_).count();
        st.stopping = self->shut_down_;
        if (self->store_) {
            const auto io = self->store_->statistics();
            st.storage_syncs = io.syncs;
            st.storage_sync_seconds = io.sync_seconds;
        }
        return st;
    };
    co_return co_await self->on_strand(std::move(read));
}

::beastchain::node::metrics& node::stats() noexcept
{
    return impl_->metrics_;
}

void node::shutdown()
{
    impl* self = impl_.get();
    asio::dispatch(self->strand_, [self] {
        if (self->shut_down_)
            return;
        self->shut_down_ = true;
        self->miner_.cancel();
        while (!self->mine_waiters_.empty()) {
            impl::complete(
                std::move(self->mine_waiters_.front()), mine_outcome{false, {}, "the node is shutting down"}
            );
            self->mine_waiters_.pop_front();
        }
    });
}

} // namespace beastchain::node
