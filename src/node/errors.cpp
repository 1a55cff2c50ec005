// Node errors: what a refused transaction looks like to its client, and result's exception.
#include <beastchain/node/errors.hpp>

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace beastchain::node {

namespace {

/// The request field a transaction rule is about, for invalid_field errors.
std::string field_of(core::reject_reason r)
{
    switch (r) {
    case core::reject_reason::bad_sender:
        return "sender";
    case core::reject_reason::bad_recipient:
        return "recipient";
    case core::reject_reason::bad_amount:
    case core::reject_reason::overdraft:
        return "amount";
    case core::reject_reason::bad_fee:
    case core::reject_reason::fee_too_low:
        return "fee";
    case core::reject_reason::nonce_reused:
    case core::reject_reason::nonce_gap:
        return "nonce";
    case core::reject_reason::unsigned_transaction:
    case core::reject_reason::bad_signature:
        return "signature";
    default:
        return "body";
    }
}

} // namespace

node_error rejected_transaction(core::validation_result r)
{
    node_error e{node_errc::invalid_field, std::move(r.detail), field_of(r.reason)};
    // The signed chain's rules are named, so a wallet can tell an overdraft from a typo.
    if (r.reason >= core::reject_reason::unsigned_transaction)
        e.name = core::to_string(r.reason);
    return e;
}

void throw_exception_from_error(const node_error& e, const boost::source_location& loc)
{
    boost::throw_exception(std::runtime_error("node error: " + e.detail), loc);
}

} // namespace beastchain::node
