// Validation outcomes as values: a reason code per rule plus human-readable detail, never exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace beastchain::core {

/// Why a transaction, block or chain was rejected. Each consensus rule has its own code so that
/// callers (and tests) can tell exactly which rule fired, and the network layer can decide whether
/// the peer that sent it deserves a ban.
enum class reject_reason : std::uint8_t
{
    none,
    // Transaction well-formedness.
    bad_transaction_id,
    bad_sender,
    bad_recipient,
    bad_amount,
    bad_nonce,
    transaction_id_mismatch,
    // Block contents.
    too_many_transactions,
    missing_reward,
    reward_not_last,
    multiple_rewards,
    bad_reward,
    duplicate_transaction,
    // Block header.
    bad_header_version,
    bad_index,
    bad_previous_hash,
    bad_difficulty,
    insufficient_work,
    hash_mismatch,
    timestamp_decreasing,
    timestamp_too_far_in_future,
    // Chain level.
    bad_genesis,
    empty_chain,
    // Network.
    bad_chain_spec,
    // Signed chains: the transaction itself, then the sender's account.
    unsigned_transaction,
    bad_fee,
    bad_signature,
    nonce_reused,
    nonce_gap,
    overdraft,
    balance_overflow,
    fee_too_low, ///< a full pool keeps higher fees
    // ASERT chains.
    timestamp_too_early, ///< not after the median time past
};

/// Stable snake_case name of a reason, used in JSON replies and logs.
std::string_view to_string(reject_reason r) noexcept;

/// Result of a validation step: `ok()` or a reason with detail text naming what was wrong.
struct validation_result
{
    reject_reason reason = reject_reason::none;
    std::string detail;

    bool ok() const noexcept { return reason == reject_reason::none; }
    explicit operator bool() const noexcept { return ok(); }

    static validation_result success() { return {}; }
    static validation_result fail(reject_reason r, std::string detail) { return {r, std::move(detail)}; }
};

} // namespace beastchain::core
