// chain_text: each block serialized once, then shared by every /chain and /blocks reply.
#include "chain_text.hpp"

#include <beastchain/json/conversions.hpp>
#include <beastchain/json/peer_messages.hpp>
#include <beastchain/json/text.hpp>

#include <boost/json/value_from.hpp>

#include <algorithm>

namespace beastchain::node {

namespace {

constexpr std::size_t page_bytes = 8 * 1024 * 1024; ///< a /blocks page stops growing past this

} // namespace

void chain_text::clear()
{
    entry_.clear();
    header_hex_.clear();
    full_runs_.clear();
    chain_.reset();
}

void chain_text::truncate(std::size_t fork_index)
{
    entry_.resize(std::min(entry_.size(), fork_index));
    header_hex_.resize(std::min(header_hex_.size(), fork_index));
    full_runs_.resize(std::min(full_runs_.size(), fork_index / run_size));
    chain_.reset();
}

net::shared_text chain_text::entry(const entries& chain, std::size_t i)
{
    while (entry_.size() <= i) {
        const auto& e = chain[entry_.size()];
        // Plain-decimal timestamps, as every reply prints them.
        entry_.push_back(std::make_shared<const std::string>(json::to_text(boost::json::value_from(e))));
    }
    return entry_[i];
}

std::shared_ptr<const net::joined_text> chain_text::blocks(const entries& chain)
{
    if (chain_)
        return chain_;
    // Blocks [from, to) as one text, with the comma that separates it from the blocks before:
    // few, large buffers make a reply few system calls (and few TLS records).
    const auto joined = [&](std::size_t from, std::size_t to) {
        std::size_t bytes = to - from;
        for (std::size_t i = from; i < to; ++i)
            bytes += entry(chain, i)->size();
        std::string s;
        s.reserve(bytes);
        for (std::size_t i = from; i < to; ++i) {
            if (i > 0)
                s += ',';
            s += *entry_[i];
        }
        return std::make_shared<const std::string>(std::move(s));
    };
    while ((full_runs_.size() + 1) * run_size <= chain.size()) {
        const std::size_t from = full_runs_.size() * run_size;
        full_runs_.push_back(joined(from, from + run_size));
    }
    auto list = std::make_shared<net::joined_text>(/*own_commas=*/true);
    for (const auto& run : full_runs_)
        list->add(run, run_size);
    const std::size_t tail_from = full_runs_.size() * run_size;
    if (tail_from < chain.size())
        list->add(joined(tail_from, chain.size()), chain.size() - tail_from);
    chain_ = std::move(list);
    return chain_;
}

std::optional<std::uint64_t> chain_text::page_start(const entries& chain, const blocks_query& q)
{
    if (q.locator.empty())
        return q.from.value_or(0);
    const auto on_our_chain = [&](const auto& loc) {
        return loc.first < chain.size() && chain[loc.first].hash == loc.second;
    };
    const auto it = std::find_if(q.locator.begin(), q.locator.end(), on_our_chain);
    if (it == q.locator.end())
        return std::nullopt;
    return it->first + 1;
}

const std::string& chain_text::header_hex(const entries& chain, std::size_t i)
{
    // Filled where asked, not from genesis: a first request near the tip of a long chain costs
    // what it returns (a Merkle root per header), not a stall over the whole chain.
    if (header_hex_.size() < chain.size())
        header_hex_.resize(chain.size());
    if (header_hex_[i].empty()) {
        const core::block& b = chain[i].blk;
        header_hex_[i] = core::to_hex(core::serialize_header(b, core::merkle_root(b.transactions)));
    }
    return header_hex_[i];
}

std::optional<std::string> chain_text::headers_page(const entries& chain, const blocks_query& q)
{
    const auto start = page_start(chain, q);
    if (!start)
        return std::nullopt;
    const std::uint64_t end = std::min<std::uint64_t>(chain.size(), *start + q.limit);
    for (std::uint64_t i = *start; i < end; ++i)
        header_hex(chain, i); // fill first: resizing the cache moves its strings
    std::vector<const std::string*> page;
    for (std::uint64_t i = *start; i < end; ++i)
        page.push_back(&header_hex_[i]);
    return json::encode_headers_page(*start, chain.back(), page);
}

std::optional<net::reply_body::value_type>
chain_text::blocks_page(const entries& chain, const blocks_query& q)
{
    const auto first = page_start(chain, q);
    if (!first)
        return std::nullopt;
    const std::uint64_t start = *first;
    auto list = std::make_shared<net::joined_text>();
    for (std::uint64_t i = start; i < chain.size() && list->items() < q.limit; ++i) {
        if (list->items() > 0 && list->bytes() > page_bytes)
            break;
        list->add(entry(chain, i));
    }
    return net::reply_body::value_type(
        std::string(json::blocks_page_head), std::move(list), json::blocks_page_tail(start, chain.back())
    );
}

} // namespace beastchain::node
