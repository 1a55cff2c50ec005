// The explorer's index of the best chain: block hashes and each address's transactions.
#include <beastchain/core/history_index.hpp>

#include <stdexcept>

namespace beastchain::core {

std::pair<history_index::address_entry*, const std::string*>
history_index::entry_for(const std::string& address)
{
    auto& kv = *by_address_.try_emplace(address).first;
    return {&kv.second, &kv.first};
}

void history_index::connect(const block& b, const hash256& hash)
{
    if (b.index != blocks_.size())
        throw std::logic_error("history_index: block " + std::to_string(b.index) + " is not next");
    block_entry be{hash, {}};
    be.touches.reserve(b.transactions.size() * 2);
    for (std::size_t i = 0; i < b.transactions.size(); ++i) {
        const transaction& tx = b.transactions[i];
        const tx_ref ref{b.index, static_cast<std::uint32_t>(i)};
        const auto [from, from_key] = entry_for(tx.sender);
        from->refs.push_back(ref);
        from->totals.sent += tx.amount;
        be.touches.push_back({from, from_key, tx.amount, true, true});
        const auto [to, to_key] = entry_for(tx.recipient);
        // A payment to oneself is one line of its history, counted both ways.
        const bool new_ref = to != from;
        if (new_ref)
            to->refs.push_back(ref);
        to->totals.received += tx.amount;
        be.touches.push_back({to, to_key, tx.amount, false, new_ref});
    }
    by_hash_.emplace(hash, b.index);
    blocks_.push_back(std::move(be));
}

void history_index::truncate(std::size_t height)
{
    while (blocks_.size() > height) {
        block_entry& be = blocks_.back();
        // Newest first, so each address's refs come off its back in the order they went on.
        // An address left with no transaction goes, so an abandoned chain leaves nothing behind;
        // its key is copied while the entry still exists (each empties once: refs only shrink).
        std::vector<std::string> emptied;
        for (auto t = be.touches.rbegin(); t != be.touches.rend(); ++t) {
            address_entry& e = *t->entry;
            (t->sent ? e.totals.sent : e.totals.received) -= t->amount;
            if (t->added_ref) {
                e.refs.pop_back();
                if (e.refs.empty())
                    emptied.push_back(*t->key);
            }
        }
        for (const auto& key : emptied)
            by_address_.erase(key);
        by_hash_.erase(be.hash);
        blocks_.pop_back();
    }
}

void history_index::clear()
{
    blocks_.clear();
    by_address_.clear();
    by_hash_.clear();
}

std::optional<std::uint64_t> history_index::height_of(const hash256& hash) const
{
    const auto it = by_hash_.find(hash);
    if (it == by_hash_.end())
        return std::nullopt;
    return it->second;
}

history_index::history_page
history_index::history(std::string_view address, std::size_t offset, std::size_t limit) const
{
    history_page page;
    const auto it = by_address_.find(std::string(address));
    if (it == by_address_.end())
        return page;
    const auto& refs = it->second.refs;
    page.total = refs.size();
    page.totals = it->second.totals;
    for (std::size_t i = offset; i < refs.size() && page.refs.size() < limit; ++i)
        page.refs.push_back(refs[refs.size() - 1 - i]);
    return page;
}

} // namespace beastchain::core
