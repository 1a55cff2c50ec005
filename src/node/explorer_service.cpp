// The explorer's index and events, kept in step with the best chain on the strand.
#include "explorer_service.hpp"

#include <beastchain/core/address.hpp>
#include <beastchain/core/hash.hpp>
#include <beastchain/json/conversions.hpp>
#include <beastchain/log.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <limits>
#include <utility>

namespace beastchain::node {

namespace {

std::uint64_t saturated(core::history_index::wide_sum v)
{
    return v > std::numeric_limits<std::uint64_t>::max() ? std::numeric_limits<std::uint64_t>::max()
                                                         : static_cast<std::uint64_t>(v);
}

boost::json::array transactions_of(const std::list<core::transaction>& pool, std::size_t limit, bool newest)
{
    boost::json::array out;
    if (newest)
        for (auto it = pool.rbegin(); it != pool.rend() && out.size() < limit; ++it)
            out.push_back(boost::json::value_from(*it));
    else
        for (auto it = pool.begin(); it != pool.end() && out.size() < limit; ++it)
            out.push_back(boost::json::value_from(*it));
    return out;
}

net::event_hub_settings hub_settings(const config& cfg)
{
    net::event_hub_settings s;
    s.limit_loopback = cfg.server.per_source.limit_loopback;
    return s;
}

} // namespace

explorer_service::explorer_service(chain_state& chain)
    : chain_(chain)
    , hub_(hub_settings(chain.settings()))
{
    rebuild();
}

void explorer_service::rebuild()
{
    // Not stored: rebuilding costs less than a second record of every block (docs/api.md).
    const auto started = std::chrono::steady_clock::now();
    index_.clear();
    for (const auto& e : chain_.ledger().best_chain().entries())
        index_.connect(e.blk, e.hash);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    log::info(
        "explorer index: " + std::to_string(index_.size()) + " blocks, " +
        std::to_string(index_.addresses()) + " addresses in " + std::to_string(ms.count()) + " ms"
    );
}

void explorer_service::on_transaction_accepted(const core::transaction& tx, const std::string&)
{
    // A token bucket: a burst of the cap, then the cap per second.
    const auto now = std::chrono::steady_clock::now();
    const std::chrono::duration<double> since = now - refilled_;
    refilled_ = now;
    tokens_ =
        std::min(transaction_events_per_second, tokens_ + since.count() * transaction_events_per_second);
    if (tokens_ < 1) {
        ++skipped_;
        return;
    }
    tokens_ -= 1;
    boost::json::object o;
    o.emplace("pending", chain_.ledger().pending().size());
    o.emplace("skipped", std::exchange(skipped_, 0));
    o.emplace("transaction", boost::json::value_from(tx));
    hub_.publish("transaction", boost::json::serialize(o));
}

void explorer_service::on_block_connected(const core::chain_entry& e, const std::string& origin)
{
    index_.connect(e.blk, e.hash);
    boost::json::object o;
    o.emplace("difficulty", e.blk.difficulty);
    o.emplace("hash", core::to_hex(e.hash));
    o.emplace("height", e.blk.index);
    o.emplace("local", origin.empty());
    o.emplace("pending", chain_.ledger().pending().size());
    o.emplace("timestamp", json::timestamp_to_seconds(e.blk.timestamp_ms));
    o.emplace("transactions", e.blk.transactions.size());
    hub_.publish("block", boost::json::serialize(o));
}

void explorer_service::on_chain_replaced(std::size_t fork_index, const std::string&)
{
    index_.truncate(fork_index);
    const auto& entries = chain_.ledger().best_chain().entries();
    for (std::size_t i = fork_index; i < entries.size(); ++i)
        index_.connect(entries[i].blk, entries[i].hash);
    boost::json::object o;
    o.emplace("fork_height", fork_index);
    o.emplace("hash", core::to_hex(entries.back().hash));
    o.emplace("height", entries.back().blk.index);
    o.emplace("pending", chain_.ledger().pending().size());
    hub_.publish("switch", boost::json::serialize(o));
}

void explorer_service::on_state_reloaded(const std::vector<storage::record>&)
{
    rebuild();
    boost::json::object o;
    o.emplace("height", chain_.ledger().best_chain().tip().blk.index);
    hub_.publish("reset", boost::json::serialize(o));
}

asio::awaitable<std::optional<std::string>> explorer_service::block_by_hash(core::hash256 hash)
{
    auto find = [this, hash]() -> std::optional<std::string> {
        const auto height = index_.height_of(hash);
        if (!height)
            return std::nullopt;
        return chain_.entry_json(*height);
    };
    co_return co_await on_strand(chain_.strand(), std::move(find));
}

asio::awaitable<std::string> explorer_service::address_json(history_query q)
{
    auto read = [this, q = std::move(q)] {
        const auto& ledger = chain_.ledger();
        const auto& entries = ledger.best_chain().entries();
        const std::uint64_t height = ledger.best_chain().tip().blk.index;
        const auto page = index_.history(q.address, q.offset, q.limit);
        boost::json::object o;
        o.emplace("address", q.address);
        o.emplace("height", height);
        o.emplace("total", page.total);
        o.emplace("offset", q.offset);
        o.emplace("limit", q.limit);
        o.emplace("received", saturated(page.totals.received));
        o.emplace("sent", saturated(page.totals.sent));
        boost::json::array txs;
        for (const core::tx_ref& r : page.refs) {
            boost::json::object t;
            t.emplace("block_index", r.height);
            t.emplace("confirmations", height - r.height + 1);
            t.emplace(
                "transaction", boost::json::value_from(entries.at(r.height).blk.transactions.at(r.position))
            );
            txs.push_back(std::move(t));
        }
        o.emplace("transactions", std::move(txs));
        // The open chain keeps no balances; a signed one has the account and its queued spends.
        const bool accounts = chain_.settings().consensus.signed_transactions;
        o.emplace("balances", accounts);
        boost::json::array pending;
        if (const auto* queue = ledger.pending().queue_of(q.address))
            for (const auto& [nonce, tx] : queue->by_nonce) {
                if (pending.size() == q.limit)
                    break; // a sender's queue can be as long as the pool
                pending.push_back(boost::json::value_from(*tx));
            }
        o.emplace("pending", std::move(pending));
        if (accounts) {
            const auto acct = ledger.accounts().get(q.address);
            o.emplace("balance", acct.balance);
            o.emplace("nonce", acct.next_nonce);
        }
        return boost::json::serialize(o);
    };
    co_return co_await on_strand(chain_.strand(), std::move(read));
}

std::pair<std::string_view, boost::json::value> explorer_service::search(const std::string& q) const
{
    const auto& ledger = chain_.ledger();
    const bool digits = !q.empty() && q.size() <= 16 &&
                        std::all_of(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
        const std::uint64_t h = std::stoull(q);
        if (h < ledger.best_chain().size())
            return {"block", h};
        return {"none", nullptr};
    }
    if (const auto hash = q.size() == 64 ? core::hash_from_hex(q) : std::nullopt)
        if (const auto h = index_.height_of(*hash))
            return {"block", *h};
    using where = core::ledger::transaction_lookup::state;
    if (core::is_valid_transaction_id(q) && ledger.find_transaction(q).where != where::unknown)
        return {"transaction", boost::json::string(q)};
    if (!q.empty() && q.size() <= 256 &&
        (index_.history(q, 0, 0).total > 0 || ledger.pending().queue_of(q) != nullptr ||
         core::public_key_from_address(q)))
        return {"address", boost::json::string(q)};
    return {"none", nullptr};
}

asio::awaitable<std::string> explorer_service::search_json(std::string q)
{
    auto find = [this, q = std::move(q)] {
        auto [kind, id] = search(q);
        boost::json::object o;
        o.emplace("query", q);
        o.emplace("kind", kind);
        o.emplace("id", std::move(id));
        return boost::json::serialize(o);
    };
    co_return co_await on_strand(chain_.strand(), std::move(find));
}

asio::awaitable<std::string> explorer_service::recent_json(std::size_t limit)
{
    auto read = [this, limit] {
        const auto& ledger = chain_.ledger();
        const auto& entries = ledger.best_chain().entries();
        const std::uint64_t height = ledger.best_chain().tip().blk.index;
        // Every block holds at least its reward, so this visits at most `limit` blocks.
        boost::json::array confirmed;
        for (auto e = entries.rbegin(); e != entries.rend() && confirmed.size() < limit; ++e) {
            const auto& txs = e->blk.transactions;
            for (auto t = txs.rbegin(); t != txs.rend() && confirmed.size() < limit; ++t) {
                boost::json::object o;
                o.emplace("block_index", e->blk.index);
                o.emplace("confirmations", height - e->blk.index + 1);
                o.emplace("transaction", boost::json::value_from(*t));
                confirmed.push_back(std::move(o));
            }
        }
        boost::json::object o;
        o.emplace("height", height);
        o.emplace("confirmed", std::move(confirmed));
        o.emplace("pending", transactions_of(ledger.pending().transactions(), limit, true));
        return boost::json::serialize(o);
    };
    co_return co_await on_strand(chain_.strand(), std::move(read));
}

asio::awaitable<std::string> explorer_service::mempool_json(std::size_t limit)
{
    auto read = [this, limit] {
        const auto& pool = chain_.ledger().pending();
        boost::json::object o;
        o.emplace("count", pool.size());
        o.emplace("capacity", pool.capacity());
        o.emplace("oldest", transactions_of(pool.transactions(), limit, false));
        o.emplace("newest", transactions_of(pool.transactions(), limit, true));
        return boost::json::serialize(o);
    };
    co_return co_await on_strand(chain_.strand(), std::move(read));
}

} // namespace beastchain::node
