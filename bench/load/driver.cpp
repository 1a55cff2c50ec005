// Connection coroutines, the open-loop schedule, warm-up and the live progress line.
#include "driver.hpp"

#include <beastchain/net/tls.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <optional>
#include <unistd.h>

namespace beastchain::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
// Boost 1.81 has no default-token co_await: errors come back as tuple values, not exceptions.
using nothrow_t = asio::as_tuple_t<asio::use_awaitable_t<>>;
constexpr nothrow_t nothrow{};

std::uint64_t route_result::errors() const noexcept
{
    std::uint64_t n = timeouts + connect_failures + io_errors;
    for (const auto& [status, count] : status_errors)
        n += count;
    return n;
}

namespace {

enum class route_kind
{
    post_transaction,
    mine,
    chain,
    status
};

struct route_spec
{
    route_kind kind;
    http::verb verb;
    const char* target;
    unsigned expected;
    const char* name;
};

constexpr route_spec specs[] = {
    {route_kind::post_transaction, http::verb::post, "/create-transaction", 201, "POST /create-transaction"},
    {route_kind::mine, http::verb::get, "/mine", 200, "GET /mine"},
    {route_kind::chain, http::verb::get, "/chain", 200, "GET /chain"},
    {route_kind::status, http::verb::get, "/status", 200, "GET /status"},
};

/// Which route connection `i` drives in a scenario. The "driven" routes (posts, or /chain reads
/// in the chain scenarios) follow --rate and --count; the helpers (mining, status) loop freely.
route_kind route_for(scenario s, unsigned i)
{
    switch (s) {
    case scenario::transactions:
        return route_kind::post_transaction;
    case scenario::chain:
        return route_kind::chain;
    case scenario::chain_while_mining:
        return i == 0 ? route_kind::mine : route_kind::chain;
    case scenario::mixed:
        return i == 0   ? route_kind::mine
               : i == 1 ? route_kind::chain
               : i == 2 ? route_kind::status
                        : route_kind::post_transaction;
    }
    return route_kind::post_transaction;
}

bool is_driven(scenario s, route_kind k)
{
    if (s == scenario::chain || s == scenario::chain_while_mining)
        return k == route_kind::chain;
    return k == route_kind::post_transaction;
}

/// Shared by all connections; the io_context has one thread, so no locking.
struct run_state
{
    explicit run_state(const options& o)
        : opts(o)
    {}

    const options& opts;
    clock_type::time_point start;
    clock_type::time_point measure_from; ///< end of warm-up
    clock_type::time_point stop_at;      ///< without --count
    std::uint64_t issued = 0;            ///< driven requests started, warm-up included
    bool stopping = false;
    bool reported_tls_failure = false; ///< one line for a failing handshake, not one per attempt
    std::map<route_kind, route_result> routes;
    std::vector<std::vector<std::string>> acked;
    std::uint64_t unidentified_acks = 0;
    std::uint64_t warmup_requests = 0;
    clock_type::time_point last_done; ///< completion of the last measured driven request

    /// Keeps the id a 201 acknowledged, for --verify.
    void note_ack(std::size_t target, const std::string& body)
    {
        boost::system::error_code ec;
        const boost::json::value v = boost::json::parse(body, ec);
        const boost::json::string* id = nullptr;
        if (!ec && v.is_object())
            if (const auto* f = v.as_object().if_contains("transaction_id"))
                id = f->if_string();
        if (id != nullptr)
            acked[target].emplace_back(*id);
        else
            ++unidentified_acks; // e.g. the tutorial's node, whose reply carries no id
    }

    /// The intended start of the next driven request, or nullopt when the run is over.
    std::optional<clock_type::time_point> next_slot()
    {
        if (stopping)
            return std::nullopt;
        if (opts.count && issued >= *opts.count + warmup_requests) {
            stopping = true;
            return std::nullopt;
        }
        const auto now = clock_type::now();
        if (!opts.count && now >= stop_at) {
            stopping = true;
            return std::nullopt;
        }
        const std::uint64_t k = issued++;
        if (opts.rate <= 0)
            return now;
        return start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(static_cast<double>(k) / opts.rate)
                       );
    }
};

