// systemd readiness protocol (sd_notify) without libsystemd: one datagram to $NOTIFY_SOCKET.
#pragma once

#include <string_view>

namespace beastchain::node {

/// Sends `state` (e.g. "READY=1\nSTATUS=...") to the service manager. Does nothing, and returns
/// false, when not started by systemd with Type=notify (no NOTIFY_SOCKET).
bool notify_systemd(std::string_view state) noexcept;

} // namespace beastchain::node
