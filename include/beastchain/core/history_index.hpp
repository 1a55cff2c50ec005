// Where each block hash and each address's transactions sit on the best chain, for the explorer.
#pragma once

#include <beastchain/core/block.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace beastchain::core {

/// A transaction's place on the best chain: block height and position in the block.
struct tx_ref
{
    std::uint64_t height = 0;
    std::uint32_t position = 0;
    friend bool operator==(const tx_ref&, const tx_ref&) = default;
};

/**
 * An index of the best chain kept beside it: block hash to height, and address to the
 * transactions that name it (as sender or recipient) with received and sent totals.
 *
 * It follows the chain block by block: `connect` the next block, `truncate` to a fork point
 * when the chain switches. Each block remembers which addresses it touched, so a truncation
 * costs what the dropped blocks held, never a scan of the whole index. Rebuilding it from a
 * chain is `connect` over every block (start-up, recovery).
 *
 * @par Thread Safety
 * None: the node keeps it on the chain strand, beside the chain it follows.
 */
class history_index
{
public:
    /// Totals are kept wide, as the open chain allows any number of amounts up to 2^53 each.
    __extension__ typedef unsigned __int128 wide_sum;
    struct address_totals
    {
        wide_sum received = 0;
        wide_sum sent = 0;
    };
    struct history_page
    {
        std::size_t total = 0;    ///< transactions naming the address
        std::vector<tx_ref> refs; ///< newest first, from `offset`
        address_totals totals;
    };

    history_index() = default;
    /// Entries point into the map: a copy would point into the original's. Moves keep nodes.
    history_index(const history_index&) = delete;
    history_index& operator=(const history_index&) = delete;
    history_index(history_index&&) = default;
    history_index& operator=(history_index&&) = default;

    /// Appends `b`, which must be block `size()`.
    void connect(const block& b, const hash256& hash);
    /// Drops blocks `height` and above (a chain switch's fork point).
    void truncate(std::size_t height);
    void clear();

    std::size_t size() const noexcept { return blocks_.size(); }
    std::size_t addresses() const noexcept { return by_address_.size(); }
    std::optional<std::uint64_t> height_of(const hash256& hash) const;
    /// Up to `limit` of the address's transactions, newest first, skipping the newest `offset`.
    history_page history(std::string_view address, std::size_t offset, std::size_t limit) const;

private:
    struct address_entry
    {
        std::vector<tx_ref> refs; ///< oldest first
        address_totals totals;
    };
    /// What one block added, so truncation can take exactly that back.
    struct touch
    {
        address_entry* entry;
        const std::string* key; ///< the map's own key: node-based, it never moves
        std::uint64_t amount;
        bool sent;
        bool added_ref;
    };
    struct block_entry
    {
        hash256 hash;
        std::vector<touch> touches;
    };
    std::pair<address_entry*, const std::string*> entry_for(const std::string& address);

    std::vector<block_entry> blocks_;
    std::unordered_map<std::string, address_entry> by_address_; ///< node-based: entries never move
    /// Proof of work makes a hash's leading bytes zero; its last eight are as random as any.
    struct hash_tail
    {
        std::size_t operator()(const hash256& h) const noexcept
        {
            std::size_t v = 0;
            for (std::size_t i = h.size() - sizeof v; i < h.size(); ++i)
                v = (v << 8) | h[i];
            return v;
        }
    };
    std::unordered_map<hash256, std::uint64_t, hash_tail> by_hash_;
};

} // namespace beastchain::core
