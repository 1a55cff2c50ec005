// Text shared between replies: immutable parts, joined by commas or carrying their own.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace beastchain::net {

/// Text published once and then only read, by any number of replies at a time.
using shared_text = std::shared_ptr<const std::string>;

/**
 * Parts written back to back, with a comma between two parts unless `own_commas`. Immutable once
 * published: replies on any thread read it while its owner builds the next one. A reply's
 * Content-Length is `bytes`, so only `add` changes the parts.
 *
 * Large parts keep a reply to few buffers: Asio hands the kernel at most 64 per write, and under
 * TLS every buffer too large to merge with its neighbours becomes a record of its own.
 */
class joined_text
{
public:
    /// `own_commas`: each part after the first already starts with its separator.
    explicit joined_text(bool own_commas = false)
        : own_commas_(own_commas)
    {}

    /// Appends a part that holds `items` of whatever the list counts (blocks).
    void add(shared_text part, std::size_t items = 1)
    {
        bytes_ += part->size() + (parts_.empty() || own_commas_ ? 0 : 1);
        parts_.push_back(std::move(part));
        items_ += items;
    }

    const std::vector<shared_text>& parts() const noexcept { return parts_; }
    bool own_commas() const noexcept { return own_commas_; }
    std::size_t items() const noexcept { return items_; }
    /// The parts and the commas written between them.
    std::size_t bytes() const noexcept { return bytes_; }

private:
    std::vector<shared_text> parts_;
    std::size_t items_ = 0;
    std::size_t bytes_ = 0;
    bool own_commas_;
};

} // namespace beastchain::net
