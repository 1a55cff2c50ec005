// The access rules: Host against DNS rebinding, cross-site refusals, the operator's bearer token.
#include <beastchain/net/access.hpp>
#include <beastchain/net/peer_url.hpp>

#include <boost/asio/ip/address.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace beastchain::net {

namespace {

std::array<unsigned char, 32> digest(std::string_view text)
{
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view header(const request& req, http::field f)
{
    const auto it = req.find(f);
    return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

/// The host part of a Host header or an origin's authority: `[::1]:5000` -> `::1`, `a:1` -> `a`.
std::string_view host_part(std::string_view authority)
{
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        return close == std::string_view::npos ? std::string_view() : authority.substr(1, close - 1);
    }
    return authority.substr(0, std::min(authority.find(':'), authority.size()));
}

bool is_ip_literal(std::string_view host)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
}

/// Whether an Origin or Referer (`scheme://authority[/path]`) names exactly `host_header`.
bool same_authority(std::string_view url, std::string_view host_header)
{
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || host_header.empty())
        return false;
    std::string_view authority = url.substr(scheme_end + 3);
    authority = authority.substr(0, std::min(authority.find('/'), authority.size()));
    return !authority.empty() && lower(authority) == lower(host_header);
}

response forbidden(std::string_view error, std::string_view detail)
{
    return error_response(http::status::forbidden, error, detail);
}

} // namespace

bool client::loopback() const noexcept
{
    return unmapped(address).is_loopback();
}

access_policy::access_policy(access_settings s)
    : settings_(std::move(s))
{
    for (auto& h : settings_.extra_hosts)
        h = lower(h);
    if (!settings_.token.empty())
        token_digest_ = digest(settings_.token);
}

bool access_policy::own_host(std::string_view host_header) const
{
    // DNS rebinding needs a name the attacker controls; IP literals and localhost are safe.
    std::string host = lower(host_part(host_header));
    if (host.ends_with('.'))
        host.pop_back(); // "localhost." is localhost
    return is_ip_literal(host) || host == "localhost" || host.ends_with(".localhost") ||
           host == "ip6-localhost" || host == "ip6-loopback" ||
           std::find(settings_.extra_hosts.begin(), settings_.extra_hosts.end(), host) !=
               settings_.extra_hosts.end();
}

bool access_policy::token_needed(const client& from) const noexcept
{
    return settings_.token_on_loopback || !from.loopback();
}

bool access_policy::has_token(const request& req) const
{
    if (settings_.token.empty())
        return false;
    constexpr std::string_view scheme = "Bearer ";
    const std::string_view value = header(req, http::field::authorization);
    if (value.size() <= scheme.size() || lower(value.substr(0, scheme.size())) != "bearer ")
        return false;
    // Digests of equal length, compared in constant time: neither the token's bytes nor its
    // length leak through timing.
    const auto offered = digest(value.substr(scheme.size()));
    return CRYPTO_memcmp(offered.data(), token_digest_.data(), offered.size()) == 0;
}

std::optional<response>
access_policy::refuse(const request& req, const client& from, route_access access, bool side_effects) const
{
    const std::string_view host_header = header(req, http::field::host);
    // Loopback clients skip the token, so a browser page must not reach the node as one under
    // a name it controls (DNS rebinding), whatever address the node listens on. Other clients
    // meet the token instead.
    if (settings_.check_host && from.loopback() && !host_header.empty() && !own_host(host_header))
        return forbidden(
            "forbidden_host", "a local client named a Host this node does not answer to (see --allow-host)"
        );
    if (side_effects) {
        // `same-site` still covers other ports on the same host, such as another local web app.
        const auto site = req["Sec-Fetch-Site"];
        const std::string_view fetch_site(site.data(), site.size());
        if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none")
            return forbidden("cross_site", "a side-effecting request from another site's page is refused");
        // Origin, or failing that Referer (older browsers send no Origin on a plain GET such as
        // <img src=.../mine>), must name this very Host.
        for (const auto field : {http::field::origin, http::field::referer}) {
            const std::string_view value = header(req, field);
            if (value.empty())
                continue;
            if (!same_authority(value, host_header))
                return forbidden("cross_site", "a side-effecting request from another origin is refused");
            break;
        }
    }
    if (access == route_access::operator_only && token_needed(from) && !has_token(req)) {
        const bool offered = req.find(http::field::authorization) != req.end();
        response res = error_response(
            http::status::unauthorized,
            "unauthorized",
            offered
                ? "the token is not this node's operator token"
                : "this route needs the operator's token: Authorization: Bearer TOKEN (see docs/deploy.md)"
        );
        res.set(
            http::field::www_authenticate,
            offered ? R"(Bearer realm="beastchain", error="invalid_token")" : R"(Bearer realm="beastchain")"
        );
        return res;
    }
    return std::nullopt;
}

std::string random_token()
{
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("the OpenSSL random generator failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

} // namespace beastchain::net
