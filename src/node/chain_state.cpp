// chain_state: ledger changes become records, durability tickets and published events.
#include "chain_state.hpp"

#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/json/text.hpp>
#include <beastchain/log.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/clock.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <future>

namespace beastchain::node {

namespace {

constexpr std::size_t page_bytes = 8 * 1024 * 1024; ///< a /blocks page stops growing past this

std::string serialize_entry(const core::chain_entry& e)
{
    return json::to_text(boost::json::value_from(e)); // plain-decimal timestamps
}

} // namespace

chain_state::chain_state(asio::io_context& ioc, const config& cfg)
    : cfg_(cfg)
    , strand_(asio::make_strand(ioc))
    , ledger_(cfg.consensus, cfg.max_pending, this)
{
    if (cfg.in_memory) {
        address_ = core::make_uuid_hex();
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto limits = storage::store_options::for_blocks(cfg.consensus.max_block_transactions);
    if (cfg.storage_max_record_bytes != 0)
        limits.max_record_bytes = cfg.storage_max_record_bytes; // a test and tuning knob
    store_ = std::make_unique<storage::store>(cfg.data_dir, limits);
    load_state(store_->take_loaded());
    if (address_.empty()) {
        // First start: the address is generated once and kept, so rewards keep one recipient.
        address_ = core::make_uuid_hex();
        storage::record r;
        r.type = storage::record_type::node_identity;
        r.text = address_;
        std::promise<bool> written;
        store_->when_durable(store_->append(r), [&written](bool ok) { written.set_value(ok); });
        if (!written.get_future().get())
            throw storage::storage_error("cannot write the node identity to " + store_->log_path().string());
    }
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
            self.chain_cache_.reset();
            self.entry_json_.clear();
            self.header_hex_.clear();
        }
        replay_scope(const replay_scope&) = delete;
        replay_scope& operator=(const replay_scope&) = delete;
    } scope(*this);
    ledger_ = core::ledger(cfg_.consensus, cfg_.max_pending, this);
    peer_records_.clear();
    const std::uint64_t now = now_ms();
    for (auto& r : records) {
        core::validation_result result;
        switch (r.type) {
        case storage::record_type::node_identity:
            if (address_.empty()) // a recovery replays it again: the address never changes
                address_ = r.text;
            break;
        case storage::record_type::transaction_accepted:
            ledger_.replay_transaction(std::move(r.tx));
            break;
        case storage::record_type::block_connected:
            result =
                ledger_.replay_block(std::move(r.blocks.at(0).blk), r.blocks.at(0).hash, cfg_.reverify, now);
            break;
        case storage::record_type::chain_replaced: {
            std::vector<std::pair<core::block, core::hash256>> suffix;
            for (auto& b : r.blocks)
                suffix.emplace_back(std::move(b.blk), b.hash);
            result = ledger_.replay_chain_switch(r.fork_index, std::move(suffix), cfg_.reverify, now);
            break;
        }
        case storage::record_type::switch_begin:
        case storage::record_type::switch_commit:
            break; // never loaded: the store assembles them into chain_replaced
        case storage::record_type::peer_added:
        case storage::record_type::peer_announced:
        case storage::record_type::peer_announced_public:
        case storage::record_type::peer_removed:
            peer_records_.push_back(std::move(r));
            break;
        }
        if (!result)
            throw storage::storage_error(
                store_->log_path().string() +
                " does not replay: " + std::string(core::to_string(result.reason)) + ": " + result.detail
            );
    }
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

core::block chain_state::make_template(std::uint32_t difficulty, std::uint64_t now) const
{
    return ledger_.make_block_template(address_, difficulty, now);
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

void chain_state::on_block_connected(const core::chain_entry& e)
{
    chain_cache_.reset();
    storage::record r;
    r.type = storage::record_type::block_connected;
    r.blocks.push_back({e.blk, e.hash});
    write_record(r);
    if (!replaying_)
        events_.push_back({pending_event::kind::block, {}, e.blk.index});
}

void chain_state::on_chain_replaced(std::size_t fork_index, std::span<const core::block>)
{
    chain_cache_.reset();
    entry_json_.resize(std::min(entry_json_.size(), fork_index)); // later blocks changed
    header_hex_.resize(std::min(header_hex_.size(), fork_index));
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

void chain_state::when_durable(durability_ticket t, std::function<void(bool)> done)
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

asio::awaitable<bool> chain_state::wait_durable(durability_ticket t)
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

storage::store::stats chain_state::storage_statistics() const
{
    return store_ ? store_->statistics() : storage::store::stats{};
}

// ---- serialized reads ------------------------------------------------------------------------

const std::string& chain_state::entry_json(std::size_t i)
{
    const auto& entries = ledger_.best_chain().entries();
    while (entry_json_.size() <= i)
        entry_json_.push_back(serialize_entry(entries[entry_json_.size()]));
    return entry_json_[i];
}

std::shared_ptr<const std::string> chain_state::chain_array()
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

std::optional<std::uint64_t> chain_state::page_start(const blocks_query& q) const
{
    if (q.locator.empty())
        return q.from.value_or(0);
    const auto& entries = ledger_.best_chain().entries();
    const auto on_our_chain = [&](const auto& loc) {
        return loc.first < entries.size() && entries[loc.first].hash == loc.second;
    };
    const auto it = std::find_if(q.locator.begin(), q.locator.end(), on_our_chain);
    if (it == q.locator.end())
        return std::nullopt;
    return it->first + 1;
}

const std::string& chain_state::header_hex(std::size_t i)
{
    // Filled where asked, not from genesis: a first request near the tip of a long chain costs
    // what it returns (a Merkle root per header), not a stall over the whole chain.
    const auto& entries = ledger_.best_chain().entries();
    if (header_hex_.size() < entries.size())
        header_hex_.resize(entries.size());
    if (header_hex_[i].empty()) {
        const core::block& b = entries[i].blk;
        header_hex_[i] = core::to_hex(core::serialize_header(b, core::merkle_root(b.transactions)));
    }
    return header_hex_[i];
}

std::optional<std::string> chain_state::headers_page(const blocks_query& q)
{
    const auto start = page_start(q);
    if (!start)
        return std::nullopt;
    const auto& entries = ledger_.best_chain().entries();
    const std::uint64_t end = std::min<std::uint64_t>(entries.size(), *start + q.limit);
    for (std::uint64_t i = *start; i < end; ++i)
        header_hex(i); // fill first: resizing the cache moves its strings
    std::vector<const std::string*> page;
    for (std::uint64_t i = *start; i < end; ++i)
        page.push_back(&header_hex_[i]);
    return json::encode_headers_page(*start, entries.back(), page);
}

std::optional<std::string> chain_state::blocks_page(const blocks_query& q)
{
    const auto& entries = ledger_.best_chain().entries();
    const auto first = page_start(q);
    if (!first)
        return std::nullopt;
    const std::uint64_t start = *first;
    // Decide the page first: filling the cache may move its strings, so pointers come after.
    std::uint64_t end = start;
    for (std::size_t bytes = 0; end < entries.size() && end - start < q.limit; ++end) {
        if (end > start && bytes > page_bytes)
            break;
        bytes += entry_json(end).size() + 1;
    }
    std::vector<const std::string*> page;
    page.reserve(end - start);
    for (std::uint64_t i = start; i < end; ++i)
        page.push_back(&entry_json_[i]);
    return json::encode_blocks_page(start, entries.back(), page);
}

} // namespace beastchain::node
