// Names of rejection reasons; kept next to the enum's single definition.
#include <beastchain/core/validation.hpp>

namespace beastchain::core {

std::string_view to_string(reject_reason r) noexcept
{
    switch (r) {
    case reject_reason::none:
        return "none";
    case reject_reason::bad_transaction_id:
        return "bad_transaction_id";
    case reject_reason::bad_sender:
        return "bad_sender";
    case reject_reason::bad_recipient:
        return "bad_recipient";
    case reject_reason::bad_amount:
        return "bad_amount";
    case reject_reason::bad_nonce:
        return "bad_nonce";
    case reject_reason::transaction_id_mismatch:
        return "transaction_id_mismatch";
    case reject_reason::too_many_transactions:
        return "too_many_transactions";
    case reject_reason::missing_reward:
        return "missing_reward";
    case reject_reason::reward_not_last:
        return "reward_not_last";
    case reject_reason::multiple_rewards:
        return "multiple_rewards";
    case reject_reason::bad_reward:
        return "bad_reward";
    case reject_reason::duplicate_transaction:
        return "duplicate_transaction";
    case reject_reason::bad_header_version:
        return "bad_header_version";
    case reject_reason::bad_index:
        return "bad_index";
    case reject_reason::bad_previous_hash:
        return "bad_previous_hash";
    case reject_reason::bad_difficulty:
        return "bad_difficulty";
    case reject_reason::insufficient_work:
        return "insufficient_work";
    case reject_reason::hash_mismatch:
        return "hash_mismatch";
    case reject_reason::timestamp_decreasing:
        return "timestamp_decreasing";
    case reject_reason::timestamp_too_far_in_future:
        return "timestamp_too_far_in_future";
    case reject_reason::bad_genesis:
        return "bad_genesis";
    case reject_reason::empty_chain:
        return "empty_chain";
    case reject_reason::bad_chain_spec:
        return "bad_chain_spec";
    case reject_reason::unsigned_transaction:
        return "unsigned_transaction";
    case reject_reason::bad_fee:
        return "bad_fee";
    case reject_reason::bad_signature:
        return "bad_signature";
    case reject_reason::nonce_reused:
        return "nonce_reused";
    case reject_reason::nonce_gap:
        return "nonce_gap";
    case reject_reason::overdraft:
        return "overdraft";
    case reject_reason::balance_overflow:
        return "balance_overflow";
    case reject_reason::fee_too_low:
        return "fee_too_low";
    case reject_reason::timestamp_too_early:
        return "timestamp_too_early";
    }
    return "unknown";
}

} // namespace beastchain::core
