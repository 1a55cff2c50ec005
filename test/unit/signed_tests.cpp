// Signed chains: one test per rule, each rejecting its own tampering, and the account state's
// all-or-nothing blocks and exact undo.
#include <beastchain/core/accounts.hpp>
#include <beastchain/core/signing.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace beastchain;
using core::reject_reason;

namespace {

const core::hash256 chain_a = core::sha256(std::string_view("chain a"));
const core::hash256 chain_b = core::sha256(std::string_view("chain b"));

struct party
{
    core::secret_key key = core::secret_key::generate();
    std::string address = core::address_of(core::public_key_of(key));
};

/// A block of `txs` and a reward of `reward` to `miner`.
core::block block_of(std::vector<core::transaction> txs, std::uint64_t reward, const std::string& miner)
{
    core::block b;
    b.index = 1;
    b.transactions = std::move(txs);
    b.transactions.push_back(core::make_transaction("0", miner, reward, b.index));
    return b;
}

reject_reason reason_of(const core::validation_result& r)
{
    return r.reason;
}

/// Re-signs nothing: recomputes only the id, as a forger who edits a field would.
core::transaction with_fresh_id(core::transaction tx)
{
    tx.transaction_id = core::transaction_id_of(tx);
    return tx;
}

} // namespace

BOOST_AUTO_TEST_SUITE(signed_tests)

BOOST_AUTO_TEST_CASE(a_signed_transaction_passes_and_every_edit_breaks_it)
{
    party alice, bob;
    const auto tx = core::make_signed_transaction(alice.key, bob.address, 5, 1, 0, chain_a);
    BOOST_TEST(tx.is_signed());
    BOOST_TEST(tx.sender == alice.address);
    BOOST_TEST(core::check_signed_transaction(tx, chain_a).ok());

    // A forger edits one field and recomputes the id: the signature no longer matches.
    const auto after_edit = [&](auto edit) {
        auto forged = tx;
        edit(forged);
        return reason_of(core::check_signed_transaction(with_fresh_id(forged), chain_a));
    };
    BOOST_TEST((after_edit([](auto& t) { (*t.sig)[10] ^= 1; }) == reject_reason::bad_signature));
    // The id covers the signature: the same edit without a new id is caught as a mismatch.
    auto bad_sig = tx;
    (*bad_sig.sig)[10] ^= 1;
    BOOST_TEST((
        reason_of(core::check_signed_transaction(bad_sig, chain_a)) == reject_reason::transaction_id_mismatch
    ));
    BOOST_TEST((after_edit([](auto& t) { t.amount = 50; }) == reject_reason::bad_signature));
    BOOST_TEST((after_edit([](auto& t) { t.fee = 0; }) == reject_reason::bad_signature));
    BOOST_TEST((after_edit([](auto& t) { t.recipient = party{}.address; }) == reject_reason::bad_signature));
    BOOST_TEST((after_edit([](auto& t) { t.nonce = 1; }) == reject_reason::bad_signature));
    // Someone else's name on alice's signature.
    BOOST_TEST((after_edit([&](auto& t) { t.sender = bob.address; }) == reject_reason::bad_signature));
}

BOOST_AUTO_TEST_CASE(a_transaction_signed_for_another_chain_is_refused)
{
    party alice, bob;
    const auto tx = core::make_signed_transaction(alice.key, bob.address, 5, 1, 0, chain_b);
    BOOST_TEST(core::check_signed_transaction(tx, chain_b).ok());
    BOOST_TEST((reason_of(core::check_signed_transaction(tx, chain_a)) == reject_reason::bad_signature));
}

BOOST_AUTO_TEST_CASE(unsigned_and_malformed_transactions_are_refused_by_name)
{
    party alice, bob;
    const auto open = core::make_transaction(alice.address, bob.address, 5, 0);
    const auto r = core::check_signed_transaction(open, chain_a);
    BOOST_TEST((r.reason == reject_reason::unsigned_transaction));
    BOOST_TEST(r.detail.find("signature is missing") != std::string::npos, r.detail);

    // amount + fee beyond max_amount (each alone within it).
    const auto big = core::make_signed_transaction(alice.key, bob.address, core::max_amount, 1, 0, chain_a);
    BOOST_TEST((reason_of(core::check_signed_transaction(big, chain_a)) == reject_reason::bad_fee));
    const auto huge_fee = core::make_signed_transaction(
        alice.key, bob.address, 1, std::numeric_limits<std::uint64_t>::max(), 0, chain_a
    );
    BOOST_TEST((reason_of(core::check_signed_transaction(huge_fee, chain_a)) == reject_reason::bad_fee));
    const auto to_tutorial_name = core::make_signed_transaction(alice.key, "addr2", 1, 0, 0, chain_a);
    BOOST_TEST(
        (reason_of(core::check_signed_transaction(to_tutorial_name, chain_a)) == reject_reason::bad_recipient)
    );
    auto from_tutorial_name = core::make_signed_transaction(alice.key, bob.address, 1, 0, 0, chain_a);
    from_tutorial_name.sender = "addr1";
    BOOST_TEST(
        (reason_of(core::check_signed_transaction(with_fresh_id(from_tutorial_name), chain_a)) ==
         reject_reason::bad_sender)
    );
    // A well-formed address whose key is no point on the curve: no signature can verify for it.
    core::public_key off_curve{};
    for (std::uint8_t i = 1; core::is_valid_public_key(off_curve) || off_curve[31] == 0; ++i)
        off_curve[31] = i;
    auto from_no_point = core::make_signed_transaction(alice.key, bob.address, 1, 0, 0, chain_a);
    from_no_point.sender = core::address_of(off_curve);
    BOOST_TEST(!core::public_key_from_address(from_no_point.sender).has_value());
    BOOST_TEST(
        (reason_of(core::check_signed_transaction(with_fresh_id(from_no_point), chain_a)) ==
         reject_reason::bad_signature)
    );
}

