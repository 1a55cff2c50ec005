// What every route group shares: the one error-to-HTTP map, JSON replies, parameter parsing.
#include <beastchain/json/text.hpp>
#include <beastchain/net/peer_client.hpp>
#include <beastchain/net/peer_url.hpp>

#include <boost/json/serialize.hpp>

#include <charconv>

#include "routes.hpp"

namespace beastchain::node::routes {

response error_reply(const node_error& e)
{
    struct shape
    {
        http::status status;
        std::string_view name;
        std::string_view retry_after; ///< empty: no header
    };
    const shape s = [&]() -> shape {
        switch (e.code) {
        case node_errc::storage_unavailable:
            return {http::status::service_unavailable, "storage_unavailable", "5"};
        case node_errc::pool_full:
            return {http::status::service_unavailable, "pending_pool_full", "1"};
        case node_errc::not_mining:
            return {http::status::service_unavailable, "not_mining", {}};
        case node_errc::conflict:
            return {http::status::conflict, "conflicting_transaction", {}};
        case node_errc::duplicate_transaction:
            return {http::status::conflict, "duplicate_transaction", {}};
        case node_errc::peer_limit:
            return {http::status::conflict, "peer_limit_reached", {}};
        case node_errc::peer_refused:
            return {http::status::forbidden, "peer_refused", {}};
        case node_errc::other_network:
            return {http::status::conflict, "other_network", {}};
        case node_errc::invalid_field:
        case node_errc::own_address:
            return {http::status::bad_request, "invalid_field", {}};
        case node_errc::invalid_block:
            return {http::status::bad_request, "invalid_block", {}};
        case node_errc::no_common_block:
            return {http::status::not_found, "no_common_block", {}};
        case node_errc::no_such_block:
            return {http::status::not_found, "no_such_block", {}};
        }
        return {http::status::internal_server_error, "internal_error", {}};
    }();
    // A failed write changed nothing; say so, and that reads still work.
    const std::string_view detail =
        e.code == node_errc::storage_unavailable && e.detail.empty()
            ? "the node cannot write its data directory; nothing was changed, reads still work"
            : std::string_view(e.detail);
    const auto field = e.field.empty() ? std::nullopt : std::optional<std::string_view>(e.field);
    const std::string_view name = e.name.empty() ? s.name : std::string_view(e.name);
    response res = net::error_response(s.status, name, detail, field);
    if (!s.retry_after.empty())
        res.set(http::field::retry_after, s.retry_after);
    return res;
}

response reply(http::status status, const boost::json::object& o)
{
    return net::json_response(status, json::to_text(o));
}

response invalid_parameter(std::string_view name, std::string_view detail)
{
    return net::error_response(
        http::status::bad_request, "invalid_parameter", std::string(name) + " " + std::string(detail), name
    );
}

std::optional<std::uint64_t> parse_height(std::string_view s)
{
    if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::string origin_of(const request& req)
{
    const auto it = req.find(net::origin_header);
    if (it == req.end())
        return {};
    std::string why;
    const auto url = net::parse_peer_url(std::string_view(it->value().data(), it->value().size()), why);
    return url ? url->normalized : std::string();
}

} // namespace beastchain::node::routes
