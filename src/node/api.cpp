// HTTP handlers: validate early, call the node, shape the tutorial's JSON replies.
#include <beastchain/json/conversions.hpp>
#include <beastchain/node/api.hpp>
#include <beastchain/node/node.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

#include "request_body.hpp"

namespace beastchain::node {
namespace {

namespace asio = boost::asio;
namespace http = net::http;
using net::request;
using net::response;

std::string_view field_of(core::reject_reason r)
{
    switch (r) {
    case core::reject_reason::bad_sender:
        return "sender";
    case core::reject_reason::bad_recipient:
        return "recipient";
    case core::reject_reason::bad_amount:
        return "amount";
    default:
        return "body";
    }
}

/// 503 with Retry-After: the request was refused for now and changed nothing.
response retry_later(std::string_view error, std::string_view detail, std::string_view seconds)
{
    response res = net::error_response(http::status::service_unavailable, error, detail);
    res.set(http::field::retry_after, seconds);
    return res;
}

/// 503 for a write the node could not make durable; reads keep working meanwhile.
response storage_unavailable()
{
    return retry_later(
        "storage_unavailable",
        "the node cannot write its data directory; nothing was changed, reads still work",
        "5"
    );
}

response reply(http::status status, const boost::json::object& o)
{
    return net::json_response(status, boost::json::serialize(o));
}

/// A decimal height below 2^53: digits only, so "+1", "1e3", " 1" and "0x1" are refused.
std::optional<std::uint64_t> parse_height(std::string_view s)
{
    if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

response invalid_parameter(std::string_view name, std::string_view detail)
{
    return net::error_response(
        http::status::bad_request, "invalid_parameter", std::string(name) + " " + std::string(detail), name
    );
}

/// The advertised address in a peer's origin header, or empty when absent or malformed (it only
/// saves an echo, so a bad one is ignored rather than refused).
std::string origin_of(const request& req)
{
    const auto it = req.find(net::origin_header);
    if (it == req.end())
        return {};
    std::string why;
    const auto url = net::parse_peer_url(std::string_view(it->value().data(), it->value().size()), why);
    return url ? url->normalized : std::string();
}

/// Reads `/blocks?from=H&limit=N` or `/blocks?locator=H:hash,...&limit=N`.
std::variant<blocks_query, response> parse_blocks_query(std::string_view target)
{
    constexpr std::size_t max_limit = 500;
    constexpr std::size_t max_locator = 64;
    const auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return invalid_parameter("target", "is not a valid request target");
    blocks_query q;
    bool have_from = false, have_locator = false;
    for (const auto& param : url->params()) {
        if (param.key == "from") {
            const auto h = parse_height(param.value);
            if (!h)
                return invalid_parameter("from", "must be a block height (a decimal integer)");
            q.from = *h;
            have_from = true;
        } else if (param.key == "limit") {
            const auto n = parse_height(param.value);
            if (!n || *n < 1 || *n > max_limit)
                return invalid_parameter(
                    "limit", "must be an integer from 1 to " + std::to_string(max_limit)
                );
            q.limit = static_cast<std::size_t>(*n);
        } else if (param.key == "locator") {
            have_locator = true;
            std::string_view rest = param.value;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                const std::string_view item = rest.substr(0, comma);
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
                const std::size_t colon = item.find(':');
                const auto h = parse_height(item.substr(0, colon));
                const auto hash = colon == std::string_view::npos
                                      ? std::nullopt
                                      : core::hash_from_hex(item.substr(colon + 1));
                if (!h || !hash)
                    return invalid_parameter("locator", "must be comma-separated height:hash pairs");
                if (q.locator.size() == max_locator)
                    return invalid_parameter(
                        "locator", "has more than " + std::to_string(max_locator) + " entries"
                    );
                q.locator.emplace_back(*h, *hash);
            }
            if (q.locator.empty())
                return invalid_parameter("locator", "is empty");
        } else {
            return invalid_parameter(param.key, "is not a parameter of /blocks (from, limit, locator)");
        }
    }
    if (have_from && have_locator)
        return invalid_parameter("from", "and locator cannot be combined");
    return q;
}

/// Relayed transactions per batch; relay sends at most 500.
constexpr std::size_t max_batch = 1000;

/// A relayed batch, every entry checked (ids recomputed), all or nothing: one bad entry refuses
/// the batch before any is applied. CPU-bound, so it runs where the body is parsed.
json::decoded<std::vector<core::transaction>> decode_checked_batch(const boost::json::value& jv)
{
    auto decoded = json::decode_transaction_batch(jv, max_batch);
    if (!decoded.ok())
        return decoded;
    for (std::size_t i = 0; i < decoded.value().size(); ++i)
        if (auto r = core::check_client_transaction(decoded.value()[i]); !r)
            return json::decode_error{
                "transactions[" + std::to_string(i) + "]",
                "(" + std::string(core::to_string(r.reason)) + "): " + r.detail};
    return decoded;
}

class api
{
public:
    explicit api(node& n)
        : node_(n)
    {}

