// The node facade: builds the services, wires their events, and turns each operation into a
// step on the chain strand whose result the caller awaits.
#include <beastchain/core/signing.hpp>
#include <beastchain/log.hpp>
#include <beastchain/node/clock.hpp>
#include <beastchain/node/node.hpp>

#include "node_impl.hpp"
#include "signature_checks.hpp"

namespace beastchain::node {

node::node(asio::io_context& ioc, config cfg)
    : impl_(std::make_unique<impl>(ioc, std::move(cfg)))
{}

node::~node()
{
    shutdown();
    impl_->mining.join();
    impl_->sync.join();
}

const config& node::settings() const noexcept
{
    return impl_->cfg;
}

const std::string& node::address() const noexcept
{
    return impl_->chain.address();
}

::beastchain::node::metrics& node::stats() noexcept
{
    return impl_->stats;
}

peer_admission& node::admission() noexcept
{
    return impl_->admission;
}

explorer_service& node::explorer() noexcept
{
    return impl_->explorer;
}

asio::any_io_executor node::worker_executor() noexcept
{
    return impl_->sync.verifier();
}

// ---- transactions ----------------------------------------------------------------------------

asio::awaitable<node_result<std::uint64_t>> node::submit_transaction(core::transaction tx)
{
    impl* self = impl_.get();
    // The signature is checked here, on the I/O thread that parsed the request, so the strand
    // (one for all requests) finds it in the signature cache instead of verifying it itself.
    if (self->cfg.consensus.signed_transactions && tx.is_signed())
        if (auto r = core::check_signed_transaction(tx, self->cfg.consensus.chain_id); !r)
            co_return rejected_transaction(std::move(r));
    auto accept = [self, tx = std::move(tx)]() mutable -> node_result<std::uint64_t> {
        if (!self->chain.writable())
            return impl::storage_unavailable();
        auto r = self->chain.accept(std::move(tx), {});
        switch (r.status) {
        case core::ledger::accept_status::accepted:
            break;
        case core::ledger::accept_status::invalid:
            return rejected_transaction(std::move(r.detail));
        case core::ledger::accept_status::duplicate:
            return node_error{node_errc::duplicate_transaction, std::move(r.detail.detail)};
        case core::ledger::accept_status::conflict:
            return node_error{node_errc::conflict, std::move(r.detail.detail), "nonce"};
        case core::ledger::accept_status::pool_full:
            return node_error{
                node_errc::pool_full,
                r.detail ? "too many pending transactions; mine or retry later" : r.detail.detail};
        }
        // It is last in line: say which block should carry it given the per-block cap.
        const auto& ledger = self->chain.ledger();
        const std::size_t per_block = self->cfg.consensus.max_block_transactions - 1;
        return ledger.best_chain().tip().blk.index + 1 + (ledger.pending().size() - 1) / per_block;
    };
    co_return co_await self->durably(std::move(accept));
}

asio::awaitable<node_result<relay_outcome>>
node::receive_transactions(std::vector<core::transaction> txs, std::string origin)
{
    impl* self = impl_.get();
    if (self->cfg.consensus.signed_transactions)
        if (!co_await verify_batch_signatures(self->sync.verifier(), txs, self->cfg.consensus))
            co_return node_error{
                node_errc::invalid_field, "a transaction's signature does not verify", "transactions"};
    auto accept =
        [self, txs = std::move(txs), origin = std::move(origin)]() mutable -> node_result<relay_outcome> {
        if (!self->chain.writable())
            return impl::storage_unavailable();
        relay_outcome out;
        for (auto& tx : txs) {
            switch (self->chain.accept(std::move(tx), origin).status) {
            case core::ledger::accept_status::accepted:
                ++out.accepted;
                break;
            case core::ledger::accept_status::duplicate:
                ++out.known;
                break;
            case core::ledger::accept_status::invalid: // signed: the sender's state moved on
            case core::ledger::accept_status::conflict:
            case core::ledger::accept_status::pool_full:
                ++out.dropped;
                break;
            }
        }
        return out;
    };
    co_return co_await self->durably(std::move(accept));
}

asio::awaitable<std::vector<std::size_t>> node::missing_transactions(std::vector<std::string> ids)
{
    impl* self = impl_.get();
    auto find = [self, ids = std::move(ids)] {
        const auto& ledger = self->chain.ledger();
        std::vector<std::size_t> missing;
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (!ledger.pending().contains(ids[i]) && !ledger.best_chain().find_transaction(ids[i]))
                missing.push_back(i);
        return missing;
    };
    co_return co_await on_strand(self->chain.strand(), std::move(find));
}

// ---- blocks and chain ------------------------------------------------------------------------

asio::awaitable<node_result<std::string>> node::mine()
{
    impl* self = impl_.get();
    auto initiate = [self](auto handler) {
        // The session cancels us when the client leaves (route option cancel_when_client_leaves):
        // the waiter is then dropped unless its search has started. The slot is taken from the
        // type-erased handler: Boost 1.81's any_completion_handler drops a handler assigned earlier.
        mining_service::mine_handler h(std::move(handler));
        auto departed = std::make_shared<std::atomic<bool>>(false);
        auto slot = h.get_cancellation_slot();
        if (slot.is_connected())
            slot.assign([self, departed](asio::cancellation_type) {
                departed->store(true);
                asio::post(self->chain.strand(), [self] { self->mining.drop_departed(); });
            });
        asio::post(self->chain.strand(), [self, departed, h = std::move(h)]() mutable {
            self->mining.enqueue(std::move(h), std::move(departed));
        });
    };
    using signature = void(std::exception_ptr, node_result<std::string>);
    return asio::async_initiate<const asio::use_awaitable_t<>, signature>(initiate, asio::use_awaitable);
}

asio::awaitable<node_result<block_outcome>>
node::receive_block(core::block b, std::optional<core::hash256> claimed_hash, std::string origin)
{
    impl* self = impl_.get();
    const core::hash256 hash = core::block_hash(b);
    if (claimed_hash && *claimed_hash != hash)
        co_return node_error{
            node_errc::invalid_block,
            std::string(core::to_string(core::reject_reason::hash_mismatch)) + ": claimed hash " +
                core::to_hex(*claimed_hash) + " is not the block's hash " + core::to_hex(hash)};
    // Proof of work first: it is cheap to check and costly to forge, so a block of junk
    // signatures costs its sender a block's work before it costs us a verification each.
    if (auto r = core::check_block_header(b, hash, self->cfg.consensus); !r)
        co_return self->invalid_block(r);
    // On an ASERT chain a target of the sender's choosing costs it nothing: where we hold the
    // parent, the required one (and median time past) is known, so check_next's timing rule runs
    // before any signature is; where we do not, nothing more is checked here (sync checks it
    // behind its headers' work).
    bool unplaced = false;
    if (self->cfg.consensus.asert) {
        core::block header; // the fields the rule reads, not the transactions
        header.index = b.index;
        header.previous_hash = b.previous_hash;
        header.timestamp_ms = b.timestamp_ms;
        header.difficulty = b.difficulty;
        auto check = [self, header = std::move(header)] {
            return self->chain.check_timing(header);
        };
        const auto timing = co_await on_strand(self->chain.strand(), std::move(check));
        unplaced = !timing;
        if (timing && !*timing)
            co_return self->invalid_block(*timing);
    }
    if (self->cfg.consensus.signed_transactions && !unplaced)
        if (auto r = co_await verify_block_signatures(self->sync.verifier(), b, self->cfg.consensus); !r)
            co_return self->invalid_block(r);
    auto apply = [self, b = std::move(b), hash, origin = std::move(origin), unplaced](
                 ) mutable -> node_result<block_outcome> {
        block_outcome out;
        const core::chain& chain = self->chain.ledger().best_chain();
        if (b.index < chain.size() && chain.entries()[b.index].hash == hash) {
            out.status = block_outcome::result::known;
        } else if (b.previous_hash == chain.tip().hash && !unplaced) {
            if (!self->chain.writable())
                return impl::storage_unavailable();
            const std::uint64_t index = b.index;
            const auto r = self->chain.connect(std::move(b), origin);
            if (r.reason == core::reject_reason::timestamp_too_far_in_future) {
                out.status = block_outcome::result::ahead_of_clock; // clocks differ: no penalty
            } else if (!r) {
                return self->invalid_block(r);
            } else {
                out.status = block_outcome::result::connected;
                self->stats.blocks_received(1);
                log::info(
                    "received block " + std::to_string(index) + " " + core::to_hex(hash) +
                    (origin.empty() ? std::string() : " from " + origin)
                );
            }
        } else if (auto c = unplaced ? core::validation_result::success()
                                     : core::check_block_contents(b, chain.params());
                   !c) {
            return self->invalid_block(c); // its header was checked before the strand
        } else {
            // A valid block we cannot place: we are behind or on another fork. A sync (one
            // status request per peer when nothing is new) finds out which.
            out.status = block_outcome::result::syncing;
            self->sync.on_orphan(hash, origin);
        }
        out.height = chain.tip().blk.index;
        return out;
    };
    co_return co_await self->durably(std::move(apply));
}

asio::awaitable<std::shared_ptr<const net::joined_text>> node::chain_json()
{
    impl* self = impl_.get();
    auto read = [self] {
        return self->chain.chain_array();
    };
    co_return co_await on_strand(self->chain.strand(), std::move(read));
}

asio::awaitable<node_result<net::reply_body::value_type>> node::blocks_json(blocks_query q)
{
    impl* self = impl_.get();
    auto page = [self, q = std::move(q)]() -> node_result<net::reply_body::value_type> {
        if (auto body = self->chain.blocks_page(q))
            return std::move(*body);
        return node_error{node_errc::no_common_block, "none of the locator's blocks is on this node's chain"};
    };
    co_return co_await on_strand(self->chain.strand(), std::move(page));
}

asio::awaitable<node_result<std::string>> node::headers_json(blocks_query q)
{
    impl* self = impl_.get();
    auto page = [self, q = std::move(q)]() -> node_result<std::string> {
        if (auto body = self->chain.headers_page(q))
            return std::move(*body);
        return node_error{node_errc::no_common_block, "none of the locator's blocks is on this node's chain"};
    };
    co_return co_await on_strand(self->chain.strand(), std::move(page));
}

asio::awaitable<node_result<std::string>> node::block_json(std::uint64_t index)
{
    impl* self = impl_.get();
    auto one = [self, index]() -> node_result<std::string> {
        if (index >= self->chain.ledger().best_chain().size())
            return node_error{node_errc::no_such_block, "no block at height " + std::to_string(index)};
        return self->chain.entry_json(index);
    };
    co_return co_await on_strand(self->chain.strand(), std::move(one));
}

asio::awaitable<transaction_status> node::find_transaction(std::string id)
{
    impl* self = impl_.get();
    auto find = [self, id = std::move(id)] {
        return self->chain.find_transaction(id);
    };
    co_return co_await on_strand(self->chain.strand(), std::move(find));
}

asio::awaitable<account_status> node::find_account(std::string address)
{
    impl* self = impl_.get();
    auto find = [self, address = std::move(address)] {
        return self->chain.find_account(address);
    };
    co_return co_await on_strand(self->chain.strand(), std::move(find));
}

// ---- peers and sync --------------------------------------------------------------------------

asio::awaitable<node_result<register_outcome>> node::register_peer(net::peer_url peer, bool announced)
{
    impl* self = impl_.get();
    auto add = [self, announced, peer = std::move(peer)] {
        return self->peers.register_peer(peer, announced);
    };
    co_return co_await self->durably(std::move(add));
}

asio::awaitable<node_result<sync_outcome>> node::sync()
{
    impl* self = impl_.get();
    auto initiate = [self](auto handler) {
        asio::post(self->chain.strand(), [self, h = std::move(handler)]() mutable {
            self->sync.request(sync_service::sync_handler(std::move(h)));
        });
    };
    using signature = void(std::exception_ptr, node_result<sync_outcome>);
    return asio::async_initiate<const asio::use_awaitable_t<>, signature>(initiate, asio::use_awaitable);
}

asio::awaitable<std::vector<peer_view>> node::peers()
{
    impl* self = impl_.get();
    auto list = [self] {
        return self->peers.views();
    };
    co_return co_await on_strand(self->chain.strand(), std::move(list));
}

void node::start_network(std::string advertise)
{
    impl* self = impl_.get();
    asio::post(self->chain.strand(), [self, advertise = std::move(advertise)]() mutable {
        if (self->stopping)
            return;
        self->peers.start(std::move(advertise));
        self->sync.start();
        self->mining.resume(); // --mine starts here; otherwise it waits for /mine callers
    });
}

// ---- operations ------------------------------------------------------------------------------

asio::awaitable<node_status> node::status()
{
    impl* self = impl_.get();
    auto read = [self] {
        node_status st;
        const auto& ledger = self->chain.ledger();
        const auto& tip = ledger.best_chain().tip();
        st.chain = self->cfg.chain.name;
        st.genesis_hash = ledger.best_chain().entries().front().hash;
        st.height = tip.blk.index;
        st.tip_hash = tip.hash;
        st.cumulative_work = tip.cumulative_work;
        st.difficulty = self->cfg.difficulty;
        if (const auto& asert = ledger.best_chain().params().asert) {
            st.bits = core::required_bits(ledger.best_chain().timing(), *asert);
            const auto target = core::target_from_compact(*st.bits);
            st.difficulty = 0;
            for (core::work_t w = target ? core::target_work(*target) : 1; w > 1; w >>= 1)
                ++st.difficulty;
        }
        st.pending = ledger.pending().size();
        st.peers = self->peers.table().size();
        st.advertise_url = self->peers.advertised();
        st.mining = self->mining.mining();
        st.mine_requests = self->mining.waiting();
        st.hashes = self->mining.hashes();
        st.hash_rate = self->mining.hash_rate();
        st.storage_ok = self->chain.writable();
        st.uptime_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started).count();
        st.stopping = self->stopping;
        const auto io = self->chain.storage_statistics();
        st.storage_syncs = io.syncs;
        st.storage_sync_seconds = io.sync_seconds;
        st.dropped_conflicted = self->chain.dropped().conflicted;
        st.dropped_evicted = self->chain.dropped().evicted;
        return st;
    };
    co_return co_await on_strand(self->chain.strand(), std::move(read));
}

void node::shutdown()
{
    impl* self = impl_.get();
    asio::dispatch(self->chain.strand(), [self] {
        if (self->stopping)
            return;
        self->stopping = true;
        // Mining first (its waiters get 503 now), then no new sync rounds, then no new relay.
        self->mining.stop();
        self->sync.stop();
        self->peers.stop();
        self->explorer.close(); // event streams end, so their sessions do not hold the drain
    });
}

} // namespace beastchain::node
