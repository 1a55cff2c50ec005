// Fake peers run their own io_context thread so the node under test talks to a real socket.
#include "fake_peer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <list>
#include <map>
#include <mutex>
#include <thread>

namespace beastchain::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct fake_peer::impl
{
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    mode m;
    std::string body;
    unsigned status;
    std::atomic<int> seen{0};
    std::mutex routes_mutex;
    std::map<std::string, std::pair<unsigned, std::string>, std::less<>> routes;
    std::map<std::string, int, std::less<>> hits; // "VERB /path" -> requests; under routes_mutex
    std::uint16_t upstream_port = 0;              // forward_slowly
    std::chrono::milliseconds upstream_delay{0};
    std::list<tcp::socket> held; // silent mode keeps connections open and mute
    std::thread runner;

    /// Serve mode's scripted reply.
    void answer(tcp::socket& s, const http::request<http::string_body>& req)
    {
        const std::string_view target = req.target();
        const std::string path(target.substr(0, target.find('?')));
        auto [code, text] = std::pair{status, body};
        {
            const std::lock_guard lock(routes_mutex);
            if (const auto it = routes.find(path); it != routes.end())
                std::tie(code, text) = it->second;
        }
        if (code == 0)
            throw std::runtime_error("hang up"); // dies mid-exchange
        http::response<http::string_body> res{static_cast<http::status>(code), 11};
        res.set(http::field::content_type, "application/json");
        res.body() = std::move(text);
        res.keep_alive(false);
        res.prepare_payload();
        http::write(s, res);
    }

    /// forward_slowly's exchange; false when no upstream is set.
    bool forward(tcp::socket& client, http::request<http::string_body>& req)
    {
        std::uint16_t port = 0;
        std::chrono::milliseconds delay{0};
        {
            const std::lock_guard lock(routes_mutex);
            port = upstream_port;
            delay = upstream_delay;
        }
        if (port == 0)
            return false;
        std::this_thread::sleep_for(delay);
        tcp::socket up(ioc);
        up.connect({asio::ip::make_address("127.0.0.1"), port});
        req.keep_alive(false);
        http::write(up, req);
        beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(up, buf, parser);
        http::response<http::string_body> res = parser.release();
        res.keep_alive(false);
        res.prepare_payload();
        http::write(client, res);
        return true;
    }

    void accept()
    {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
            if (ec)
                return;
            ++seen;
            if (m == mode::silent) {
                held.push_back(std::move(s));
            } else if (m == mode::endless) {
                // Headers, then 64 KiB chunks until the reader gives up and the write fails.
                try {
                    beast::flat_buffer buf;
                    http::request<http::string_body> req;
                    http::read(s, buf, req);
                    asio::write(
                        s,
                        asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Type: "
                                                 "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                 "1\r\n{\r\n"))
                    );
                    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
                    for (;;)
                        asio::write(s, asio::buffer(chunk));
                } catch (const std::exception&) {
                }
            } else {
                // A blocking exchange is fine here: this is the fake's own thread.
                try {
                    beast::flat_buffer buf;
                    http::request<http::string_body> req;
                    http::read(s, buf, req);
                    {
                        const std::string_view target = req.target();
                        const std::lock_guard lock(routes_mutex);
                        ++hits
                            [std::string(req.method_string()) + " " +
                             std::string(target.substr(0, target.find('?')))];
                    }
                    if (!forward(s, req))
                        answer(s, req);
                } catch (const std::exception&) {
                }
                boost::system::error_code ignored;
                s.shutdown(tcp::socket::shutdown_both, ignored);
            }
            accept();
        });
    }
};

fake_peer::fake_peer(mode m, std::string body, unsigned status)
    : impl_(std::make_unique<impl>())
{
    impl_->m = m;
    impl_->body = std::move(body);
    impl_->status = status;
    impl_->accept();
    impl_->runner = std::thread([i = impl_.get()] { i->ioc.run(); });
}

fake_peer::~fake_peer()
{
    impl_->ioc.stop();
    impl_->runner.join();
}

void fake_peer::route(std::string path, unsigned status, std::string body)
{
    const std::lock_guard lock(impl_->routes_mutex);
    impl_->routes[std::move(path)] = {status, std::move(body)};
}

void fake_peer::forward_slowly(std::uint16_t upstream_port, std::chrono::milliseconds delay)
{
    const std::lock_guard lock(impl_->routes_mutex);
    impl_->upstream_port = upstream_port;
    impl_->upstream_delay = delay;
}

std::uint16_t fake_peer::port() const noexcept
{
    return impl_->acceptor.local_endpoint().port();
}

int fake_peer::requests_to(std::string_view verb_and_path) const
{
    const std::lock_guard lock(impl_->routes_mutex);
    const auto it = impl_->hits.find(verb_and_path);
    return it == impl_->hits.end() ? 0 : it->second;
}

int fake_peer::requests_seen() const noexcept
{
    return impl_->seen.load();
}

} // namespace beastchain::test
