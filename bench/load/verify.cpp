// Verification over the nodes' own HTTP API, with the node's peer client (deadlines, size cap).
#include "verify.hpp"

#include <beastchain/net/peer_client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <unordered_map>

namespace beastchain::bench {

namespace asio = boost::asio;
namespace bj = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

net::peer_limits verify_limits(const options& opts)
{
    net::peer_limits l;
    l.tls = opts.tls;
    l.connect_timeout = std::chrono::seconds(5);
    l.response_timeout = std::chrono::seconds(300); // /mine at a high difficulty, or a large chain
    l.max_response_bytes = std::size_t{8} << 30;
    return l;
}

/// GET `target` and parse the JSON reply; throws std::runtime_error naming what failed.
asio::awaitable<bj::value> get_json(
    const net::peer_limits& limits, const net::peer_url& peer, std::string target, unsigned* status = nullptr
)
{
    net::peer_result r = co_await net::send_peer_request(peer, net::http::verb::get, target, {}, limits);
    if (!r.reply)
        throw std::runtime_error(peer.normalized + target + ": " + r.error);
    if (status != nullptr)
        *status = r.reply->status;
    else if (r.reply->status != 200)
        throw std::runtime_error(
            peer.normalized + target + " answered HTTP " + std::to_string(r.reply->status) + ": " +
            r.reply->body.substr(0, 200)
        );
    boost::system::error_code ec;
    bj::value v = bj::parse(r.reply->body, ec);
    if (ec)
        throw std::runtime_error(peer.normalized + target + " is not JSON: " + ec.message());
    co_return v;
}

void count_block(const bj::value& block, std::unordered_map<std::string, std::uint32_t>& seen)
{
    for (const auto& tx : block.at("transactions").as_array())
        if (const auto* id = tx.as_object().if_contains("transaction_id"))
            if (auto it = seen.find(std::string(id->as_string())); it != seen.end())
                ++it->second;
}

/// Counts, in `peer`'s best chain, the transactions whose ids are keys of `seen`.
///
/// The chain is read in pages, and peered nodes can still switch chains while we read: a page
/// from the old chain and the next from the new one would count a re-mined transaction twice.
/// Each page must therefore continue the previous one (its first block's `previous_hash` is the
/// last block's `hash`); when it does not, the count starts again from genesis.
asio::awaitable<void> count_chain(
    const net::peer_limits& limits,
    const net::peer_url& peer,
    std::unordered_map<std::string, std::uint32_t>& seen
)
{
    constexpr int max_reads = 20;
    for (int read = 1;; ++read) {
        for (auto& entry : seen)
            entry.second = 0;
        bool switched = false;
        bj::value last_hash;
        unsigned status = 0;
        for (std::uint64_t from = 0;;) {
            bj::value page =
                co_await get_json(limits, peer, "/blocks?limit=500&from=" + std::to_string(from), &status);
            if (status == 404 && from == 0) {
                // A node without block pages (the tutorial's): one /chain read is one snapshot.
                bj::value all = co_await get_json(limits, peer, "/chain");
                for (const auto& b : all.at("chain").as_array())
                    count_block(b, seen);
                co_return;
            }
            if (status != 200)
                throw std::runtime_error(peer.normalized + "/blocks answered HTTP " + std::to_string(status));
            const auto& blocks = page.at("blocks").as_array();
            if (blocks.empty())
                co_return;
            if (from > 0 && blocks.front().at("previous_hash") != last_hash) {
                switched = true;
                break;
            }
            for (const auto& b : blocks)
                count_block(b, seen);
            last_hash = blocks.back().at("hash");
            from += blocks.size();
        }
        if (switched && read == max_reads)
            throw std::runtime_error(
                peer.normalized + " switched chains during each of " + std::to_string(max_reads) + " reads"
            );
    }
}

asio::awaitable<verify_result>
run_verify(const options& opts, const std::vector<std::vector<std::string>>& acked)
{
    verify_result out;
    const net::peer_limits limits = verify_limits(opts);
    const auto t0 = clock_type::now();
    const auto deadline = t0 + std::chrono::duration_cast<clock_type::duration>(
                                   std::chrono::duration<double>(opts.verify_timeout_seconds)
                               );
    asio::steady_timer pause(co_await asio::this_coro::executor);

    // 1. Nothing pending anywhere: every acknowledged transaction must now be in a block.
    for (;;) {
        const net::peer_url* busy = nullptr;
        for (const auto& t : opts.targets) {
            bj::value st = co_await get_json(limits, t, "/status");
            if (st.at("pending_transactions").to_number<std::uint64_t>() > 0) {
                busy = &t;
                break;
            }
        }
        if (busy == nullptr)
            break;
        if (clock_type::now() > deadline) {
            out.error =
                "transactions still pending after " + std::to_string(opts.verify_timeout_seconds) + " s";
            co_return out;
        }
        if (opts.verify_mine) {
            co_await get_json(limits, *busy, "/mine");
            ++out.blocks_mined;
        } else {
            pause.expires_after(std::chrono::milliseconds(500));
            co_await pause.async_wait(asio::use_awaitable);
        }
    }

    // 2. Each target's acknowledgements against that target's chain.
    for (std::size_t t = 0; t < opts.targets.size(); ++t) {
        if (acked[t].empty())
            continue;
        std::unordered_map<std::string, std::uint32_t> seen;
        seen.reserve(acked[t].size());
        for (const auto& id : acked[t])
            seen.emplace(id, 0);
        co_await count_chain(limits, opts.targets[t], seen);
        out.acknowledged += acked[t].size();
        for (const auto& id : acked[t]) {
            const std::uint32_t n = seen.at(id);
            if (n == 1) {
                ++out.exactly_once;
                continue;
            }
            ++(n == 0 ? out.missing : out.duplicated);
            if (out.examples.size() < 5)
                out.examples.push_back(
                    id + (n == 0 ? " missing" : " x" + std::to_string(n)) + " on " +
                    opts.targets[t].normalized
                );
        }
        // An id acknowledged twice by one target would count its one block twice above.
        if (seen.size() != acked[t].size())
            out.error = "a target acknowledged the same transaction_id twice";
    }
    out.completed = out.error.empty();
    out.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    co_return out;
}

} // namespace

verify_result verify(const options& opts, const std::vector<std::vector<std::string>>& acked)
{
    asio::io_context ioc(1);
    auto f = asio::co_spawn(ioc, run_verify(opts, acked), asio::use_future);
    ioc.run();
    try {
        return f.get();
    } catch (const std::exception& e) {
        verify_result out;
        out.error = e.what();
        return out;
    }
}

} // namespace beastchain::bench