    asio::awaitable<response> create_transaction(const request& req)
    {
        auto body = co_await read_body<core::transaction>(
            req,
            json::kind::client_request,
            depth(),
            node_.worker_executor(),
            json::decode_transaction_request
        );
        if (auto* bad = std::get_if<response>(&body))
            co_return std::move(*bad);
        core::transaction tx = std::move(std::get<core::transaction>(body));
        tx.nonce = core::make_transaction_nonce();
        tx.transaction_id = core::transaction_id_of(tx);
        const std::string id = tx.transaction_id;

        const submit_outcome out = co_await node_.submit_transaction(std::move(tx));
        if (out.storage_failed)
            co_return storage_unavailable();
        switch (out.status) {
        case core::ledger::accept_status::accepted:
            break;
        case core::ledger::accept_status::invalid: {
            const std::string_view field = field_of(out.detail.reason);
            co_return net::error_response(
                http::status::bad_request, "invalid_field", out.detail.detail, field
            );
        }
        case core::ledger::accept_status::duplicate:
            co_return net::error_response(http::status::conflict, "duplicate_transaction", out.detail.detail);
        case core::ledger::accept_status::pool_full:
            co_return retry_later(
                "pending_pool_full", "too many pending transactions; mine or retry later", "1"
            );
        }
        boost::json::object o;
        o.emplace("block_index", out.block_index);
        o.emplace("message", "Transaction has been submitted successfully");
        o.emplace("transaction_id", id);
        co_return reply(http::status::created, o);
    }

    asio::awaitable<response> mine(const request&)
    {
        const mine_outcome out = co_await node_.mine();
        if (!out.mined)
            co_return net::error_response(http::status::service_unavailable, "not_mining", out.error);
        // block_data is already serialized; splice it rather than parse it back.
        co_return net::json_response(
            http::status::ok,
            "{\"block_data\":" + out.block_json + ",\"message\":\"Successfully Mined the new Block\"}"
        );
    }

    asio::awaitable<response> chain(const request&)
    {
        const auto [blocks, length] = co_await node_.chain_json();
        std::string body;
        body.reserve(blocks->size() + 32);
        body += "{\"chain\":";
        body += *blocks;
        body += ",\"length\":";
        body += std::to_string(length);
        body += '}';
        co_return net::json_response(http::status::ok, std::move(body));
    }

    asio::awaitable<response> register_node(const request& req)
    {
        auto body = co_await read_body<std::string>(
            req, json::kind::client_request, depth(), node_.worker_executor(), json::decode_register_request
        );
        if (auto* bad = std::get_if<response>(&body))
            co_return std::move(*bad);
        std::string why;
        auto peer = net::parse_peer_url(std::get<std::string>(body), why);
        if (!peer)
            co_return net::error_response(
                http::status::bad_request, "invalid_field", "address " + why, "address"
            );

        // A peer announcing itself names its own address in the origin header.
        const bool announced = origin_of(req) == peer->normalized;
        const register_outcome out = co_await node_.register_peer(std::move(*peer), announced);
        if (out.storage_failed)
            co_return storage_unavailable();
        if (out.self)
            co_return net::error_response(
                http::status::bad_request, "invalid_field", "address is this node's own address", "address"
            );
        if (out.full)
            co_return net::error_response(
                http::status::conflict,
                "peer_limit_reached",
                "this node already has its maximum number of peers"
            );
        boost::json::object o;
        o.emplace("message", "New node has been added");
        o.emplace("node_count", out.nodes.size());
        boost::json::array nodes;
        for (const auto& n : out.nodes)
            nodes.emplace_back(n);
        o.emplace("nodes", std::move(nodes));
        co_return reply(http::status::created, o);
    }

