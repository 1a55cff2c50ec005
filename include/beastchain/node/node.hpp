// The node facade: builds the services behind one strand and exposes them as awaitable operations.
#pragma once

#include <beastchain/core/ledger.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/config.hpp>
#include <beastchain/node/metrics.hpp>
#include <beastchain/node/outcomes.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beastchain::node {

class peer_admission;
class explorer_service;

/**
 * The node: a thin facade over five services that share one strand (src/node/):
 *
 *   chain_state     strand, ledger, data directory, identity, serialized-chain cache;
 *                   durability tickets, replay, recovery; publishes chain_events
 *   mining_service  miner pool, /mine waiters, job ids; restarts on chain events
 *   peer_service    peer table, bans, announcements, links; its relay keeps the per-peer
 *                   outboxes and sends what chain events publish
 *   sync_service    coalesced rounds, orphan rate limit, timer, verifier thread
 *   explorer_service  the address and block-hash index, the explorer's views, and the
 *                   /events hub it publishes chain events to
 *
 * Dependencies point one way: chain_state <- services <- node <- api <- app.
 *
 * Threads, and what each may touch:
 * - I/O (--io-threads, default: cores): io_context::run, which runs the accept loop, sessions,
 *   peer sockets and the strand. Each session runs on a strand of its own, so one connection's
 *   steps never overlap while connections run in parallel. Its session state; the server's
 *   shared tables and the event hub's ring under their locks; service state only as the chain
 *   strand.
 * - chain strand: every service method, and the relay, announcement, sync and timer coroutines,
 *   which are spawned on it. All service state: chain, mining, peers, sync.
 * - miners (--miner-threads): proof-of-work lanes of one template. The job's atomics; the result
 *   is posted back to the strand.
 * - verifier (1): parsing large bodies, parsing and validating peers' pages. Only the download it
 *   builds.
 * - storage writer (1): write and fdatasync of queued records. The log file; tickets complete by
 *   callback.
 * - loader (once): constructs the node and replays the log, before the strand runs anything.
 *
 * @par Thread Safety
 * Public operations may be awaited from any coroutine on the io_context, on any I/O thread;
 * each is one step on the strand whose result resumes the caller on its own executor (for a
 * session, its strand).
 */
class node
{
public:
    /// Opens the data directory (unless in-memory) and restores the stored state.
    /// Throws storage::storage_error when the directory is locked, unreadable or corrupt.
    node(boost::asio::io_context& ioc, config cfg);
    ~node();
    node(const node&) = delete;
    node& operator=(const node&) = delete;

    const config& settings() const noexcept;
    /// This node's reward address: a uuid4 hex string, as in the tutorial.
    const std::string& address() const noexcept;

    /// Accepts a client's transaction durably; the value is the block expected to hold it.
    boost::asio::awaitable<node_result<std::uint64_t>> submit_transaction(core::transaction tx);

    /// Mines one block on the current tip for this caller. Concurrent callers each get their own
    /// block, one after another; a chain switch mid-search restarts the search on the new tip.
    /// The value is the new block, serialized.
    boost::asio::awaitable<node_result<std::string>> mine();

    /// The best chain's blocks as shared JSON text; `items()` is the chain's length.
    boost::asio::awaitable<std::shared_ptr<const net::joined_text>> chain_json();

    /// Adds a peer (persisted) and, when it is new, tells it our address so the link is two-way.
    /// `announced`: the peer announced its own address (its origin header names it), rather than
    /// an operator registering it; announced peers never displace an operator's.
    boost::asio::awaitable<node_result<register_outcome>>
    register_peer(net::peer_url peer, bool announced = false);

    /// Syncs with every usable peer concurrently: each is asked for its work and, if it has more,
    /// for only the blocks after our fork point, validated off the I/O thread. Adopts the valid
    /// suffix with the most cumulative work if it beats ours. Concurrent callers share rounds:
    /// one round runs at a time, and a caller waits for one that starts after it asked.
    boost::asio::awaitable<node_result<sync_outcome>> sync();

    /// Transactions a peer relayed (ids included); new ones are accepted and relayed on.
    boost::asio::awaitable<node_result<relay_outcome>>
    receive_transactions(std::vector<core::transaction> txs, std::string origin);

    /// Which of `ids` (a peer's inventory) this node lacks, neither pending nor in the best
    /// chain, by position in `ids`.
    boost::asio::awaitable<std::vector<std::size_t>> missing_transactions(std::vector<std::string> ids);

    /// A block a peer pushed: appended if it extends our tip, otherwise triggers a sync.
    boost::asio::awaitable<node_result<block_outcome>>
    receive_block(core::block b, std::optional<core::hash256> claimed_hash, std::string origin);

    /// A page of blocks as `{"blocks":[...],"from":F,"height":H,"tip_hash":...}`;
    /// no_common_block when no locator block is on our chain.
    boost::asio::awaitable<node_result<net::reply_body::value_type>> blocks_json(blocks_query q);
    /// The same page as headers: `{"from":F,"headers":["<hex>",...],"height":H}`.
    boost::asio::awaitable<node_result<std::string>> headers_json(blocks_query q);

    /// Where transaction `id` is: pending, confirmed (and how deep), or unknown to this node.
    boost::asio::awaitable<transaction_status> find_transaction(std::string id);

    /// The balance and nonce of `address` on a signed chain, with its pending spends.
    boost::asio::awaitable<account_status> find_account(std::string address);

    /// One block of the best chain; no_such_block past the tip.
    boost::asio::awaitable<node_result<std::string>> block_json(std::uint64_t index);

    boost::asio::awaitable<std::vector<peer_view>> peers();

    /// Starts the network side once the node serves: announces to known and --peer peers,
    /// syncs with them, and runs the background sync every --sync-interval seconds; with
    /// --mine, starts mining.
    /// `advertise` is the address to announce (empty: announce nothing).
    void start_network(std::string advertise);

    boost::asio::awaitable<node_status> status();

    /// Counters shared with the HTTP layer (request metrics) and rendered on /metrics.
    ::beastchain::node::metrics& stats() noexcept;

    /// Admission of peers that announce themselves (src/node/peer_admission.hpp).
    peer_admission& admission() noexcept;

    /// The explorer's index, views and event stream (src/node/explorer_service.hpp).
    explorer_service& explorer() noexcept;

    /// The verifier pool: CPU-bound work on untrusted input (parsing large bodies, validating
    /// peers' blocks) goes here, never on the I/O thread.
    boost::asio::any_io_executor worker_executor() noexcept;

    /// Cancels mining and answers waiting /mine callers; idempotent.
    void shutdown();

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace beastchain::node
