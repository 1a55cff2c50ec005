// Peer addresses: only `http(s)://host[:port]` URLs are accepted, in one normalised spelling.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace beastchain::net {

struct peer_url
{
    std::string host;        ///< for connecting: a name, an IPv4 literal, or an IPv6 literal without brackets
    std::uint16_t port = 80; ///< 443 when `tls` and the URL names none
    std::string normalized;  ///< `http(s)://host:port`, lower-case, IPv6 in brackets, no trailing slash
    /// `https://`: the link is TLS, the certificate checked against the node's CAs and `host`.
    bool tls = false;
    /// Every contact connects only to public addresses (is_public_address), however the name
    /// resolves at the time: set for an address a stranger announced from the internet, so a
    /// name that passed admission cannot be re-pointed at an internal service (DNS rebinding).
    bool public_only = false;

    friend bool operator==(const peer_url& a, const peer_url& b) { return a.normalized == b.normalized; }
};

/// Parses and normalises a peer address. Refuses other schemes, user info, paths other than "/",
/// queries, fragments and port 0; `why` says which.
std::optional<peer_url> parse_peer_url(std::string_view text, std::string& why);

/// Whether an address is globally routable: not loopback, private (RFC 1918, fc00::/7), shared
/// (100.64/10), link-local, multicast, reserved, documentation or benchmarking space, and not
/// an IPv6 form that embeds such an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
bool is_public_address(const boost::asio::ip::address& a) noexcept;

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it carries; any other
/// address as it is. Rules about IPv4 ranges apply to both spellings through this.
boost::asio::ip::address unmapped(const boost::asio::ip::address& a) noexcept;

/// Whether a client's address is inside this host or its local network: loopback, RFC 1918,
/// link-local, or IPv6 unique-local and link-local (mapped forms included). Only such sources
/// may announce internal addresses; every other source counts as the internet (shared CGNAT
/// space, tunnels, reserved and unknown addresses included).
bool is_internal_address(const boost::asio::ip::address& a) noexcept;

} // namespace beastchain::net
