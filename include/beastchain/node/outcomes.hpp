// What node operations report: plain values the route handlers turn into HTTP replies.
#pragma once

#include <beastchain/core/hash.hpp>
#include <beastchain/core/ledger.hpp>
#include <beastchain/net/joined_text.hpp>
#include <beastchain/node/errors.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beastchain::node {

/// What became of a relayed batch of transactions.
struct relay_outcome
{
    std::size_t accepted = 0;
    std::size_t known = 0;   ///< already pending or in the chain
    std::size_t dropped = 0; ///< the pending pool was full
};

struct register_outcome
{
    bool added = false; ///< false when already known
    std::vector<std::string> nodes;
};

/// What became of a block a peer pushed (an invalid one is a node_errc::invalid_block error).
struct block_outcome
{
    enum class result
    {
        connected,      ///< it extended our best chain
        known,          ///< we already have it
        syncing,        ///< it does not connect to our tip: a sync with peers was started (or one is due)
        ahead_of_clock, ///< valid but timestamped too far ahead of our clock: dropped, held against no one
    };
    result status = result::known;
    std::uint64_t height = 0; ///< our height afterwards
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
    std::size_t queued_inventory = 0; ///< ids that fell out of a full queue, to announce
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
    std::shared_ptr<const net::joined_text> chain_json; ///< our chain after the sync: its blocks
    std::vector<peer_failure> failed;
};

/// GET /transactions/{id}: where the transaction is, and the chain height that dates it.
struct transaction_status
{
    core::ledger::transaction_lookup found;
    std::uint64_t height = 0; ///< the best chain's tip, for confirmations
};

/// GET /accounts/{address} on a signed chain: the account at the tip and what it has pending.
struct account_status
{
    core::account confirmed;
    std::uint64_t pending_count = 0;
    std::uint64_t pending_spend = 0; ///< amounts plus fees of its pending transactions
    std::uint64_t height = 0;
};

/// A snapshot for /status, /health and /metrics.
struct node_status
{
    std::string chain;            ///< the chain spec's name
    core::hash256 genesis_hash{}; ///< names the network: peers on another one are refused
    std::uint64_t height = 0;
    core::hash256 tip_hash{};
    core::work_t cumulative_work = 0;
    /// What the next block needs: leading zero bits (the minimum rule: this node's --difficulty),
    /// or on ASERT chains the required compact target and its work's log2, rounded down.
    std::uint32_t difficulty = 0;
    std::optional<std::uint32_t> bits;
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
    std::uint64_t dropped_conflicted = 0; ///< pending transactions a chain change made invalid
    std::uint64_t dropped_evicted = 0;    ///< pending transactions a higher fee pushed out
};

} // namespace beastchain::node
