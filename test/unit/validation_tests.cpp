// Every consensus rule rejects its own tampering with its own reason code.
#include <beastchain/core/chain.hpp>
#include <beastchain/core/headers.hpp>

#include <boost/test/unit_test.hpp>

#include "chain_fixture.hpp"

using namespace beastchain::core;
using namespace beastchain::test;

namespace {

/// Validates `blocks` and returns the reason (none when valid) and the failing index.
std::pair<reject_reason, std::size_t>
verdict(std::vector<block> blocks, std::vector<std::optional<hash256>> claims = {})
{
    const std::uint64_t now = blocks.empty() ? 0 : test_now(blocks);
    chain_rejection why;
    const auto r = validate_chain(std::move(blocks), claims, now, test_params(), why);
    return r ? std::pair{reject_reason::none, std::size_t{0}} : std::pair{why.result.reason, why.index};
}

/// Applies `tamper` to block `i`, re-solves it (so PoW is not what fails) and relinks the rest.
std::vector<block> tampered(
    std::vector<block> blocks, std::size_t i, const std::function<void(block&)>& tamper, bool resolve = true
)
{
    tamper(blocks[i]);
    if (resolve)
        solve(blocks[i]);
    for (std::size_t j = i + 1; j < blocks.size(); ++j) {
        blocks[j].previous_hash = block_hash(blocks[j - 1]);
        solve(blocks[j]);
    }
    return blocks;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation_tests)

BOOST_AUTO_TEST_CASE(valid_chain_passes_and_accumulates_work)
{
    const auto blocks = make_blocks(3);
    chain_rejection why;
    const auto c = validate_chain(blocks, {}, test_now(blocks), test_params(), why);
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->entries.size() == 4u);
    BOOST_TEST(work_to_string(c->work()) == work_to_string(1 + 3 * block_work(test_difficulty)));
}

BOOST_AUTO_TEST_CASE(changed_amount_breaks_proof_of_work)
{
    auto blocks = make_blocks(3);
    blocks[2].transactions[0].amount = 3000; // not re-mined: the hash moves
    // At difficulty 8 a random hash passes 1 time in 256; pick an amount whose hash fails.
    while (meets_difficulty(block_hash(blocks[2]), test_difficulty))
        blocks[2].transactions[0].amount++;
    BOOST_TEST((verdict(blocks) == std::pair{reject_reason::insufficient_work, std::size_t{2}}));
}

BOOST_AUTO_TEST_CASE(changed_amount_with_claimed_hash_is_a_hash_mismatch)
{
    const auto blocks = make_blocks(2);
    std::vector<std::optional<hash256>> claims;
    for (const auto& b : blocks)
        claims.push_back(block_hash(b));
    auto bad = blocks;
    bad[1].transactions[0].amount = 7;
    BOOST_TEST((verdict(bad, claims).first == reject_reason::hash_mismatch));
    BOOST_TEST((verdict(blocks, claims).first == reject_reason::none));
}

BOOST_AUTO_TEST_CASE(re_mined_tampering_breaks_the_link)
{
    // A forger who re-mines block 1 still breaks block 2's previous_hash.
    auto blocks = make_blocks(3);
    blocks[1].transactions[0].amount = 999;
    blocks[1].transactions[0].transaction_id = transaction_id_of(blocks[1].transactions[0]);
    solve(blocks[1]);
    BOOST_TEST((verdict(blocks) == std::pair{reject_reason::bad_previous_hash, std::size_t{2}}));
}

BOOST_AUTO_TEST_CASE(low_work_is_rejected)
{
    auto blocks = tampered(make_blocks(2), 1, [](block& b) { b.difficulty = test_difficulty - 1; });
    BOOST_TEST((verdict(blocks).first == reject_reason::bad_difficulty));
    auto too_hard = make_blocks(1);
    too_hard[1].difficulty = max_difficulty + 1;
    BOOST_TEST((verdict(too_hard).first == reject_reason::bad_difficulty));
}

BOOST_AUTO_TEST_CASE(two_rewards_are_rejected)
{
    auto blocks = tampered(make_blocks(2), 1, [](block& b) {
        b.transactions.insert(b.transactions.end() - 1, make_reward("greedy"));
    });
    BOOST_TEST((verdict(blocks) == std::pair{reject_reason::multiple_rewards, std::size_t{1}}));
}

