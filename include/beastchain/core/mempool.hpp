// Pending transactions in arrival order, deduplicated by id and bounded in count; signed ones
// also queued per sender by nonce, for fee-ordered blocks and eviction.
#pragma once

#include <beastchain/core/transaction.hpp>

#include <cstddef>
#include <list>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace beastchain::core {

/**
 * Transactions accepted but not yet in the best chain.
 *
 * @par Thread Safety
 * None: the node confines it to one strand.
 */
class mempool
{
public:
    explicit mempool(std::size_t capacity);

    enum class add_result
    {
        added,
        duplicate,
        full
    };

    /// Adds a new transaction at the back unless its id is pending or the pool is full.
    add_result add(transaction tx);

    /// Puts back a transaction that was accepted earlier (from an abandoned block). It goes to the
    /// front, ahead of newer ones, and ignores the capacity: an acknowledged transaction is never dropped.
    void restore(transaction tx);

    /// Appends a transaction the node accepted earlier (replayed from storage), ignoring the capacity.
    void add_accepted(transaction tx);

    bool contains(const std::string& id) const { return index_.contains(id); }
    /// The pending transaction with `id`, or null.
    const transaction* find(const std::string& id) const
    {
        const auto it = index_.find(id);
        return it == index_.end() ? nullptr : &*it->second;
    }
    bool remove(const std::string& id);
    std::size_t size() const noexcept { return index_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }
    bool full() const noexcept { return size() >= capacity_; }

    /// Up to `n` transactions in the order they should be mined: the oldest first; when signed
    /// transactions are pending, the highest fee first among each sender's next nonce, so every
    /// sender's transactions stay in nonce order.
    std::vector<transaction> select(std::size_t n) const;

    const std::list<transaction>& transactions() const noexcept { return order_; }

    /// What one sender has pending on a signed chain: its transactions by nonce (a nonce twice
    /// only while a chain switch's restored transactions wait to be re-validated) and the sum of
    /// their amounts and fees.
    struct sender_queue
    {
        std::multimap<std::uint64_t, const transaction*> by_nonce;
        std::uint64_t outflow = 0;
    };
    const sender_queue* queue_of(const std::string& sender) const;

    /// The signed transaction eviction would take: the lowest fee among each sender's last
    /// nonce (taking an earlier one would leave a gap). Null when none is pending.
    const transaction* cheapest_tail() const;

private:
    void link(std::list<transaction>::iterator it);
    void unlink(const transaction& tx);

    std::size_t capacity_;
    std::list<transaction> order_;
    std::unordered_map<std::string, std::list<transaction>::iterator> index_;
    std::unordered_map<std::string, sender_queue> queues_;
    /// (fee, id) of each sender's last-nonce transaction.
    std::set<std::pair<std::uint64_t, std::string>> tails_;
};

} // namespace beastchain::core
