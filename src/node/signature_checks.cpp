// Signature checks off the strand: a signed block's over the cores, a batch's on the verifier.
#include "signature_checks.hpp"

#include <beastchain/core/signing.hpp>

#include <algorithm>
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

std::size_t preverify_stored_blocks(
    const std::vector<storage::record>& records, std::size_t from, const core::consensus_params& params
)
{
    // Blocks of one or a few transactions do not spread on their own: gather them, batch by
    // batch, for a window that fits the signature cache's newest generation, so none is pushed
    // out before the replay reaches it. A failure needs no answer here: the replay names it.
    constexpr std::size_t batch_size = 4096;
    constexpr std::size_t window = core::signature_cache_generation / 2;
    std::vector<core::transaction> batch;
    batch.reserve(batch_size);
    std::size_t gathered = 0;
    const auto flush = [&] {
        core::preverify_signatures(batch, params.chain_id, std::thread::hardware_concurrency());
        batch.clear();
    };
    std::size_t end = from;
    for (; end < records.size() && gathered < window; ++end)
        for (const auto& b : records[end].blocks)
            for (const auto& tx : b.blk.transactions)
                if (tx.is_signed()) {
                    batch.push_back(tx);
                    ++gathered;
                    if (batch.size() == batch_size)
                        flush();
                }
    flush();
    return std::max(end, from + 1);
}

} // namespace beastchain::node