BOOST_AUTO_TEST_CASE(reward_must_be_last_present_and_exact)
{
    auto not_last = tampered(make_blocks(1), 1, [](block& b) {
        std::swap(b.transactions.front(), b.transactions.back());
    });
    BOOST_TEST((verdict(not_last).first == reject_reason::reward_not_last));

    auto missing = tampered(make_blocks(1), 1, [](block& b) { b.transactions.pop_back(); });
    BOOST_TEST((verdict(missing).first == reject_reason::missing_reward));

    auto greedy = tampered(make_blocks(1), 1, [](block& b) {
        b.transactions.back().amount = 50;
        b.transactions.back().transaction_id = transaction_id_of(b.transactions.back());
    });
    BOOST_TEST((verdict(greedy).first == reject_reason::bad_reward));
}

BOOST_AUTO_TEST_CASE(future_and_decreasing_timestamps_are_rejected)
{
    auto blocks = make_blocks(2);
    const std::uint64_t now = test_now(blocks);
    blocks =
        tampered(blocks, 2, [&](block& b) { b.timestamp_ms = now + test_params().max_future_ms + 60'000; });
    chain_rejection why;
    BOOST_TEST(!validate_chain(blocks, {}, now, test_params(), why).has_value());
    BOOST_TEST((why.result.reason == reject_reason::timestamp_too_far_in_future));

    auto back = tampered(make_blocks(2), 2, [](block& b) { b.timestamp_ms -= 5000; });
    BOOST_TEST((verdict(back).first == reject_reason::timestamp_decreasing));
}

BOOST_AUTO_TEST_CASE(wrong_index_is_rejected)
{
    auto blocks = tampered(make_blocks(2), 2, [](block& b) { b.index = 7; });
    BOOST_TEST((verdict(blocks) == std::pair{reject_reason::bad_index, std::size_t{2}}));
}

BOOST_AUTO_TEST_CASE(duplicate_transaction_ids_are_rejected)
{
    auto blocks = make_blocks(2);
    const transaction replay = blocks[1].transactions[0];
    auto across = tampered(blocks, 2, [&](block& b) { b.transactions[0] = replay; });
    BOOST_TEST((verdict(across) == std::pair{reject_reason::duplicate_transaction, std::size_t{2}}));

    auto within = tampered(make_blocks(1), 1, [](block& b) { b.transactions[1] = b.transactions[0]; });
    BOOST_TEST((verdict(within).first == reject_reason::duplicate_transaction));
}

BOOST_AUTO_TEST_CASE(malformed_transactions_are_rejected)
{
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].amount = 0;
                })).first == reject_reason::bad_amount));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].sender.clear();
                })).first == reject_reason::bad_sender));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].recipient = std::string(300, 'x');
                })).first == reject_reason::bad_recipient));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].transaction_id = "nope";
                })).first == reject_reason::bad_transaction_id));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].nonce = max_transaction_nonce + 1;
                })).first == reject_reason::bad_nonce));
}

BOOST_AUTO_TEST_CASE(an_id_must_be_the_hash_of_its_transaction)
{
    // The review's attack: another payment under an acknowledged transaction's id.
    const transaction acknowledged = make_tx("alice", "bob", 5);
    auto forged = tampered(make_blocks(1), 1, [&](block& b) {
        b.transactions[0] = make_tx("mallory", "mallory", 1);
        b.transactions[0].transaction_id = acknowledged.transaction_id;
    });
    BOOST_TEST((verdict(forged).first == reject_reason::transaction_id_mismatch));
    // Changing any field after the id was computed is caught the same way, rewards included.
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions[0].recipient = "someone else";
                })).first == reject_reason::transaction_id_mismatch));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    ++b.transactions[0].nonce;
                })).first == reject_reason::transaction_id_mismatch));
    BOOST_TEST((verdict(tampered(make_blocks(1), 1, [](block& b) {
                    b.transactions.back().recipient = "thief";
                })).first == reject_reason::transaction_id_mismatch));
}

BOOST_AUTO_TEST_CASE(oversized_block_is_rejected)
{
    auto blocks = tampered(make_blocks(1), 1, [](block& b) {
        for (int i = 0; i < 10; ++i)
            b.transactions.insert(b.transactions.begin(), make_tx("a", "b", 1));
    });
    BOOST_TEST((verdict(blocks).first == reject_reason::too_many_transactions));
}

