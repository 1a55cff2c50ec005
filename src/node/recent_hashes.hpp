// A bounded set of block hashes that forgets the oldest first: what sync has already seen.
#pragma once

#include <beastchain/core/hash.hpp>

#include <cstddef>
#include <deque>
#include <set>

namespace beastchain::node {

/// At most `capacity` hashes; inserting one more drops the oldest. Linear memory, log-time lookups.
class recent_hashes
{
public:
    explicit recent_hashes(std::size_t capacity) noexcept
        : capacity_(capacity)
    {}

    /// False when `h` is already held.
    bool insert(const core::hash256& h)
    {
        if (!set_.insert(h).second)
            return false;
        order_.push_back(h);
        if (order_.size() > capacity_) {
            set_.erase(order_.front());
            order_.pop_front();
        }
        return true;
    }
    const std::set<core::hash256>& set() const noexcept { return set_; }

private:
    std::size_t capacity_;
    std::set<core::hash256> set_;
    std::deque<core::hash256> order_;
};

} // namespace beastchain::node