    asio::awaitable<response> sync_chain(const request&)
    {
        const sync_outcome out = co_await node_.sync();
        if (out.storage_failed)
            co_return storage_unavailable();
        std::string_view message;
        switch (out.status) {
        case sync_outcome::result::no_neighbour_chain:
            message = "No neighbour chain is available";
            break;
        case sync_outcome::result::up_to_date:
            message = "Chain is already up to date";
            break;
        case sync_outcome::result::replaced:
            message = "Chain was replaced";
            break;
        }
        boost::json::array failed;
        for (const auto& f : out.failed)
            failed.push_back(boost::json::object{{"address", f.address}, {"reason", f.reason}});
        std::string body = "{\"chain\":" + *out.chain_json;
        body += ",\"message\":" + boost::json::serialize(boost::json::string(message));
        body += ",\"peers_failed\":" + boost::json::serialize(failed) + "}";
        co_return net::json_response(http::status::ok, std::move(body));
    }

    asio::awaitable<response> health(const request&)
    {
        const node_status st = co_await node_.status();
        const char* state = st.stopping ? "stopping" : !st.storage_ok ? "storage_failed" : "ok";
        boost::json::object o{{"status", state}, {"height", st.height}};
        co_return reply(
            std::string_view(state) == "ok" ? http::status::ok : http::status::service_unavailable, o
        );
    }

    asio::awaitable<response> status(const request&)
    {
        const node_status st = co_await node_.status();
        boost::json::object o;
        o.emplace("advertise_url", st.advertise_url);
        o.emplace("cumulative_work", st.cumulative_work);
        o.emplace("difficulty", st.difficulty);
        o.emplace("hash_rate", st.hash_rate);
        o.emplace("height", st.height);
        o.emplace("mine_requests", st.mine_requests);
        o.emplace("mining", st.mining);
        o.emplace("node_address", node_.address());
        o.emplace("peers", st.peers);
        o.emplace("pending_transactions", st.pending);
        o.emplace("storage", st.storage_ok ? "ok" : "failed");
        o.emplace("tip_hash", st.tip_hash);
        o.emplace("uptime_seconds", st.uptime_seconds);
        o.emplace("version", version);
        co_return reply(http::status::ok, o);
    }

    asio::awaitable<response> receive_transactions(const request& req)
    {
        using batch = std::vector<core::transaction>;
        auto body = co_await read_body<batch>(
            req, json::kind::with_arrays(max_batch), depth(), node_.worker_executor(), decode_checked_batch
        );
        if (auto* bad = std::get_if<response>(&body))
            co_return std::move(*bad);
        const relay_outcome out =
            co_await node_.receive_transactions(std::move(std::get<batch>(body)), origin_of(req));
        if (out.storage_failed)
            co_return storage_unavailable();
        co_return reply(
            http::status::ok, {{"accepted", out.accepted}, {"dropped", out.dropped}, {"known", out.known}}
        );
    }

    asio::awaitable<response> receive_block(const request& req)
    {
        const auto shape = json::kind::with_arrays(node_.settings().consensus.max_block_transactions);
        const auto decode = [](const boost::json::value& jv) {
            return json::decode_block(jv);
        };
        auto body =
            co_await read_body<json::received_block>(req, shape, depth(), node_.worker_executor(), decode);
        if (auto* bad = std::get_if<response>(&body))
            co_return std::move(*bad);
        auto& got = std::get<json::received_block>(body);
        const block_outcome out =
            co_await node_.receive_block(std::move(got.blk), got.claimed_hash, origin_of(req));
        if (out.storage_failed)
            co_return storage_unavailable();
        switch (out.status) {
        case block_outcome::result::connected:
            co_return reply(
                http::status::ok, {{"height", out.height}, {"message", "Block added to the chain"}}
            );
        case block_outcome::result::known:
            co_return reply(http::status::ok, {{"height", out.height}, {"message", "Block already known"}});
        case block_outcome::result::syncing:
            co_return reply(
                http::status::accepted,
                {{"height", out.height}, {"message", "Block does not extend our tip; syncing with peers"}}
            );
        case block_outcome::result::ahead_of_clock:
            co_return reply(
                http::status::accepted,
                {{"height", out.height},
                 {"message", "Block is ahead of this node's clock; dropped, sync fetches it once it is due"}}
            );
        case block_outcome::result::invalid:
            break;
        }
        co_return net::error_response(
            http::status::bad_request, "invalid_block", out.reason + ": " + out.detail
        );
    }

    asio::awaitable<response> blocks(const request& req)
    {
        auto parsed = parse_blocks_query(req.target());
        if (auto* bad = std::get_if<response>(&parsed))
            co_return std::move(*bad);
        const auto page = co_await node_.blocks_json(std::move(std::get<blocks_query>(parsed)));
        if (!page)
            co_return net::error_response(
                http::status::not_found,
                "no_common_block",
                "none of the locator's blocks is on this node's chain"
            );
        co_return net::json_response(http::status::ok, std::move(*page));
    }