BOOST_AUTO_TEST_CASE(foreign_genesis_and_empty_chain_are_rejected)
{
    auto blocks = make_blocks(1);
    blocks[0].timestamp_ms += 1;
    BOOST_TEST((verdict(blocks) == std::pair{reject_reason::bad_genesis, std::size_t{0}}));
    BOOST_TEST((verdict({}).first == reject_reason::empty_chain));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- header chains (headers-first sync) -------------------------------------------------------

BOOST_AUTO_TEST_SUITE(header_chain_tests)

namespace {

std::vector<header_bytes> headers_of(const std::vector<block>& blocks, std::size_t first)
{
    std::vector<header_bytes> out;
    for (std::size_t i = first; i < blocks.size(); ++i)
        out.push_back(serialize_header(blocks[i], merkle_root(blocks[i].transactions)));
    return out;
}

chain_entry genesis_entry()
{
    return {genesis_block(), genesis_hash(), block_work(0)};
}

} // namespace

BOOST_AUTO_TEST_CASE(parse_header_reads_back_every_field)
{
    const auto blocks = make_blocks(1);
    const auto bytes = headers_of(blocks, 1).front();
    const auto h = parse_header(bytes);
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->fields.index == blocks[1].index);
    BOOST_TEST(h->fields.previous_hash == blocks[1].previous_hash);
    BOOST_TEST(h->fields.proof == blocks[1].proof);
    BOOST_TEST(h->fields.timestamp_ms == blocks[1].timestamp_ms);
    BOOST_TEST(h->fields.difficulty == blocks[1].difficulty);
    BOOST_TEST(h->merkle == merkle_root(blocks[1].transactions));
    BOOST_TEST(sha256(bytes) == block_hash(blocks[1]));
    auto other = bytes;
    other[0] = 2; // another header version
    BOOST_TEST(!parse_header(other).has_value());
}

BOOST_AUTO_TEST_CASE(a_header_chain_carries_the_same_work_as_its_blocks)
{
    const auto blocks = make_blocks(5);
    chain_rejection full_why;
    const auto full = validate_chain(blocks, {}, test_now(blocks), test_params(), full_why);
    BOOST_REQUIRE(full.has_value());
    std::vector<chain_entry> out;
    chain_rejection why;
    BOOST_REQUIRE(validate_headers(
        out,
        genesis_entry(),
        genesis_timing(genesis_block()),
        headers_of(blocks, 1),
        test_now(blocks),
        test_params(),
        why
    ));
    BOOST_REQUIRE(out.size() == 5u);
    for (std::size_t i = 0; i < out.size(); ++i) {
        BOOST_TEST(out[i].hash == full->entries[i + 1].hash);
        BOOST_TEST((out[i].cumulative_work == full->entries[i + 1].cumulative_work));
        BOOST_TEST(out[i].blk.transactions.empty());
    }
}

BOOST_AUTO_TEST_CASE(each_header_rule_is_checked_and_names_the_failing_height)
{
    const auto blocks = make_blocks(3);
    const auto now = test_now(blocks);
    const auto verdict = [&](std::vector<header_bytes> hs) {
        std::vector<chain_entry> out;
        chain_rejection why;
        const bool ok = validate_headers(
            out, genesis_entry(), genesis_timing(genesis_block()), hs, now, test_params(), why
        );
        return std::tuple{ok, why.result.reason, why.index, out.size()};
    };
    auto hs = headers_of(blocks, 1);
    // A nonce that no longer solves it: the proof of work fails at height 2, after one good header.
    auto bad_pow = hs;
    bad_pow[1][header_nonce_offset] ^= 0x5a;
    const auto [ok1, r1, at1, kept1] = verdict(bad_pow);
    BOOST_TEST(!ok1);
    BOOST_TEST((r1 == reject_reason::insufficient_work || r1 == reject_reason::bad_difficulty));
    BOOST_TEST(at1 == 2u);
    BOOST_TEST(kept1 == 1u);
    // Headers out of order: the link fails.
    auto swapped = hs;
    std::swap(swapped[0], swapped[1]);
    const auto [ok2, r2, at2, kept2] = verdict(swapped);
    BOOST_TEST(!ok2);
    BOOST_TEST((r2 == reject_reason::bad_index));
    BOOST_TEST(at2 == 1u);
    // A header from far in the future of the validating clock.
    const auto [ok3, r3, at3, kept3] = [&] {
        std::vector<chain_entry> out;
        chain_rejection why;
        const bool ok = validate_headers(
            out,
            genesis_entry(),
            genesis_timing(genesis_block()),
            hs,
            blocks[1].timestamp_ms - test_params().max_future_ms - 1,
            test_params(),
            why
        );
        return std::tuple{ok, why.result.reason, why.index, out.size()};
    }();
    BOOST_TEST(!ok3);
    BOOST_TEST((r3 == reject_reason::timestamp_too_far_in_future));
    BOOST_TEST(kept3 == 0u);
    (void)at3;
    // Another header version.
    auto versioned = hs;
    versioned[2][0] = 9;
    const auto [ok4, r4, at4, kept4] = verdict(versioned);
    BOOST_TEST(!ok4);
    BOOST_TEST((r4 == reject_reason::bad_header_version));
    BOOST_TEST(at4 == 3u);
    BOOST_TEST(kept4 == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
