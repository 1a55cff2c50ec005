// The node: owns the ledger, peers and miner on one strand and exposes them as awaitable operations.
#pragma once

#include <beastchain/core/ledger.hpp>
#include <beastchain/net/peer_url.hpp>
#include <beastchain/node/config.hpp>
#include <beastchain/node/metrics.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beastchain::node {

struct submit_outcome
{
    core::ledger::accept_status status = core::ledger::accept_status::accepted;
    core::validation_result detail;
    std::uint64_t block_index = 0; ///< the block expected to hold the transaction
    bool storage_failed = false;   ///< it could not be made durable, so it was not accepted
};

struct mine_outcome
{
    bool mined = false;
    std::string block_json; ///< the new block, serialized
    std::string error;      ///< why not, when !mined (e.g. shutting down)
};

struct register_outcome
{
    bool added = false; ///< false when already known
    bool full = false;  ///< the peer limit refused it
    bool self = false;  ///< it is this node's own advertised address
    bool storage_failed = false;
    std::vector<std::string> nodes;
};

/// What became of a batch of transactions relayed by a peer.
struct relay_outcome
{
    std::size_t accepted = 0;
    std::size_t known = 0;   ///< already pending or in the chain
    std::size_t dropped = 0; ///< the pending pool was full
    bool storage_failed = false;
};

/// What became of a block a peer pushed.
struct block_outcome
{
    enum class result
    {
        connected, ///< it extended our best chain
        known,     ///< we already have it
        syncing,   ///< it does not connect to our tip: a sync with peers was started (or one is due)
        ahead_of_clock, ///< valid but timestamped too far ahead of our clock: dropped, not held against anyone
        invalid
    };
    result status = result::invalid;
    std::string reason; ///< reject_reason name, when invalid
    std::string detail;
    std::uint64_t height = 0; ///< our height afterwards
    bool storage_failed = false;
};

/// A `/blocks` request: from a height, or after the first block of a locator on our chain.
struct blocks_query
{
    std::optional<std::uint64_t> from;
    std::vector<std::pair<std::uint64_t, core::hash256>> locator; ///< (height, hash), tip first
    std::size_t limit = 100;
};

/// One peer as /nodes shows it.
struct peer_view
{
    std::string address;
    std::string state; ///< ok, new, backoff or banned
    std::uint64_t last_seen_ms = 0;
    unsigned failures = 0;
    std::uint64_t retry_at_ms = 0;
    std::uint64_t banned_until_ms = 0;
    std::string last_error;
    std::size_t queued_transactions = 0;
    std::size_t queued_blocks = 0;
    std::uint64_t dropped = 0;
};

struct peer_failure
{
    std::string address;
    std::string reason;
};

struct sync_outcome
{
    enum class result
    {
        no_neighbour_chain,
        up_to_date,
        replaced
    };
    result status = result::no_neighbour_chain;
    std::shared_ptr<const std::string> chain_json; ///< our chain after the sync, a JSON array
    std::vector<peer_failure> failed;
    bool storage_failed = false; ///< a better chain was found but could not be stored
};

/// A snapshot for /status, /health and /metrics.
struct node_status
{
    std::uint64_t height = 0;
    std::string tip_hash;
    std::string cumulative_work;
    std::uint32_t difficulty = 0;
    std::size_t pending = 0;
    std::size_t peers = 0;
    std::string advertise_url;
    bool mining = false;
    std::size_t mine_requests = 0; ///< /mine callers waiting, the one being mined for included
    std::uint64_t hashes = 0;
    double hash_rate = 0;
    bool storage_ok = true;
    bool stopping = false;
    std::uint64_t storage_syncs = 0;
    double storage_sync_seconds = 0;
    double uptime_seconds = 0;
};

/**
 * Wires core, storage and network together.
 *
 * All ledger, peer and mining state is owned by one strand: every public operation hops onto it,
 * does its (short, non-blocking) work there and returns to the caller's executor. Proof-of-work
 * runs on the miner pool and candidate chains are validated on a verification thread; both hand
 * results back through the strand. Nothing here blocks the I/O thread.
 *
 * @par Thread Safety
 * Public operations may be awaited from any coroutine on the io_context.
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

    boost::asio::awaitable<submit_outcome> submit_transaction(core::transaction tx);

    /// Mines one block on the current tip for this caller. Concurrent callers each get their own
    /// block, one after another; a chain switch mid-search restarts the search on the new tip.
    boost::asio::awaitable<mine_outcome> mine();

    /// The best chain as a JSON array, and its length.
    boost::asio::awaitable<std::pair<std::shared_ptr<const std::string>, std::size_t>> chain_json();

    /// Adds a peer (persisted) and, when it is new, tells it our address so the link is two-way.
    /// `announced`: the peer announced its own address (its origin header names it), rather than
    /// an operator registering it; announced peers never displace an operator's.
    boost::asio::awaitable<register_outcome> register_peer(net::peer_url peer, bool announced = false);

    /// Syncs with every usable peer concurrently: each is asked for its work and, if it has more,
    /// for only the blocks after our fork point, validated off the I/O thread. Adopts the valid
    /// suffix with the most cumulative work if it beats ours. Concurrent callers share rounds:
    /// one round runs at a time, and a caller waits for one that starts after it asked.
    boost::asio::awaitable<sync_outcome> sync();

    /// Transactions a peer relayed (ids included); new ones are accepted and relayed on.
    boost::asio::awaitable<relay_outcome>
    receive_transactions(std::vector<core::transaction> txs, std::string origin);

    /// A block a peer pushed: appended if it extends our tip, otherwise triggers a sync.
    boost::asio::awaitable<block_outcome>
    receive_block(core::block b, std::optional<core::hash256> claimed_hash, std::string origin);

    /// A page of blocks as `{"blocks":[...],"from":F,"height":H,"tip_hash":...}`; nullopt when
    /// no locator block is on our chain.
    boost::asio::awaitable<std::optional<std::string>> blocks_json(blocks_query q);

    /// One block of the best chain, or nullopt past the tip.
    boost::asio::awaitable<std::optional<std::string>> block_json(std::uint64_t index);

    boost::asio::awaitable<std::vector<peer_view>> peers();

    /// Starts the network side once the node serves: announces to known and --peer peers,
    /// syncs with them, and runs the background sync every --sync-interval seconds.
    /// `advertise` is the address to announce (empty: announce nothing).
    void start_network(std::string advertise);

    boost::asio::awaitable<node_status> status();

    /// Counters shared with the HTTP layer (request metrics) and rendered on /metrics.
    ::beastchain::node::metrics& stats() noexcept;

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
