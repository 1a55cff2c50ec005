// Signature checks that run before the chain strand sees a signed block or relayed batch.
#pragma once

#include <beastchain/core/chain.hpp>
#include <beastchain/storage/record.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <vector>

namespace beastchain::node {

/// Verifies a signed block's signatures on `verifier`, spread over the cores, and remembers
/// them (core::preverify_signatures), so the strand's checks find them done. On a bad one, the
/// block's content rule that names it; success otherwise.
boost::asio::awaitable<core::validation_result> verify_block_signatures(
    boost::asio::any_io_executor verifier, const core::block& b, const core::consensus_params& params
);

/// The same for a relayed batch (up to a thousand), on `verifier` alone: whether all verify.
boost::asio::awaitable<bool> verify_batch_signatures(
    boost::asio::any_io_executor verifier,
    const std::vector<core::transaction>& txs,
    const core::consensus_params& params
);

/// --reverify on a signed chain: verifies the signatures of every stored block over the cores,
/// in batches, before the replay re-checks each block on one thread and finds them remembered.
void preverify_stored_blocks(
    const std::vector<storage::record>& records, const core::consensus_params& params
);

} // namespace beastchain::node
