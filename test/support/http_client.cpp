// Test HTTP client: async Beast operations run to completion with a deadline on a private io_context.
#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdexcept>

namespace beastchain::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

boost::json::value http_result::json() const
{
    return boost::json::parse(body);
}

http_result to_result(http::response<http::string_body>&& res)
{
    http_result out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
            return std::tolower(c);
        });
        out.headers[name] = std::string(f.value());
    }
    return out;
}

http_result http_call(
    std::uint16_t port,
    const std::string& method,
    const std::string& target,
    const std::string& body,
    const std::string& content_type,
    std::chrono::milliseconds timeout
)
{
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.keep_alive(false);
    if (!body.empty() || method == "POST") {
        if (!content_type.empty())
            req.set(http::field::content_type, content_type);
        req.body() = body;
        req.prepare_payload();
    }
    boost::system::error_code failure;
    stream.expires_after(timeout);
    stream.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
        [&](boost::system::error_code ec) {
            if (ec) {
                failure = ec;
                return;
            }
            http::async_write(stream, req, [&](boost::system::error_code ec2, std::size_t) {
                // A server may refuse a request (413) before reading all of it; like curl, still read
                // the reply it sent, and report the write error only if there is none.
                http::async_read(
                    stream,
                    buffer,
                    parser,
                    [&, ec2](boost::system::error_code ec3, std::size_t) { failure = ec3 && ec2 ? ec2 : ec3; }
                );
            });
        }
    );
    ioc.run();
    if (failure)
        throw std::runtime_error(method + " " + target + " failed: " + failure.message());
    return to_result(parser.release());
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout)
{
    return raw_exchange_at("127.0.0.1", port, bytes, timeout);
}

std::string raw_exchange_at(
    const std::string& address,
    std::uint16_t port,
    const std::string& bytes,
    std::chrono::milliseconds timeout
)
{
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    std::string reply;
    std::array<char, 4096> chunk{};
    stream.expires_after(timeout);
    std::function<void(boost::system::error_code, std::size_t)> on_read = [&](boost::system::error_code ec,
                                                                              std::size_t n) {
        reply.append(chunk.data(), n);
        if (!ec)
            stream.async_read_some(asio::buffer(chunk), on_read);
    };
    stream.async_connect(
        tcp::endpoint(asio::ip::make_address(address), port),
        [&](boost::system::error_code ec) {
            if (ec)
                return;
            asio::async_write(stream, asio::buffer(bytes), [&](boost::system::error_code, std::size_t) {
                stream.async_read_some(asio::buffer(chunk), on_read);
            });
        }
    );
    ioc.run();
    return reply;
}

std::string non_loopback_address()
{
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return {};
    std::string found;
    for (const ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_UP) == 0 ||
            (i->ifa_flags & IFF_LOOPBACK) != 0)
            continue;
        char text[INET_ADDRSTRLEN] = {};
        const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr)
            found = text;
    }
    ::freeifaddrs(list);
    return found;
}

} // namespace beastchain::test