std::string transaction_body(unsigned connection, std::uint64_t k)
{
    return R"({"sender":"bench-)" + std::to_string(connection) + R"(","recipient":"sink","amount":)" +
           std::to_string(k % 1000 + 1) + "}";
}

/// One connection: sends its route's requests until the run is over, reconnecting after errors.
asio::awaitable<void>
drive_connection(run_state& st, unsigned index, std::size_t target_index, route_kind kind)
{
    const net::peer_url& target = st.opts.targets[target_index];
    const route_spec& spec = specs[static_cast<int>(kind)];
    const bool driven = is_driven(st.opts.what, kind);
    const std::string host = target.host + ":" + std::to_string(target.port);
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(target.host, std::to_string(target.port), nothrow);
    beast::tcp_stream stream(ex);
    std::optional<beast::ssl_stream<beast::tcp_stream&>> secured; // over `stream`, for https:// targets
    bool connected = false;
    beast::flat_buffer buffer;
    buffer.reserve(64 * 1024); // else Beast reads large bodies 512 bytes at a time
    asio::steady_timer pause(ex);
    const auto any_endpoint = [](const boost::system::error_code&, const tcp::endpoint&) {
        return true;
    };
    const auto disconnect = [&] {
        secured.reset();
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.socket().close(ignored);
        connected = false;
    };
    route_result& out = st.routes.at(kind);
    std::uint64_t sent = 0;

    // --signed: a connection posts its own sender's transfers, in nonce order, and no more.
    const std::vector<std::string>* presigned = st.opts.signed_bodies && kind == route_kind::post_transaction
                                                    ? &(*st.opts.signed_bodies)[index]
                                                    : nullptr;
    for (;;) {
        if (presigned != nullptr && sent >= presigned->size())
            break;
        std::optional<clock_type::time_point> intended;
        if (driven) {
            intended = st.next_slot();
            if (!intended)
                break;
            if (*intended > clock_type::now()) {
                pause.expires_at(*intended);
                co_await pause.async_wait(nothrow);
            }
        } else if (st.stopping) {
            break;
        }
        const auto started = driven ? *intended : clock_type::now();
        const bool measured = started >= st.measure_from;
        if (!measured && driven)
            ++st.warmup_requests;

        if (!connected) {
            boost::system::error_code cec = rec;
            if (!cec) {
                stream.expires_after(st.opts.timeout);
                auto [e, ep] = co_await stream.async_connect(endpoints, any_endpoint, nothrow);
                cec = e;
            }
            if (!cec && target.tls) {
                boost::system::error_code ignored;
                stream.socket().set_option(tcp::no_delay(true), ignored);
                secured.emplace(stream, *st.opts.tls);
                if (!net::expect_peer_name(secured->native_handle(), target.host)) {
                    cec = asio::error::invalid_argument;
                } else {
                    auto [e] = co_await secured->async_handshake(asio::ssl::stream_base::client, nothrow);
                    cec = e;
                }
                if (cec && !st.reported_tls_failure) {
                    st.reported_tls_failure = true;
                    std::fprintf(
                        stderr,
                        "beastchain-bench: %s: %s\n",
                        target.normalized.c_str(),
                        net::describe_handshake_failure(secured->native_handle(), cec.message()).c_str()
                    );
                }
            }
            if (cec) {
                disconnect();
                if (measured)
                    ++out.connect_failures;
                // A down target must not turn the loop into a busy spin.
                pause.expires_after(std::chrono::milliseconds(50));
                co_await pause.async_wait(nothrow);
                continue;
            }
            boost::system::error_code ignored;
            stream.socket().set_option(tcp::no_delay(true), ignored);
            buffer.clear();
            connected = true;
        }

        http::request<http::string_body> req{spec.verb, spec.target, 11};
        req.set(http::field::host, host);
        req.set(http::field::user_agent, "beastchain-bench");
        req.keep_alive(!st.opts.new_connection_per_request);
        if (kind == route_kind::post_transaction) {
            req.set(http::field::content_type, "application/json");
            req.body() = presigned != nullptr ? (*presigned)[sent] : transaction_body(index, sent);
        }
        req.prepare_payload();
        ++sent;

        stream.expires_after(st.opts.timeout);
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::uint64_t{4} << 30);
        boost::system::error_code ec;
        if (secured) {
            std::tie(ec, std::ignore) = co_await http::async_write(*secured, req, nothrow);
            if (!ec)
                std::tie(ec, std::ignore) = co_await http::async_read(*secured, buffer, parser, nothrow);
        } else {
            std::tie(ec, std::ignore) = co_await http::async_write(stream, req, nothrow);
            if (!ec)
                std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, nothrow);
        }
        const auto finished = clock_type::now();
        if (ec) {
            if (measured)
                ++(ec == beast::error::timeout ? out.timeouts : out.io_errors);
            disconnect();
            continue;
        }
        const auto& res = parser.get();
        if (measured) {
            out.latency.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started).count()
            ));
            if (driven)
                st.last_done = std::max(st.last_done, finished);
        }
        if (res.result_int() == spec.expected) {
            if (measured)
                ++out.ok;
            if (kind == route_kind::post_transaction)
                st.note_ack(target_index, res.body());
        } else if (measured) {
            ++out.status_errors[res.result_int()];
        }
        if (!res.keep_alive() || st.opts.new_connection_per_request)
            disconnect();
    }
    disconnect();
}

