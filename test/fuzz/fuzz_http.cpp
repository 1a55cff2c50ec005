// libFuzzer target: whole raw HTTP requests through Beast's parser (with the server's limits) and
// the node's real router and handlers, on an in-memory node that mines at difficulty 1.
#include <beastchain/log.hpp>
#include <beastchain/net/router.hpp>
#include <beastchain/node/api.hpp>
#include <beastchain/node/node.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

struct fixture
{
    boost::asio::io_context ioc;
    std::unique_ptr<beastchain::node::node> node;
    std::atomic<beastchain::node::node*> live{nullptr};
    beastchain::net::router routes = beastchain::node::make_api(live);
    fixture()
    {
        beastchain::log::set_threshold(beastchain::log::level::error);
        beastchain::node::config cfg;
        cfg.in_memory = true;
        cfg.difficulty = 1;
        cfg.consensus.min_difficulty = 1;
        cfg.miner_threads = 1;
        cfg.max_pending = 1000;
        node = std::make_unique<beastchain::node::node>(ioc, cfg);
        live.store(node.get());
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace http = boost::beast::http;
    static fixture f;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_done())
        return 0;
    beastchain::net::request req = parser.release();
    // The access rules read Host, Origin, Sec-Fetch-Site and Authorization from the same input.
    static const beastchain::net::access_policy strict(
        {.token = "fuzz-token-0123456789",
         .token_on_loopback = true,
         .check_host = true,
         .extra_hosts = {"node"}}
    );
    const beastchain::net::client from{boost::asio::ip::make_address("203.0.113.9")};
    (void)strict.refuse(req, from, beastchain::net::route_access::operator_only, true);
    const auto path = beastchain::net::target_path(req.target());
    if (path == "/sync-chain" || path == "/announce")
        return 0; // they reach out to peers; keep the fuzzer away from sockets entirely
    boost::asio::co_spawn(f.ioc, f.routes.dispatch(req, from), boost::asio::detached);
    f.ioc.restart();
    f.ioc.run_for(std::chrono::seconds(5));
    return 0;
}
