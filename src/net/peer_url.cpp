// Peer URL validation with Boost.URL (RFC 3986), so no hand-rolled URL parsing.
#include <beastchain/net/peer_url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>

namespace beastchain::net {

std::optional<peer_url> parse_peer_url(std::string_view text, std::string& why)
{
    if (text.size() > 2048) {
        why = "address is too long";
        return std::nullopt;
    }
    const auto parsed = boost::urls::parse_absolute_uri(boost::core::string_view(text.data(), text.size()));
    if (!parsed) {
        why = "address is not an absolute URL";
        return std::nullopt;
    }
    const boost::urls::url_view& u = *parsed;
    const bool tls = u.scheme_id() == boost::urls::scheme::https;
    if (u.scheme_id() != boost::urls::scheme::http && !tls) {
        why = "only http:// and https:// peer addresses are supported";
        return std::nullopt;
    }
    if (u.has_userinfo() || u.has_query() || u.has_fragment() ||
        !(u.encoded_path().empty() || u.encoded_path() == "/")) {
        why = "address must be http(s)://host:port with no user, path, query or fragment";
        return std::nullopt;
    }
    peer_url out;
    out.tls = tls;
    out.port = tls ? 443 : 80;
    std::string display_host;
    switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
        out.host = u.host_ipv4_address().to_string();
        display_host = out.host;
        break;
    case boost::urls::host_type::ipv6:
        out.host = u.host_ipv6_address().to_string();
        display_host = "[" + out.host + "]";
        break;
    case boost::urls::host_type::name: {
        out.host = std::string(u.encoded_host());
        std::transform(out.host.begin(), out.host.end(), out.host.begin(), [](unsigned char c) {
            return std::tolower(c);
        });
        const bool plain = std::all_of(out.host.begin(), out.host.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '.';
        });
        if (!plain || out.host.empty() || out.host.size() > 253) {
            why = "host name must be letters, digits, '-' and '.'";
            return std::nullopt;
        }
        display_host = out.host;
        break;
    }
    default:
        why = "address has no usable host";
        return std::nullopt;
    }
    if (u.has_port()) {
        const std::string_view port = u.port();
        if (port.empty() || port.size() > 5 || u.port_number() == 0 ||
            std::stoul(std::string(port)) > 65535) {
            why = "port must be 1 to 65535";
            return std::nullopt;
        }
        out.port = u.port_number();
    }
    out.normalized = (tls ? "https://" : "http://") + display_host + ":" + std::to_string(out.port);
    return out;
}

namespace {

struct v4_range
{
    std::uint32_t base;
    unsigned bits;
};

// IANA's special-purpose IPv4 registry, plus multicast and the reserved 240/4.
constexpr v4_range special_v4[] = {
    {0x00000000, 8},
    {0x0A000000, 8},
    {0x64400000, 10},
    {0x7F000000, 8},
    {0xA9FE0000, 16},
    {0xAC100000, 12},
    {0xC0000000, 24},
    {0xC0000200, 24},
    {0xC0586300, 24},
    {0xC0A80000, 16},
    {0xC6120000, 15},
    {0xC6336400, 24},
    {0xCB007100, 24},
    {0xE0000000, 4},
    {0xF0000000, 4},
};

bool public_v4(std::uint32_t a) noexcept
{
    for (const auto& r : special_v4)
        if ((a >> (32 - r.bits)) == (r.base >> (32 - r.bits)))
            return false;
    return true;
}

std::uint32_t v4_at(const std::array<unsigned char, 16>& b, std::size_t at) noexcept
{
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 |
           b[at + 3];
}

} // namespace

bool is_public_address(const boost::asio::ip::address& a) noexcept
{
    if (a.is_v4())
        return public_v4(a.to_v4().to_uint());
    const auto b = a.to_v6().to_bytes();
    const auto starts = [&b](std::initializer_list<unsigned char> prefix) {
        return std::equal(prefix.begin(), prefix.end(), b.begin());
    };
    // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (mapped).
    if (std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; })) {
        if (b[10] == 0xff && b[11] == 0xff)
            return public_v4(v4_at(b, 12));
        return false;
    }
    if (starts({0x00, 0x64, 0xff, 0x9b})) // 64:ff9b::/96 NAT64 embeds an IPv4 address
        return public_v4(v4_at(b, 12));
    if ((b[0] & 0xfe) == 0xfc) // fc00::/7 unique local
        return false;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) // fe80::/10 link-local
        return false;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) // fec0::/10 site-local (deprecated)
        return false;
    if (b[0] == 0xff) // multicast
        return false;
    if (starts({0x20, 0x01, 0x0d, 0xb8})) // 2001:db8::/32 documentation
        return false;
    if (starts({0x20, 0x01, 0x00, 0x00}) || starts({0x20, 0x02})) // Teredo, 6to4: tunnels to anywhere
        return false;
    if (starts({0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})) // 100::/64 discard
        return false;
    if (starts({0x20, 0x01, 0x00, 0x02, 0x00, 0x00}) || starts({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}))
        return false; // 2001:2::/48 benchmarking, 64:ff9b:1::/48 local-use NAT64
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && ((b[3] & 0xf0) == 0x10 || (b[3] & 0xf0) == 0x20))
        return false; // 2001:10::/28 and 2001:20::/28, ORCHID
    if (b[0] == 0x3f && (b[1] & 0xf0) == 0xf0)
        return false; // 3fff::/20 documentation
    return true;
}

boost::asio::ip::address unmapped(const boost::asio::ip::address& a) noexcept
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    return a;
}

bool is_internal_address(const boost::asio::ip::address& mapped) noexcept
{
    const boost::asio::ip::address a = unmapped(mapped);
    if (a.is_v4()) {
        const std::uint32_t v = a.to_v4().to_uint();
        return (v >> 24) == 127 || (v >> 24) == 10 || (v >> 20) == 0xAC1 || (v >> 16) == 0xC0A8 ||
               (v >> 16) == 0xA9FE;
    }
    const auto b = a.to_v6().to_bytes();
    return a.is_loopback() || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

} // namespace beastchain::net
