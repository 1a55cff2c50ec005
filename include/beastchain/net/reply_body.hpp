// A reply body that is owned text, or owned text around shared immutable pieces written in place.
#pragma once

#include <beastchain/net/joined_text.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace beastchain::net {

/// A Beast body for replies. Most replies are one owned string (`head`). Large ones (`/chain`,
/// `/blocks` pages) put the shared pieces between an owned `head` and `tail`, so a reply costs a
/// few pointers, not a copy of megabytes, and a slow reader holds text every other reader shares.
struct reply_body
{
    class value_type
    {
    public:
        value_type() = default;
        value_type(std::string text)
            : head_(std::move(text))
        {}
        value_type(const char* text)
            : head_(text)
        {}
        value_type(std::string head, std::shared_ptr<const joined_text> middle, std::string tail)
            : head_(std::move(head))
            , middle_(std::move(middle))
            , tail_(std::move(tail))
        {}
        value_type& operator=(std::string text)
        {
            head_ = std::move(text);
            middle_.reset();
            tail_.clear();
            return *this;
        }
        value_type& operator=(const char* text) { return *this = std::string(text); }

        std::size_t size() const { return head_.size() + (middle_ ? middle_->bytes() : 0) + tail_.size(); }
        bool empty() const { return size() == 0; }
        /// The whole text as one string: a copy, for tests and logs, never for the wire.
        std::string str() const;

    private:
        friend struct reply_body;
        std::string head_;
        std::shared_ptr<const joined_text> middle_;
        std::string tail_;
    };

    static std::uint64_t size(const value_type& v) { return v.size(); }

    /// Hands Beast up to `batch` buffers at a time (Asio's limit for one write); fewer the first
    /// time, when Beast sends them after the header's own buffers.
    class writer
    {
    public:
        static constexpr std::size_t batch = 64;
        static constexpr std::size_t first_batch = batch - 16;
        struct buffers
        {
            using value_type = boost::asio::const_buffer;
            using const_iterator = const boost::asio::const_buffer*;
            std::array<boost::asio::const_buffer, batch> items{};
            std::size_t count = 0;
            const_iterator begin() const { return items.data(); }
            const_iterator end() const { return items.data() + count; }
        };
        using const_buffers_type = buffers;

        template <bool is_request, class Fields>
        writer(const boost::beast::http::header<is_request, Fields>&, const value_type& v)
            : v_(v)
        {}

        void init(boost::beast::error_code& ec) { ec = {}; }
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec);

    private:
        const value_type& v_;
        int stage_ = 0; ///< 0 head, 1 middle, 2 tail, 3 done
        std::size_t part_ = 0;
    };
};

} // namespace beastchain::net
