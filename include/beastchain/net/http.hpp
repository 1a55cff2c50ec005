// HTTP message types and JSON reply helpers shared by the server, the router and the handlers.
#pragma once

#include <beastchain/net/reply_body.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace beastchain::net {

namespace http = boost::beast::http;

using request = http::request<http::string_body>;
/// Replies share large bodies (the chain, block pages) instead of copying them: reply_body.
using response = http::response<reply_body>;

/// A reply with a JSON body (already serialized) and `Content-Type: application/json`.
response json_response(http::status status, reply_body::value_type body);

/// The uniform error shape: `{"error": ..., "detail": ...}` plus `"field"` when one field is to blame.
response error_response(
    http::status status,
    std::string_view error,
    std::string_view detail,
    std::optional<std::string_view> field = std::nullopt
);

/// 415 unless the request declares `Content-Type: application/json` (parameters such as charset allowed).
std::optional<response> require_json_content(const request& req);

} // namespace beastchain::net
