// TLS handshake admission and the rate-limited log of failed handshakes, shared by every I/O thread.
#include "handshake.hpp"

#include <beastchain/log.hpp>

#include <utility>

namespace beastchain::net {

handshake_slot::handshake_slot(handshake_slot&& other) noexcept
    : st_(std::exchange(other.st_, nullptr))
{}

handshake_slot::~handshake_slot()
{
    release();
}

void handshake_slot::release() noexcept
{
    if (st_ == nullptr)
        return;
    const std::lock_guard lock(st_->mutex);
    --st_->handshakes_in_progress;
    st_ = nullptr;
}

std::optional<handshake_slot> admit_handshake(http_server::state& st, const boost::asio::ip::address& source)
{
    const std::lock_guard lock(st.mutex);
    if (st.handshakes_in_progress >= http_server::state::max_handshakes_in_progress ||
        st.handshakes.take_write(source, client_budget::clock::now()))
        return std::nullopt;
    ++st.handshakes_in_progress;
    return std::optional<handshake_slot>(std::in_place, st);
}

void log_failed_handshake(http_server::state& st, const client& from, const boost::system::error_code& ec)
{
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(st.mutex);
        if (now >= st.handshake_log_reset) {
            st.handshake_logged.clear();
            st.handshake_log_reset = now + std::chrono::hours(1);
        }
        if (st.handshake_logged.size() >= 1024)
            return;
        if (!st.handshake_logged.insert(source_key(from.address)).second)
            return;
    }
    log::warning(
        "TLS handshake from " + from.address.to_string() + " failed: " + ec.message() +
        " (further failures from this source are not logged)"
    );
}

} // namespace beastchain::net
