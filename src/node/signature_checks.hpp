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

/// --reverify on a signed chain: verifies the signatures of the stored blocks from `records[from]`
/// on over the cores, for as many records as the signature cache keeps (half a generation of
/// transactions), so the replay re-checking each block on one thread finds them remembered.
/// Returns the index after the last record it covered (at least from + 1).
std::size_t preverify_stored_blocks(
    const std::vector<storage::record>& records, std::size_t from, const core::consensus_params& params
);

} // namespace beastchain::node
