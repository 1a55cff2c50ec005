// Pending transaction pool: a list for arrival order plus a hash index for dedup and removal.
#include <beastchain/core/mempool.hpp>

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
    index_.emplace(order_.back().transaction_id, std::prev(order_.end()));
    return add_result::added;
}

void mempool::restore(transaction tx)
{
    if (index_.contains(tx.transaction_id))
        return;
    order_.push_front(std::move(tx));
    index_.emplace(order_.front().transaction_id, order_.begin());
}

void mempool::add_accepted(transaction tx)
{
    if (index_.contains(tx.transaction_id))
        return;
    order_.push_back(std::move(tx));
    index_.emplace(order_.back().transaction_id, std::prev(order_.end()));
}

bool mempool::remove(const std::string& id)
{
    const auto it = index_.find(id);
    if (it == index_.end())
        return false;
    order_.erase(it->second);
    index_.erase(it);
    return true;
}

std::vector<transaction> mempool::select(std::size_t n) const
{
    std::vector<transaction> out;
    out.reserve(std::min(n, order_.size()));
    for (auto it = order_.begin(); it != order_.end() && out.size() < n; ++it)
        out.push_back(*it);
    return out;
}

} // namespace beastchain::core
