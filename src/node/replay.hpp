// Replaying a data directory's records into a fresh ledger: the chain check, one step per record,
// and errors that name the log.
#pragma once

#include <beastchain/core/ledger.hpp>
#include <beastchain/node/config.hpp>
#include <beastchain/storage/record.hpp>

#include <string>
#include <vector>

namespace beastchain::node {

/// What a replay found besides the ledger's state.
struct replayed
{
    std::string node_address;    ///< the first node_identity record's, if any
    bool chain_recorded = false; ///< the log holds its chain_identity record
    std::vector<storage::record> peer_records;
};

/**
 * Replays `records` into `ledger`, which must be fresh, in log order, then finishes it
 * (core::ledger::finish_replay). `identity` is the running chain's "GENESIS NAME": a
 * chain_identity record naming another chain is refused before anything replays. With
 * --reverify every rule is checked again, signatures a window ahead over the cores. Throws
 * storage::storage_error naming `log_path` for a record that does not replay.
 */
replayed replay_records(
    core::ledger& ledger,
    std::vector<storage::record> records,
    const config& cfg,
    const std::string& identity,
    const std::string& log_path
);

} // namespace beastchain::node
