// A blocking HTTP/1.1 test client with a deadline, built on Beast; parses JSON replies.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace beastchain::test {

struct http_result
{
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers; ///< lower-case names
    boost::json::value json() const;            ///< throws if the body is not JSON
};

/// A parsed reply as tests read it: status, body, and headers by lower-case name.
http_result to_result(boost::beast::http::response<boost::beast::http::string_body>&& res);

/// One request on a fresh connection. Throws std::runtime_error on network failure or timeout.
http_result http_call(
    std::uint16_t port,
    const std::string& method,
    const std::string& target,
    const std::string& body = {},
    const std::string& content_type = "application/json",
    std::chrono::milliseconds timeout = std::chrono::seconds(30)
);

inline http_result http_get(
    std::uint16_t port,
    const std::string& target,
    std::chrono::milliseconds timeout = std::chrono::seconds(30)
)
{
    return http_call(port, "GET", target, {}, {}, timeout);
}

inline http_result http_post_json(std::uint16_t port, const std::string& target, const std::string& json)
{
    return http_call(port, "POST", target, json);
}

/// Sends raw bytes and returns whatever the server answers before closing (or the timeout).
std::string raw_exchange(
    std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5)
);

/// raw_exchange to another local address: a client the node sees as coming from that address.
std::string raw_exchange_at(
    const std::string& address,
    std::uint16_t port,
    const std::string& bytes,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)
);

/// An IPv4 address of this machine that is not loopback (an interface that is up), or empty.
std::string non_loopback_address();

} // namespace beastchain::test
