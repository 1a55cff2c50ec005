// Private to net/: who may start a TLS handshake (node-wide cap, per-source budget) and how failures are
// logged.
#pragma once

#include <boost/system/error_code.hpp>

#include <optional>

#include "server_state.hpp"

namespace beastchain::net {

/// One handshake counted against the node-wide cap until release() or destruction, however the
/// handshake ends (constructing the TLS stream can throw).
class handshake_slot
{
public:
    explicit handshake_slot(http_server::state& st) noexcept
        : st_(&st)
    {}
    handshake_slot(handshake_slot&& other) noexcept;
    handshake_slot& operator=(handshake_slot&&) = delete;
    ~handshake_slot();

    void release() noexcept;

private:
    http_server::state* st_;
};

/// A slot when fewer than max_handshakes_in_progress are running and the source's handshake
/// budget has a token; nothing (and nothing spent beyond the token) otherwise.
std::optional<handshake_slot> admit_handshake(http_server::state& st, const boost::asio::ip::address& source);

/// One line per source (source_key: one host usually holds a whole IPv6 /64) per hour (bounded:
/// past 1,024 sources in an hour further failures are not logged), so a client retrying a bad
/// handshake in a loop cannot flood the log.
void log_failed_handshake(http_server::state& st, const client& from, const boost::system::error_code& ec);

} // namespace beastchain::net
