// Peer URL validation with Boost.URL (RFC 3986), so no hand-rolled URL parsing.
#include <beastchain/net/peer_url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

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
    if (u.scheme_id() != boost::urls::scheme::http) {
        why = "only http:// peer addresses are supported";
        return std::nullopt;
    }
    if (u.has_userinfo() || u.has_query() || u.has_fragment() ||
        !(u.encoded_path().empty() || u.encoded_path() == "/")) {
        why = "address must be http://host:port with no user, path, query or fragment";
        return std::nullopt;
    }
    peer_url out;
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
    out.normalized = "http://" + display_host + ":" + std::to_string(out.port);
    return out;
}

} // namespace beastchain::net
