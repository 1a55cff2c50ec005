// Why a node operation did not happen: one error enum for the whole node, returned as a value.
#pragma once

#include <beastchain/core/validation.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace beastchain::node {

/// Every way a node operation can refuse. The HTTP layer maps each to one status and JSON error
/// name in one place (routes/reply.cpp); nothing else decides how a refusal looks on the wire.
enum class node_errc
{
    storage_unavailable,   ///< the data directory cannot be written: nothing changed
    pool_full,             ///< the pending pool is at --max-pending
    conflict,              ///< signed chains: the sender's nonce is taken by a pending transaction
    duplicate_transaction, ///< already pending or in the chain
    invalid_field,         ///< a request field breaks a rule (`field` names it)
    not_mining,            ///< /mine could not produce a block (shutting down, storage, client left)
    own_address,           ///< a peer registration named this node itself
    peer_limit,            ///< the peer table is full of operator peers
    peer_refused,          ///< an announced address is not admitted (not public, or not a node)
    other_network,         ///< an announced node runs another chain (another genesis)
    invalid_block,         ///< a pushed block breaks a consensus rule
    no_common_block,       ///< none of a locator's blocks is on our chain
    no_such_block,         ///< past the tip
};

struct node_error
{
    node_error() = default;
    node_error(node_errc c, std::string d = {}, std::string f = {})
        : code(c)
        , detail(std::move(d))
        , field(std::move(f))
    {}

    node_errc code = node_errc::storage_unavailable;
    std::string detail;
    std::string field; ///< for invalid_field and own_address: the offending request field
    /// When set, the error's name in the reply instead of the code's: the signed chain's rules
    /// (overdraft, nonce_gap, bad_signature, ...) so a client can tell them apart.
    std::string name;
};

/// A transaction the ledger refused as invalid, as its client sees it: invalid_field naming
/// the field the rule is about, and the signed chain's rules by their own name.
node_error rejected_transaction(core::validation_result r);

/// `result::value()` on an error throws this (found by ADL).
[[noreturn]] void throw_exception_from_error(const node_error& e, const boost::source_location& loc);

/// A node operation's outcome: the value, or why there is none.
template <class T> using node_result = boost::system::result<T, node_error>;

} // namespace beastchain::node
