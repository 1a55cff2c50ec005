// Replay of the log into the ledger, record by record.
#include "replay.hpp"

#include <beastchain/node/clock.hpp>
#include <beastchain/storage/store.hpp>

#include "signature_checks.hpp"

namespace beastchain::node {

replayed replay_records(
    core::ledger& ledger,
    std::vector<storage::record> records,
    const config& cfg,
    const std::string& identity,
    const std::string& log_path
)
{
    replayed out;
    const std::uint64_t now = now_ms();
    // The chain the directory names comes first, wherever its record is: a directory from before
    // chain specs has it after its blocks, and another chain's blocks would fail with less to say.
    for (const auto& r : records)
        if (r.type == storage::record_type::chain_identity) {
            if (r.text != identity)
                throw storage::storage_error(
                    log_path + " holds the chain \"" + r.text + "\" (genesis, then name); this node runs \"" +
                    identity +
                    "\": start it with the --chain the directory was created with, or give it another "
                    "--data-dir"
                );
            out.chain_recorded = true;
        }
    const bool verify_ahead = cfg.reverify && cfg.consensus.signed_transactions;
    std::size_t at = 0, verified_to = 0;
    for (auto& r : records) {
        if (verify_ahead && at++ >= verified_to) // a window ahead, over the cores
            verified_to = preverify_stored_blocks(records, at - 1, cfg.consensus);
        core::validation_result result;
        switch (r.type) {
        case storage::record_type::node_identity:
            if (out.node_address.empty())
                out.node_address = r.text;
            break;
        case storage::record_type::chain_identity:
            break; // checked before the replay
        case storage::record_type::transaction_evicted:
            ledger.replay_eviction(r.text);
            break;
        case storage::record_type::transaction_accepted:
            ledger.replay_transaction(std::move(r.tx));
            break;
        case storage::record_type::block_connected:
            result =
                ledger.replay_block(std::move(r.blocks.at(0).blk), r.blocks.at(0).hash, cfg.reverify, now);
            break;
        case storage::record_type::chain_replaced: {
            std::vector<std::pair<core::block, core::hash256>> suffix;
            for (auto& b : r.blocks)
                suffix.emplace_back(std::move(b.blk), b.hash);
            result = ledger.replay_chain_switch(r.fork_index, std::move(suffix), cfg.reverify, now);
            break;
        }
        case storage::record_type::switch_begin:
        case storage::record_type::switch_commit:
            break; // never loaded: the store assembles them into chain_replaced
        case storage::record_type::peer_added:
        case storage::record_type::peer_announced:
        case storage::record_type::peer_announced_public:
        case storage::record_type::peer_removed:
            out.peer_records.push_back(std::move(r));
            break;
        }
        if (!result && result.reason == core::reject_reason::bad_previous_hash &&
            ledger.best_chain().size() == 1)
            throw storage::storage_error(
                log_path +
                " holds blocks of another chain: its first block does not follow the genesis of \"" +
                identity +
                "\". Start the node with the --chain the directory was created with, or give it another "
                "--data-dir"
            );
        if (!result)
            throw storage::storage_error(
                log_path + " does not replay: " + std::string(core::to_string(result.reason)) + ": " +
                result.detail
            );
    }
    ledger.finish_replay();
    return out;
}

} // namespace beastchain::node
