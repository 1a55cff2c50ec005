// JSON reply builders: every reply the node sends, error or not, is a JSON document.
#include <beastchain/net/http.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>

namespace beastchain::net {

response json_response(http::status status, reply_body::value_type body)
{
    response res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "beastchain");
    res.body() = std::move(body);
    return res;
}

response error_response(
    http::status status,
    std::string_view error,
    std::string_view detail,
    std::optional<std::string_view> field
)
{
    boost::json::object o;
    o.emplace("error", error);
    o.emplace("detail", detail);
    if (field)
        o.emplace("field", *field);
    return json_response(status, boost::json::serialize(o));
}

std::optional<response> require_json_content(const request& req)
{
    const auto it = req.find(http::field::content_type);
    std::string media;
    if (it != req.end()) {
        const std::string_view v = it->value();
        media = std::string(v.substr(0, std::min(v.find(';'), v.size())));
        media.erase(
            std::remove_if(media.begin(), media.end(), [](unsigned char c) { return std::isspace(c); }),
            media.end()
        );
        std::transform(media.begin(), media.end(), media.begin(), [](unsigned char c) {
            return std::tolower(c);
        });
    }
    if (media == "application/json")
        return std::nullopt;
    return error_response(
        http::status::unsupported_media_type,
        "unsupported_media_type",
        "the body must be JSON with Content-Type: application/json"
    );
}

} // namespace beastchain::net
