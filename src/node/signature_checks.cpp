// Signature checks off the strand: a signed block's over the cores, a batch's on the verifier.
#include "signature_checks.hpp"

#include <beastchain/core/signing.hpp>

#include <thread>

#include "strand_ops.hpp"

namespace beastchain::node {

asio::awaitable<core::validation_result> verify_block_signatures(
    asio::any_io_executor verifier, const core::block& b, const core::consensus_params& params
)
{
    const auto verify = [&b, &params] {
        if (core::preverify_signatures(b.transactions, params.chain_id, std::thread::hardware_concurrency()))
            return core::validation_result::success();
        return core::check_block_contents(b, params);
    };
    co_return co_await on_executor(verifier, verify);
}

asio::awaitable<bool> verify_batch_signatures(
    asio::any_io_executor verifier,
    const std::vector<core::transaction>& txs,
    const core::consensus_params& params
)
{
    const auto verify = [&txs, &params] {
        return core::preverify_signatures(txs, params.chain_id, 1);
    };
    co_return co_await on_executor(verifier, verify);
}

void preverify_stored_blocks(
    const std::vector<storage::record>& records, const core::consensus_params& params
)
{
    // Blocks of one or a few transactions do not spread on their own: gather them. A failure
    // needs no answer here; the replay's own checks name it.
    constexpr std::size_t batch_size = 4096;
    std::vector<core::transaction> batch;
    batch.reserve(batch_size);
    const auto flush = [&] {
        core::preverify_signatures(batch, params.chain_id, std::thread::hardware_concurrency());
        batch.clear();
    };
    for (const auto& r : records)
        for (const auto& b : r.blocks)
            for (const auto& tx : b.blk.transactions)
                if (tx.is_signed()) {
                    batch.push_back(tx);
                    if (batch.size() == batch_size)
                        flush();
                }
    flush();
}

} // namespace beastchain::node
