// Pending transaction pool: a list for arrival order plus a hash index for dedup and removal.
#include <beastchain/core/mempool.hpp>

#include <queue>

namespace beastchain::core {

mempool::mempool(std::size_t capacity)
    : capacity_(capacity)
{}

mempool::add_result mempool::add(transaction tx)
{
    if (index_.contains(tx.transaction_id))
        return add_result::duplicate;
    if (full())
        return add_result::full;
    order_.push_back(std::move(tx));
    link(std::prev(order_.end()));
    return add_result::added;
}

void mempool::restore(transaction tx)
{
    if (index_.contains(tx.transaction_id))
        return;
    order_.push_front(std::move(tx));
    link(order_.begin());
}

void mempool::add_accepted(transaction tx)
{
    if (index_.contains(tx.transaction_id))
        return;
    order_.push_back(std::move(tx));
    link(std::prev(order_.end()));
}

bool mempool::remove(const std::string& id)
{
    const auto it = index_.find(id);
    if (it == index_.end())
        return false;
    unlink(*it->second);
    order_.erase(it->second);
    index_.erase(it);
    return true;
}

void mempool::link(std::list<transaction>::iterator it)
{
    index_.emplace(it->transaction_id, it);
    if (!it->is_signed())
        return;
    sender_queue& q = queues_[it->sender];
    if (!q.by_nonce.empty()) {
        const transaction& tail = *q.by_nonce.rbegin()->second;
        tails_.erase({tail.fee, tail.transaction_id});
    }
    q.by_nonce.emplace(it->nonce, &*it);
    // Each spend is at most 10^15 and an accepted queue never spends more than a balance, so the
    // sum stays below 2^64.
    q.outflow += it->amount + it->fee;
    const transaction& tail = *q.by_nonce.rbegin()->second;
    tails_.emplace(tail.fee, tail.transaction_id);
}

void mempool::unlink(const transaction& tx)
{
    if (!tx.is_signed())
        return;
    const auto qit = queues_.find(tx.sender);
    if (qit == queues_.end())
        return;
    sender_queue& q = qit->second;
    const transaction* tail = q.by_nonce.rbegin()->second;
    tails_.erase({tail->fee, tail->transaction_id});
    auto [first, last] = q.by_nonce.equal_range(tx.nonce);
    for (auto it = first; it != last; ++it)
        if (it->second == &tx) {
            q.by_nonce.erase(it);
            break;
        }
    q.outflow -= tx.amount + tx.fee;
    if (q.by_nonce.empty()) {
        queues_.erase(qit);
        return;
    }
    tail = q.by_nonce.rbegin()->second;
    tails_.emplace(tail->fee, tail->transaction_id);
}

const mempool::sender_queue* mempool::queue_of(const std::string& sender) const
{
    const auto it = queues_.find(sender);
    return it == queues_.end() ? nullptr : &it->second;
}

const transaction* mempool::cheapest_tail() const
{
    return tails_.empty() ? nullptr : find(tails_.begin()->second);
}

std::vector<transaction> mempool::select(std::size_t n) const
{
    std::vector<transaction> out;
    out.reserve(std::min(n, order_.size()));
    if (queues_.empty()) {
        for (auto it = order_.begin(); it != order_.end() && out.size() < n; ++it)
            out.push_back(*it);
        return out;
    }
    // Each sender's lowest pending nonce competes by fee; taking one brings its next forward.
    using cursor = std::multimap<std::uint64_t, const transaction*>::const_iterator;
    struct head
    {
        cursor at;
        cursor end;
    };
    const auto lower_fee = [](const head& a, const head& b) {
        const transaction& x = *a.at->second;
        const transaction& y = *b.at->second;
        return x.fee != y.fee ? x.fee < y.fee : x.transaction_id > y.transaction_id;
    };
    std::priority_queue<head, std::vector<head>, decltype(lower_fee)> heads(lower_fee);
    for (const auto& [sender, q] : queues_)
        heads.push({q.by_nonce.begin(), q.by_nonce.end()});
    while (!heads.empty() && out.size() < n) {
        head h = heads.top();
        heads.pop();
        out.push_back(*h.at->second);
        // One transaction per nonce: a second with the same nonce (a switch's restored one,
        // until re-validation drops it) would make the block invalid.
        const std::uint64_t nonce = h.at->first;
        while (h.at != h.end && h.at->first == nonce)
            ++h.at;
        if (h.at != h.end)
            heads.push(h);
    }
    return out;
}

} // namespace beastchain::core