BOOST_AUTO_TEST_CASE(nonces_run_in_order_without_reuse_or_gaps)
{
    party alice, bob, miner;
    core::account_state state;
    core::account_state::journal undo;
    BOOST_TEST_REQUIRE(state.apply_block(block_of({}, 100, alice.address), 100, undo).ok()); // fund alice
    BOOST_TEST(state.get(alice.address).balance == 100u);

    const auto first = core::make_signed_transaction(alice.key, bob.address, 10, 1, 0, chain_a);
    BOOST_TEST_REQUIRE(state.apply_block(block_of({first}, 101, miner.address), 100, undo).ok());
    BOOST_TEST(state.get(alice.address).next_nonce == 1u);

    const auto again =
        core::make_signed_transaction(alice.key, bob.address, 10, 1, 0, chain_a); // nonce 0 again
    BOOST_TEST((reason_of(state.check(again)) == reject_reason::nonce_reused));
    const auto skipped = core::make_signed_transaction(alice.key, bob.address, 10, 1, 2, chain_a);
    BOOST_TEST((reason_of(state.check(skipped)) == reject_reason::nonce_gap));
    const auto next = core::make_signed_transaction(alice.key, bob.address, 10, 1, 1, chain_a);
    BOOST_TEST(state.check(next).ok());
    // Two spends of one nonce in one block: the second finds it used.
    const auto twin = core::make_signed_transaction(alice.key, miner.address, 3, 0, 1, chain_a);
    const auto r = state.apply_block(block_of({next, twin}, 101, miner.address), 100, undo);
    BOOST_TEST((r.reason == reject_reason::nonce_reused));
    BOOST_TEST(r.detail.find("transaction 1") != std::string::npos, r.detail);
}

BOOST_AUTO_TEST_CASE(no_overdraft_and_the_reward_is_exactly_reward_plus_fees)
{
    party alice, bob, miner;
    core::account_state state;
    core::account_state::journal undo;
    BOOST_TEST_REQUIRE(state.apply_block(block_of({}, 6, alice.address), 6, undo).ok());

    const auto all_in = core::make_signed_transaction(alice.key, bob.address, 6, 1, 0, chain_a); // 7 > 6
    BOOST_TEST((reason_of(state.check(all_in)) == reject_reason::overdraft));
    const auto exact = core::make_signed_transaction(alice.key, bob.address, 5, 1, 0, chain_a);
    BOOST_TEST(state.check(exact).ok());
    // A reward without the fee, or with more than it, is refused, and nothing changes.
    const auto before_alice = state.get(alice.address);
    for (std::uint64_t reward : {10u, 12u}) {
        const auto r = state.apply_block(block_of({exact}, reward, miner.address), 10, undo);
        BOOST_TEST((r.reason == reject_reason::bad_reward), reward);
        BOOST_TEST((state.get(alice.address) == before_alice));
        BOOST_TEST(state.get(bob.address).balance == 0u);
        BOOST_TEST(state.get(miner.address).balance == 0u);
    }
    BOOST_TEST_REQUIRE(state.apply_block(block_of({exact}, 11, miner.address), 10, undo).ok());
    BOOST_TEST(state.get(alice.address).balance == 0u);
    BOOST_TEST(state.get(bob.address).balance == 5u);
    BOOST_TEST(state.get(miner.address).balance == 11u);
    // A block that overdraws anywhere is refused whole.
    const auto broke = core::make_signed_transaction(alice.key, bob.address, 1, 0, 1, chain_a);
    BOOST_TEST(
        (reason_of(state.apply_block(block_of({broke}, 10, miner.address), 10, undo)) ==
         reject_reason::overdraft)
    );
    BOOST_TEST(state.get(miner.address).balance == 11u);
}

BOOST_AUTO_TEST_CASE(undo_restores_the_state_exactly_and_no_balance_wraps)
{
    party alice, bob, miner;
    core::account_state state;
    core::account_state::journal fund, spend;
    BOOST_TEST_REQUIRE(state.apply_block(block_of({}, 50, alice.address), 50, fund).ok());
    const std::size_t accounts_before = state.size();
    const auto before = state.get(alice.address);
    const auto tx = core::make_signed_transaction(alice.key, bob.address, 20, 2, 0, chain_a);
    BOOST_TEST_REQUIRE(state.apply_block(block_of({tx}, 52, miner.address), 50, spend).ok());
    BOOST_TEST(state.size() == accounts_before + 2);
    state.undo_block(spend);
    BOOST_TEST((state.get(alice.address) == before));
    BOOST_TEST(state.size() == accounts_before); // bob and the miner did not exist before
    state.undo_block(fund);
    BOOST_TEST(state.size() == 0u);

    // A reward that would wrap the recipient's balance is refused, not wrapped.
    const std::uint64_t near_max = std::numeric_limits<std::uint64_t>::max() - 5;
    core::account_state rich;
    core::account_state::journal j;
    BOOST_TEST_REQUIRE(rich.apply_block(block_of({}, near_max, miner.address), near_max, j).ok());
    BOOST_TEST((
        reason_of(rich.apply_block(block_of({}, 10, miner.address), 10, j)) == reject_reason::balance_overflow
    ));
    BOOST_TEST(rich.get(miner.address).balance == near_max);
}

BOOST_AUTO_TEST_SUITE_END()
