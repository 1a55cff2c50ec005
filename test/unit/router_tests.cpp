// The router without sockets: 404 vs 405 with Allow, query strings, and handler failures as a generic 500.
#include <beastchain/net/router.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace beastchain::net;
namespace asio = boost::asio;

namespace {

asio::awaitable<response> ok_handler(const request&, const client&)
{
    co_return json_response(http::status::ok, R"({"ok":true})");
}

asio::awaitable<response> throwing_handler(const request&, const client&)
{
    throw std::runtime_error("secret internal detail");
    co_return response{};
}

router make_router()
{
    router r;
    r.add("/chain", http::verb::get, ok_handler);
    r.add("/create-transaction", http::verb::post, ok_handler);
    r.add("/both", http::verb::get, ok_handler);
    r.add("/both", http::verb::put, ok_handler);
    r.add("/boom", http::verb::get, throwing_handler);
    return r;
}

response run(const router& r, http::verb verb, std::string target, unsigned version = 11)
{
    asio::io_context ioc;
    request req{verb, target, version};
    const client from{asio::ip::make_address("127.0.0.1")};
    auto fut = asio::co_spawn(ioc, r.dispatch(req, from), asio::use_future);
    ioc.run();
    return fut.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(router_tests)

BOOST_AUTO_TEST_CASE(find_distinguishes_unknown_paths_from_wrong_methods)
{
    const router r = make_router();
    BOOST_TEST((r.find("/chain", http::verb::get).result == router::outcome::found));
    BOOST_TEST((r.find("/chain?x=1", http::verb::get).result == router::outcome::found));
    BOOST_TEST((r.find("/nope", http::verb::get).result == router::outcome::not_found));
    BOOST_TEST((r.find("/chain/", http::verb::get).result == router::outcome::not_found));
    const auto m = r.find("/chain", http::verb::post);
    BOOST_TEST((m.result == router::outcome::method_not_allowed));
    BOOST_TEST(m.allow == "GET");
    BOOST_TEST(r.find("/both", http::verb::post).allow == "GET, PUT");
}

BOOST_AUTO_TEST_CASE(a_trailing_wildcard_matches_exactly_one_final_segment)
{
    router r;
    r.add("/blocks", http::verb::get, ok_handler);
    r.add("/blocks/{}", http::verb::get, ok_handler);
    BOOST_TEST((r.find("/blocks/7", http::verb::get).result == router::outcome::found));
    BOOST_TEST((r.find("/blocks/abc?x=1", http::verb::get).result == router::outcome::found));
    BOOST_TEST((r.find("/blocks?from=3", http::verb::get).result == router::outcome::found));
    BOOST_TEST((r.find("/blocks/", http::verb::get).result == router::outcome::not_found));
    BOOST_TEST((r.find("/blocks/7/8", http::verb::get).result == router::outcome::not_found));
    BOOST_TEST((r.find("/blocksX", http::verb::get).result == router::outcome::not_found));
    const auto m = r.find("/blocks/7", http::verb::post);
    BOOST_TEST((m.result == router::outcome::method_not_allowed));
    BOOST_TEST(m.allow == "GET");
    BOOST_TEST(last_segment("/blocks/42?x=/y") == "42");
}

BOOST_AUTO_TEST_CASE(dispatch_answers_404_and_405_as_json)
{
    const router r = make_router();
    const response nf = run(r, http::verb::get, "/missing");
    BOOST_TEST(nf.result_int() == 404u);
    BOOST_TEST(boost::json::parse(nf.body().str()).at("error").as_string() == "not_found");

    const response na = run(r, http::verb::delete_, "/create-transaction");
    BOOST_TEST(na.result_int() == 405u);
    BOOST_TEST(na[http::field::allow] == "POST");
    BOOST_TEST(boost::json::parse(na.body().str()).at("error").as_string() == "method_not_allowed");
    BOOST_TEST(na[http::field::content_type] == "application/json");
}

BOOST_AUTO_TEST_CASE(handler_exception_is_a_generic_500)
{
    const response res = run(make_router(), http::verb::get, "/boom");
    BOOST_TEST(res.result_int() == 500u);
    BOOST_TEST(res.body().str().find("secret") == std::string::npos);
    BOOST_TEST(boost::json::parse(res.body().str()).at("error").as_string() == "internal_error");
}

BOOST_AUTO_TEST_CASE(reply_follows_request_version_and_keep_alive)
{
    const response res = run(make_router(), http::verb::get, "/chain", 10);
    BOOST_TEST(res.version() == 10u);
    BOOST_TEST(!res.keep_alive());
    BOOST_TEST(res[http::field::content_length] == std::to_string(res.body().size()));
}

BOOST_AUTO_TEST_CASE(content_type_must_be_json)
{
    request req{http::verb::post, "/create-transaction", 11};
    BOOST_TEST(require_json_content(req).value().result_int() == 415u);
    req.set(http::field::content_type, "text/plain");
    BOOST_TEST(require_json_content(req).has_value());
    req.set(http::field::content_type, "Application/JSON; charset=utf-8");
    BOOST_TEST(!require_json_content(req).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