    asio::awaitable<response> block(const request& req)
    {
        const auto index = parse_height(net::last_segment(req.target()));
        if (!index)
            co_return invalid_parameter("index", "must be a block height (a decimal integer)");
        auto one = co_await node_.block_json(*index);
        if (!one)
            co_return net::error_response(
                http::status::not_found, "no_such_block", "no block at height " + std::to_string(*index)
            );
        co_return net::json_response(http::status::ok, std::move(*one));
    }

    asio::awaitable<response> nodes(const request&)
    {
        const auto list = co_await node_.peers();
        boost::json::array arr;
        const auto ms_or_null = [](std::uint64_t ms) {
            return ms == 0 ? boost::json::value(nullptr) : boost::json::value(ms);
        };
        for (const auto& p : list)
            arr.push_back(boost::json::object{
                {"address", p.address},
                {"banned_until_ms", ms_or_null(p.banned_until_ms)},
                {"dropped", p.dropped},
                {"failures", p.failures},
                {"last_error",
                 p.last_error.empty() ? boost::json::value(nullptr) : boost::json::value(p.last_error)},
                {"last_seen_ms", ms_or_null(p.last_seen_ms)},
                {"queued_blocks", p.queued_blocks},
                {"queued_transactions", p.queued_transactions},
                {"retry_at_ms", ms_or_null(p.retry_at_ms)},
                {"state", p.state},
            });
        boost::json::object o;
        o.emplace("node_count", list.size());
        o.emplace("nodes", std::move(arr));
        co_return reply(http::status::ok, o);
    }

    asio::awaitable<response> metrics_text(const request&)
    {
        const node_status st = co_await node_.status();
        gauges g;
        g.height = st.height;
        g.pending = st.pending;
        g.peers = st.peers;
        g.hashes = st.hashes;
        g.hash_rate = st.hash_rate;
        g.mining = st.mining;
        g.uptime_seconds = st.uptime_seconds;
        g.storage_syncs = st.storage_syncs;
        g.storage_sync_seconds = st.storage_sync_seconds;
        response res{http::status::ok, 11};
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = node_.stats().render(g);
        co_return res;
    }

private:
    std::size_t depth() const { return node_.settings().max_json_depth; }

    node& node_;
};

} // namespace

net::router make_api(node& n)
{
    // A client's transaction or a peer's address is well under 1 KiB; only the peer protocol's
    // batches and blocks need the server-wide limit (--max-body-bytes).
    constexpr std::size_t small_body_limit = 16 * 1024;
    auto a = std::make_shared<api>(n);
    net::router r;
    // Each entry is a plain (non-coroutine) lambda returning the member coroutine's awaitable:
    // the coroutine frame holds its own copy of `a`'s target, so nothing dangles.
    r.add(
        "/create-transaction",
        http::verb::post,
        [a](const request& q) { return a->create_transaction(q); },
        {.max_body = small_body_limit}
    );
    // A /mine whose client left is dropped before its search starts: it must not force a block.
    r.add(
        "/mine",
        http::verb::get,
        [a](const request& q) { return a->mine(q); },
        {.cancel_when_client_leaves = true}
    );
    r.add("/chain", http::verb::get, [a](const request& q) { return a->chain(q); });
    r.add(
        "/register-node",
        http::verb::post,
        [a](const request& q) { return a->register_node(q); },
        {.max_body = small_body_limit}
    );
    r.add("/sync-chain", http::verb::get, [a](const request& q) { return a->sync_chain(q); });
    r.add("/health", http::verb::get, [a](const request& q) { return a->health(q); });
    r.add("/status", http::verb::get, [a](const request& q) { return a->status(q); });
    r.add("/metrics", http::verb::get, [a](const request& q) { return a->metrics_text(q); });
    // Peer protocol.
    r.add("/nodes", http::verb::get, [a](const request& q) { return a->nodes(q); });
    r.add("/transactions", http::verb::post, [a](const request& q) { return a->receive_transactions(q); });
    r.add("/blocks", http::verb::post, [a](const request& q) { return a->receive_block(q); });
    r.add("/blocks", http::verb::get, [a](const request& q) { return a->blocks(q); });
    r.add("/blocks/{}", http::verb::get, [a](const request& q) { return a->block(q); });
    return r;
}

} // namespace beastchain::node
