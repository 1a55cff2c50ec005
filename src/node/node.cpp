// Node wiring: construction, transactions, mining, chain reads and status. Peers, relay and sync
// live in network.cpp; the shared internals in node_impl.hpp.
#include "node_impl.hpp"

namespace beastchain::node {

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
        // The session cancels us when the client leaves (route option cancel_when_client_leaves):
        // the waiter is then dropped unless its search has started. The slot is taken from the
        // type-erased handler: Boost 1.81's any_completion_handler drops a handler assigned earlier.
        impl::mine_handler h(std::move(handler));
        auto departed = std::make_shared<std::atomic<bool>>(false);
        auto slot = h.get_cancellation_slot();
        if (slot.is_connected())
            slot.assign([self, departed](asio::cancellation_type) {
                departed->store(true);
                asio::post(self->strand_, [self] { self->drop_departed_mine_waiters(); });
            });
        asio::post(self->strand_, [self, departed, h = std::move(h)]() mutable {
            if (self->shut_down_) {
                impl::complete(std::move(h), mine_outcome{false, {}, "the node is shutting down"});
                return;
            }
            self->mine_waiters_.push_back({std::move(h), std::move(departed)});
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
        st.advertise_url = self->advertise_;
        st.mining = self->mining_;
        st.mine_requests = self->mine_waiters_.size();
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

asio::any_io_executor node::worker_executor() noexcept
{
    return impl_->verifier_.get_executor();
}

void node::shutdown()
{
    impl* self = impl_.get();
    asio::dispatch(self->strand_, [self] {
        if (self->shut_down_)
            return;
        self->shut_down_ = true;
        self->miner_.cancel();
        if (self->sync_timer_)
            self->sync_timer_->cancel();
        if (self->orphan_timer_)
            self->orphan_timer_->cancel();
        while (!self->mine_waiters_.empty()) {
            impl::complete(
                std::move(self->mine_waiters_.front().handler),
                mine_outcome{false, {}, "the node is shutting down"}
            );
            self->mine_waiters_.pop_front();
        }
    });
}

} // namespace beastchain::node
