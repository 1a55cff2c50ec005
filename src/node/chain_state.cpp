// chain_state: ledger changes become records, durability tickets and published events.
#include "chain_state.hpp"

#include <beastchain/core/address.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/clock.hpp>
#include <beastchain/wallet/key_file.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>

#include "replay.hpp"

namespace beastchain::node {

chain_state::chain_state(asio::io_context& ioc, const config& cfg)
    : cfg_(cfg)
    , strand_(asio::make_strand(ioc))
    , ledger_(cfg.consensus, cfg.max_pending, this)
{
    if (cfg.in_memory) {
        address_ = core::make_uuid_hex();
        if (cfg.consensus.signed_transactions && cfg.mining_address.empty())
            reward_address_ = core::address_of(core::public_key_of(core::secret_key::generate()));
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto limits = storage::store_options::for_blocks(cfg.consensus.max_block_transactions);
    if (cfg.storage_max_record_bytes != 0)
        limits.max_record_bytes = cfg.storage_max_record_bytes; // a test and tuning knob
    store_ = std::make_unique<storage::store>(cfg.data_dir, limits);
    load_state(store_->take_loaded()); // throws for another chain's directory: no key left in it
    if (cfg.consensus.signed_transactions && cfg.mining_address.empty()) // under the store's lock
        reward_address_ = core::address_of(
            core::public_key_of(wallet::open_key_file(std::filesystem::path(cfg.data_dir) / "node-key.json"))
        );
    std::uint64_t last = 0;
    bool wrote = false;
    if (address_.empty()) {
        // First start: the address is generated once and kept, so rewards keep one recipient.
        address_ = core::make_uuid_hex();
        storage::record r;
        r.type = storage::record_type::node_identity;
        r.text = address_;
        last = store_->append(r);
        wrote = true;
    }
    if (!chain_recorded_) {
        // First start, or a directory from before chain specs whose blocks replayed on our
        // genesis: from now on it names its chain, and a node of another chain refuses it.
        storage::record r;
        r.type = storage::record_type::chain_identity;
        r.text = chain_identity_text();
        last = store_->append(r);
        wrote = true;
    }
    if (wrote) { // 0 (the store refused) reads as a failed write
        std::promise<bool> written;
        store_->when_durable(last, [&written](bool ok) { written.set_value(ok); });
        if (!written.get_future().get())
            throw storage::storage_error("cannot write the node identity to " + store_->log_path().string());
    }
    // From here on, one post per group commit carries all of its completions to an I/O thread,
    // where each resumes its request on its own strand. Posting per waiter from the writer
    // thread cost a wake-up and an allocation Asio cannot recycle for every durable request.
    store_->deliver_through([ex = ioc.get_executor()](std::function<void()> complete) {
        asio::post(ex, std::move(complete));
    });
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    log::info(
        "loaded " + std::to_string(ledger_.best_chain().size()) + " blocks, " +
        std::to_string(ledger_.pending().size()) + " pending transactions and " +
        std::to_string(peer_records_.size()) + " peer records from " + store_->log_path().string() + " in " +
        std::to_string(ms) + " ms" + (cfg.reverify ? " (reverified)" : "")
    );
}

chain_state::~chain_state() = default;

std::string chain_state::chain_identity_text() const
{
    return core::to_hex(ledger_.best_chain().entries().front().hash) + " " + cfg_.chain.name;
}

// ---- replay and recovery ---------------------------------------------------------------------

void chain_state::load_state(std::vector<storage::record> records)
{
    // However the replay ends (a record that does not replay throws), writes are no longer
    // skipped and the caches are dropped: they described the state being replaced.
    struct replay_scope
    {
        chain_state& self;
        explicit replay_scope(chain_state& s)
            : self(s)
        {
            self.replaying_ = true;
        }
        ~replay_scope()
        {
            self.replaying_ = false;
            self.events_.clear();
            self.text_.clear();
        }
        replay_scope(const replay_scope&) = delete;
        replay_scope& operator=(const replay_scope&) = delete;
    } scope(*this);
    ledger_ = core::ledger(cfg_.consensus, cfg_.max_pending, this);
    replayed found =
        replay_records(ledger_, std::move(records), cfg_, chain_identity_text(), store_->log_path().string());
    if (address_.empty()) // a recovery replays it again: the address never changes
        address_ = std::move(found.node_address);
    chain_recorded_ = chain_recorded_ || found.chain_recorded;
    peer_records_ = std::move(found.peer_records);
}

void chain_state::schedule_recovery()
{
    // After a failed write: rebuild state from what is durable, dropping every unacknowledged
    // change. If that fails the store stays failed, so writes keep being refused (503), never
    // acknowledged.
    asio::post(strand_, [this] {
        if (!store_ || !store_->failed())
            return;
        try {
            auto rebuild = [this](std::vector<storage::record> records) {
                load_state(std::move(records));
            };
            store_->recover(rebuild);
            log::warning("storage recovered: state rebuilt from " + store_->log_path().string());
        } catch (const std::exception& e) {
            log::error(
                std::string("storage recovery failed: ") + e.what() +
                "; refusing writes until the node is restarted"
            );
            return;
        }
        const auto records = take_peer_records();
        for (auto* l : listeners_)
            l->on_state_reloaded(records);
    });
}

// ---- changes ---------------------------------------------------------------------------------

core::ledger::accept_result chain_state::accept(core::transaction tx, const std::string& origin)
{
    auto r = ledger_.accept_transaction(std::move(tx));
    publish(origin);
    return r;
}

core::validation_result chain_state::connect(core::block b, const std::string& origin)
{
    auto r = ledger_.connect_block(std::move(b), now_ms());
    publish(origin);
    return r;
}

core::ledger::adopt_result
chain_state::adopt(core::chain_suffix suffix, core::validation_result* why, const std::string& origin)
{
    auto r = ledger_.adopt_suffix_if_more_work(std::move(suffix), why);
    publish(origin);
    return r;
}

std::optional<core::validation_result> chain_state::check_timing(const core::block& header) const
{
    const core::chain& c = ledger_.best_chain();
    const std::uint64_t index = header.index;
    if (!c.params().asert || index == 0 || index > c.size() ||
        c.entries()[index - 1].hash != header.previous_hash)
        return std::nullopt;
    return core::check_block_timing(header, c.timing_at(index - 1), c.params());
}

core::block chain_state::make_template(std::uint32_t difficulty, std::uint64_t now) const
{
    // --mining-address, else the node's own address.
    const std::string& to = !cfg_.mining_address.empty() ? cfg_.mining_address
                            : !reward_address_.empty()   ? reward_address_
                                                         : address_;
    return ledger_.make_block_template(to, difficulty, now);
}

void chain_state::publish(const std::string& origin)
{
    // Events wait until the ledger call has returned, so a listener sees a finished change and
    // may call back in (the miner builds its next template on the new tip).
    auto events = std::exchange(events_, {});
    for (const auto& e : events)
        for (auto* l : listeners_)
            switch (e.what) {
            case pending_event::kind::transaction:
                l->on_transaction_accepted(e.tx, origin);
                break;
            case pending_event::kind::block:
                l->on_block_connected(ledger_.best_chain().entries().at(e.index), origin);
                break;
            case pending_event::kind::replaced:
                l->on_chain_replaced(e.index, origin);
                break;
            }
}

void chain_state::on_transaction_accepted(const core::transaction& tx)
{
    storage::record r;
    r.type = storage::record_type::transaction_accepted;
    r.tx = tx;
    write_record(r);
    if (!replaying_)
        events_.push_back({pending_event::kind::transaction, tx, 0});
}

void chain_state::on_transaction_dropped(
    const core::transaction& tx, const core::validation_result& why, bool evicted
)
{
    if (replaying_)
        return;
    ++(evicted ? dropped_.evicted : dropped_.conflicted);
    // A conflict follows from the chain, so replay finds it again; an eviction depends on what
    // else was pending, so it is recorded.
    if (evicted) {
        storage::record r;
        r.type = storage::record_type::transaction_evicted;
        r.text = tx.transaction_id;
        write_record(r);
    }
    log::info(
        "dropped pending transaction " + tx.transaction_id + (evicted ? " (evicted): " : " (conflicted): ") +
        std::string(core::to_string(why.reason)) + ": " + why.detail
    );
}

void chain_state::on_block_connected(const core::chain_entry& e)
{
    text_.grew();
    storage::record r;
    r.type = storage::record_type::block_connected;
    r.blocks.push_back({e.blk, e.hash});
    write_record(r);
    if (!replaying_)
        events_.push_back({pending_event::kind::block, {}, e.blk.index});
}

void chain_state::on_chain_replaced(std::size_t fork_index, std::span<const core::block>)
{
    text_.truncate(fork_index); // later blocks changed
    // The store writes it as begin, one frame per block, commit: a crash leaves either chain.
    storage::record r;
    r.type = storage::record_type::chain_replaced;
    r.fork_index = fork_index;
    const auto& entries = ledger_.best_chain().entries();
    for (std::size_t i = fork_index; i < entries.size(); ++i)
        r.blocks.push_back({entries[i].blk, entries[i].hash});
    write_record(r);
    if (!replaying_)
        events_.push_back({pending_event::kind::replaced, {}, fork_index});
}

// ---- durability ------------------------------------------------------------------------------

void chain_state::write(const storage::record& r)
{
    write_record(r);
}

void chain_state::write_record(const storage::record& r)
{
    if (replaying_ || !store_)
        return;
    const std::uint64_t seq = store_->append(r);
    if (seq == 0)
        pending_ticket_.refused = true;
    pending_ticket_.seq = std::max(pending_ticket_.seq, seq);
}

std::optional<bool> chain_state::settled(durability_ticket t)
{
    if (t.refused) {
        schedule_recovery();
        return false;
    }
    if (!store_ || t.seq == 0)
        return true;
    return std::nullopt;
}

void chain_state::when_durable(durability_ticket t, std::function<void(bool)> done)
{
    if (const auto now = settled(t)) {
        done(*now);
        return;
    }
    auto checked = [this, done = std::move(done)](bool ok) {
        if (!ok)
            schedule_recovery();
        done(ok);
    };
    store_->when_durable(t.seq, std::move(checked));
}

asio::awaitable<bool> chain_state::wait_durable(durability_ticket t)
{
    // Decided already: no asynchronous operation at all.
    if (const auto now = settled(t))
        co_return *now;
    // One wrapper around the handler, not when_durable's two: this runs on every durable request.
    auto initiate = [this, t](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        store_->when_durable(t.seq, [this, h](bool ok) {
            if (!ok)
                schedule_recovery();
            auto ex = asio::get_associated_executor(*h);
            asio::dispatch(ex, [h, ok] { std::move (*h)(ok); });
        });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(bool)>(
        initiate, asio::use_awaitable
    );
}

storage::store::stats chain_state::storage_statistics() const
{
    return store_ ? store_->statistics() : storage::store::stats{};
}

transaction_status chain_state::find_transaction(const std::string& id) const
{
    return transaction_status{ledger_.find_transaction(id), ledger_.best_chain().tip().blk.index};
}

account_status chain_state::find_account(const std::string& address) const
{
    account_status out;
    out.confirmed = ledger_.accounts().get(address);
    if (const auto* q = ledger_.pending().queue_of(address)) {
        out.pending_count = q->by_nonce.size();
        out.pending_spend = q->outflow;
    }
    out.height = ledger_.best_chain().tip().blk.index;
    return out;
}

// ---- serialized reads ------------------------------------------------------------------------

const std::string& chain_state::entry_json(std::size_t i)
{
    return *text_.entry(ledger_.best_chain().entries(), i);
}

std::shared_ptr<const net::joined_text> chain_state::chain_array()
{
    return text_.blocks(ledger_.best_chain().entries());
}

std::optional<net::reply_body::value_type> chain_state::blocks_page(const blocks_query& q)
{
    return text_.blocks_page(ledger_.best_chain().entries(), q);
}

std::optional<std::string> chain_state::headers_page(const blocks_query& q)
{
    return text_.headers_page(ledger_.best_chain().entries(), q);
}

} // namespace beastchain::node