/// Rewrites one stderr line every second while the run lasts.
asio::awaitable<void> show_progress(run_state& st, asio::steady_timer& timer)
{
    std::uint64_t last = 0;
    for (;;) {
        timer.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await timer.async_wait(nothrow);
        if (ec)
            co_return;
        std::uint64_t done = 0, errors = 0;
        for (const auto& [kind, r] : st.routes) {
            done += r.requests();
            errors += r.errors();
        }
        const double elapsed = std::chrono::duration<double>(clock_type::now() - st.start).count();
        std::fprintf(
            stderr,
            "\r  %6.1f s  %10llu requests  %9llu/s  %llu errors%s   ",
            elapsed,
            static_cast<unsigned long long>(done),
            static_cast<unsigned long long>(done - last),
            static_cast<unsigned long long>(errors),
            clock_type::now() < st.measure_from ? "  (warm-up)" : ""
        );
        std::fflush(stderr);
        last = done;
    }
}

} // namespace

load_result run_load(const options& opts)
{
    asio::io_context ioc(1);
    run_state st(opts);
    st.acked.resize(opts.targets.size());
    for (unsigned i = 0; i < opts.connections; ++i) {
        const route_kind k = route_for(opts.what, i);
        st.routes[k].name = specs[static_cast<int>(k)].name;
    }
    st.start = clock_type::now();
    st.measure_from =
        st.start +
        std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(opts.warmup_seconds));
    st.stop_at = st.measure_from + std::chrono::duration_cast<clock_type::duration>(
                                       std::chrono::duration<double>(opts.duration_seconds)
                                   );
    st.last_done = st.measure_from;

    asio::steady_timer progress_timer(ioc);
    unsigned active = opts.connections;
    auto on_done = [&](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "beastchain-bench: connection failed: %s\n", ex.what());
            }
        }
        if (--active == 0)
            progress_timer.cancel();
    };
    for (unsigned i = 0; i < opts.connections; ++i)
        asio::co_spawn(
            ioc, drive_connection(st, i, i % opts.targets.size(), route_for(opts.what, i)), on_done
        );
    const bool progress = opts.progress.value_or(::isatty(STDERR_FILENO) == 1);
    if (progress)
        asio::co_spawn(ioc, show_progress(st, progress_timer), asio::detached);
    ioc.run();
    if (progress)
        std::fprintf(stderr, "\n");

    load_result out;
    out.measured_seconds = std::chrono::duration<double>(st.last_done - st.measure_from).count();
    out.warmup_requests = st.warmup_requests;
    out.acked = std::move(st.acked);
    out.unidentified_acks = st.unidentified_acks;
    for (const auto& spec : specs)
        if (auto it = st.routes.find(spec.kind); it != st.routes.end())
            out.routes.push_back(std::move(it->second));
    return out;
}

} // namespace beastchain::bench
