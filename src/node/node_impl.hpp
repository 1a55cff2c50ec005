// node::impl: the node's services, built and wired once, and the durable-step helper every
// write operation shares. Only node.cpp includes it.
#pragma once

#include <beastchain/node/node.hpp>

#include "chain_state.hpp"
#include "explorer_service.hpp"
#include "mining_service.hpp"
#include "peer_admission.hpp"
#include "peer_service.hpp"
#include "strand_ops.hpp"
#include "sync_service.hpp"

namespace beastchain::node {

struct node::impl
{
    impl(asio::io_context& ioc, config c)
        : cfg(std::move(c))
        , chain(ioc, cfg)
        , mining(chain, stats)
        , peers(chain, stats)
        , sync(chain, peers, stats)
        , explorer(chain)
    {
        // Order matters: the miner restarts on the new tip before peers hear of it.
        chain.subscribe(mining);
        chain.subscribe(peers);
        chain.subscribe(explorer);
        peers.on_link([this] { sync.on_link(); });
    }

    /// Runs `fn` (returning a node_result) on the strand, then waits until what it wrote is
    /// durable: a success is reported only once it would survive a crash.
    template <class Fn> asio::awaitable<std::invoke_result_t<Fn&>> durably(Fn fn)
    {
        auto step = [this, fn = std::move(fn)]() mutable {
            auto out = fn();
            return std::pair{std::move(out), chain.take_ticket()};
        };
        auto [out, ticket] = co_await on_strand(chain.strand(), std::move(step));
        // 201 means durable: answer only after the record is synced.
        if (out && !co_await chain.wait_durable(ticket))
            co_return storage_unavailable();
        co_return out;
    }

    static node_error storage_unavailable() { return {node_errc::storage_unavailable, {}}; }

    /// A pushed block that breaks a rule: counted by the rule in /metrics and refused naming it.
    node_error invalid_block(const core::validation_result& r)
    {
        const std::string_view reason = core::to_string(r.reason);
        stats.block_rejected(reason);
        return {node_errc::invalid_block, std::string(reason) + ": " + r.detail};
    }

    const config cfg;
    ::beastchain::node::metrics stats; ///< thread-safe on its own
    chain_state chain;
    mining_service mining;
    peer_service peers;
    sync_service sync;
    explorer_service explorer;
    peer_admission admission;
    bool stopping = false; ///< on the strand
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

} // namespace beastchain::node
