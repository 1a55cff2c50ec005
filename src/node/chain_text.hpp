// The best chain as text replies share: per-block JSON and headers, /chain and /blocks pages.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/net/joined_text.hpp>
#include <beastchain/net/reply_body.hpp>
#include <beastchain/node/outcomes.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beastchain::node {

/**
 * Serialized views of the best chain, filled lazily and kept until the blocks they describe
 * leave the chain. Blocks never change, so each is serialized once and its text is shared by
 * every reply: `/blocks` pages are lists of pointers to it, and `/chain` is a list
 * of runs of blocks, each joined once: a new tip re-joins only the blocks after the last full run.
 *
 * @par Thread Safety
 * Called on the chain strand only. The texts and lists it hands out are immutable and may be read
 * on any thread for as long as a reply holds them.
 */
class chain_text
{
public:
    using entries = std::vector<core::chain_entry>;

    /// Forget everything (the state was reloaded).
    void clear();
    /// Blocks from `fork_index` on were replaced.
    void truncate(std::size_t fork_index);
    /// A block was appended: the next `/chain` list is one longer.
    void grew() { chain_.reset(); }

    /// Block `i` of `chain` as JSON.
    net::shared_text entry(const entries& chain, std::size_t i);
    /// The whole chain's blocks, in order, for `[` ... `]`.
    std::shared_ptr<const net::joined_text> blocks(const entries& chain);
    /// A `/blocks` page; nullopt when no locator block is on `chain`.
    std::optional<net::reply_body::value_type> blocks_page(const entries& chain, const blocks_query& q);
    /// A `/headers` page (the same query); nullopt when no locator block is on `chain`.
    std::optional<std::string> headers_page(const entries& chain, const blocks_query& q);

    /// Blocks per shared run of the `/chain` list. A full run is joined into one text once and
    /// shared by every later list; a new tip re-joins only the blocks after the last full run.
    static constexpr std::size_t run_size = 256;

private:
    /// Where a page starts: `q.from`, or after the first locator block on `chain`.
    static std::optional<std::uint64_t> page_start(const entries& chain, const blocks_query& q);
    /// Block `i`'s header as hex (filled where asked, not from genesis).
    const std::string& header_hex(const entries& chain, std::size_t i);

    std::vector<net::shared_text> entry_; ///< a prefix of the chain
    std::vector<std::string> header_hex_; ///< per block; empty until asked for
    /// The text of each full run of `run_size` blocks from genesis, every run after the first
    /// starting with the comma that follows the run before.
    std::vector<net::shared_text> full_runs_;
    std::shared_ptr<const net::joined_text> chain_; ///< the current list; null after a change
};

} // namespace beastchain::node
