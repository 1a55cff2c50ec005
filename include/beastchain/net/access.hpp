// Who may call what: the operator's bearer token, the Host check against DNS rebinding, and the
// refusal of side-effecting requests a browser marks as cross-site.
#pragma once

#include <beastchain/net/http.hpp>

#include <boost/asio/ip/address.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::net {

/// The other end of a connection, as the session saw it when it accepted.
struct client
{
    boost::asio::ip::address address;

    /// 127.0.0.0/8, ::1, or either mapped into IPv6.
    bool loopback() const noexcept;
};

/// What a route demands of its caller, checked by the session from the headers alone, before a
/// body is read and before the handler runs.
enum class route_access
{
    open,          ///< public and peer-protocol routes
    operator_only, ///< spends this node's resources or changes its configuration: needs the token
};

struct access_settings
{
    /// The operator's token; empty: none (then only loopback clients reach operator routes).
    std::string token = {};
    /// Whether loopback clients must present the token too (`--auth-token-file` given).
    bool token_on_loopback = false;
    /// From a loopback client, a Host naming anything but an IP literal, `localhost` or one of
    /// `extra_hosts` is DNS rebinding (a browser resolved an attacker's name to us): refused.
    bool check_host = true;
    std::vector<std::string> extra_hosts = {}; ///< lower-case names accepted in Host besides those
};

/**
 * The access rules, as a pure function of a request's headers and its client, so they are
 * unit-tested without sockets.
 *
 * Order: Host (any route), then cross-site (side-effecting routes), then the token (operator
 * routes). curl and scripts send neither `Origin` nor `Sec-Fetch-Site`, so only browsers meet the
 * cross-site rule.
 *
 * @par Thread Safety
 * Read-only once built; safe to share.
 */
class access_policy
{
public:
    access_policy() = default; ///< everything open to loopback, operator routes closed to others
    explicit access_policy(access_settings s);

    /// The reply refusing this request, or nullopt when it may proceed.
    std::optional<response>
    refuse(const request& req, const client& from, route_access access, bool side_effects) const;

    /// Whether `req` carries the operator's token (compared in constant time).
    bool has_token(const request& req) const;

private:
    bool token_needed(const client& from) const noexcept;
    bool own_host(std::string_view host_header) const;

    access_settings settings_;
    std::array<unsigned char, 32> token_digest_{}; ///< SHA-256 of the token: compared, never the token
};

/// A new random token: 32 bytes from the OpenSSL CSPRNG, as 64 hex digits.
std::string random_token();

} // namespace beastchain::net
