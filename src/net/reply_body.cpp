// reply_body: gathers a reply's owned and shared text into writev batches, copying none of it.
#include <beastchain/net/reply_body.hpp>

namespace beastchain::net {

namespace {
constexpr char comma[] = ",";
}

std::string reply_body::value_type::str() const
{
    // Exactly what goes on the wire: the writer is the one place that joins the parts.
    const boost::beast::http::response_header<> unused;
    writer w(unused, *this);
    boost::beast::error_code ec;
    std::string out;
    out.reserve(size());
    while (const auto batch = w.get(ec))
        for (const auto& b : batch->first)
            out.append(static_cast<const char*>(b.data()), b.size());
    return out;
}

boost::optional<std::pair<reply_body::writer::const_buffers_type, bool>>
reply_body::writer::get(boost::beast::error_code& ec)
{
    ec = {};
    // Beast writes the first batch after the header's buffers (status line, one per field), and
    // Asio takes 64 per write: a full first batch would leave a short write for the rest.
    const std::size_t limit = stage_ == 0 ? first_batch : batch;
    buffers out;
    const auto add = [&](const void* data, std::size_t n) {
        if (n > 0)
            out.items[out.count++] = boost::asio::const_buffer(data, n);
    };
    if (stage_ == 0) {
        add(v_.head_.data(), v_.head_.size());
        stage_ = v_.middle_ ? 1 : 2;
    }
    if (stage_ == 1) {
        const auto& parts = v_.middle_->parts();
        const bool commas = !v_.middle_->own_commas();
        // Up to two slots per part: its comma and its text.
        for (; part_ < parts.size() && out.count + 2 <= limit; ++part_) {
            if (part_ > 0 && commas)
                add(comma, 1);
            add(parts[part_]->data(), parts[part_]->size());
        }
        if (part_ == parts.size())
            stage_ = 2;
    }
    if (stage_ == 2 && out.count < limit) {
        add(v_.tail_.data(), v_.tail_.size());
        stage_ = 3;
    }
    if (out.count == 0)
        return boost::none;
    return std::pair{out, stage_ != 3};
}

} // namespace beastchain::net
