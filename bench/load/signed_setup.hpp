// --signed: fund one sender per posting connection on a signed chain and pre-sign their transfers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "options.hpp"

namespace beastchain::bench {

/// Request bodies per connection, in the order each must post them (its sender's nonces).
using signed_bodies = std::vector<std::vector<std::string>>;

/**
 * Before the load: reads the chain id from the first target, mines there (GET /mine, paying the
 * funder the node was started with: --mining-address of --signed-funder's key) until the funder
 * can pay every connection's sender, pays them and mines until each holds its budget on every
 * target, then signs `per_connection` transfers of 1 with fee 1 for each, over every core, so
 * the load measures the node and not the client's signing. Throws std::runtime_error naming what
 * failed.
 */
std::shared_ptr<const signed_bodies> prepare_signed(const options& opts, std::size_t per_connection);

} // namespace beastchain::bench
