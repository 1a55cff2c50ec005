// Chain specs: the built-in, the genesis each spec commits to, the strict file reader, and
// --chain's resolution of node settings against a spec.
#include <beastchain/core/chain_spec.hpp>
#include <beastchain/json/chain_spec.hpp>
#include <beastchain/node/chain_choice.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>

#include "chain_fixture.hpp"

using namespace beastchain;
using namespace beastchain::test;

namespace {

core::chain_spec testnet()
{
    core::chain_spec s;
    s.name = "testnet";
    s.block_reward = 5;
    s.min_difficulty = 8;
    return s;
}

/// Overrides as --difficulty, --min-difficulty and --max-block-transactions give them.
node::chain_overrides given(
    std::optional<std::uint32_t> difficulty,
    std::optional<std::uint32_t> min_difficulty = std::nullopt,
    std::optional<std::uint32_t> max_block_transactions = std::nullopt
)
{
    return {difficulty, min_difficulty, max_block_transactions};
}

core::hash256 genesis_of(const core::chain_spec& s)
{
    return core::chain(core::consensus_of(s)).entries().front().hash;
}

} // namespace

BOOST_AUTO_TEST_SUITE(chain_spec_tests)

BOOST_AUTO_TEST_CASE(the_tutorial_chain_keeps_the_tutorials_genesis)
{
    const auto tutorial = core::builtin_spec("tutorial");
    BOOST_TEST_REQUIRE(tutorial.has_value());
    BOOST_TEST(core::check_spec(*tutorial).ok());
    BOOST_TEST(genesis_of(*tutorial) == core::genesis_hash());
    // Its node settings do not move its genesis (they were node settings before specs)...
    auto tuned = *tutorial;
    tuned.min_difficulty = 12;
    tuned.max_block_transactions = 50;
    BOOST_TEST(genesis_of(tuned) == core::genesis_hash());
    BOOST_TEST(core::spec_id(tuned) != core::spec_id(*tutorial));
    // ...but it may not change what its genesis cannot tell apart.
    auto richer = *tutorial;
    richer.block_reward = 2;
    BOOST_TEST((core::check_spec(richer).reason == core::reject_reason::bad_chain_spec));
    auto laxer = *tutorial;
    laxer.max_future_seconds = 60;
    BOOST_TEST((core::check_spec(laxer).reason == core::reject_reason::bad_chain_spec));
}

BOOST_AUTO_TEST_CASE(every_other_spec_is_its_own_network)
{
    const auto a = testnet();
    auto b = a;
    b.max_future_seconds = 60;
    BOOST_TEST(core::check_spec(a).ok());
    BOOST_TEST(core::spec_id(a) != core::spec_id(b));
    BOOST_TEST(genesis_of(a) != genesis_of(b));
    BOOST_TEST(genesis_of(a) != core::genesis_hash());
    const core::chain c(core::consensus_of(a));
    BOOST_TEST(c.entries().front().blk.previous_hash == core::spec_id(a));
}

BOOST_AUTO_TEST_CASE(the_spec_sets_the_reward)
{
    auto params = test_params();
    params.block_reward = 5;
    const auto blocks = make_blocks(2); // rewards of the default 1
    const auto r = core::check_block_contents(blocks[1], params);
    BOOST_TEST((r.reason == core::reject_reason::bad_reward));
    BOOST_TEST(r.detail.find("exactly 5") != std::string::npos, r.detail);
    BOOST_TEST(core::check_block_contents(blocks[1], test_params()).ok());
}

BOOST_AUTO_TEST_CASE(printed_specs_read_back_identical)
{
    auto fast = *core::builtin_spec("signed");
    fast.name = "fast";
    fast.target_block_ms = 500;
    fast.half_life_ms = 12'345;
    fast.max_future_seconds = 12;
    for (const auto& s : {*core::builtin_spec("tutorial"), testnet(), *core::builtin_spec("signed"), fast}) {
        auto back = json::decode_chain_spec(json::chain_spec_to_json(s));
        BOOST_TEST_REQUIRE(
            back.ok(), (back.ok() ? std::string() : back.error().field + " " + back.error().detail)
        );
        BOOST_TEST((back.value() == s));
    }
}

BOOST_AUTO_TEST_CASE(the_reader_refuses_what_could_silently_change_consensus)
{
    const std::string good = json::chain_spec_to_json(testnet());
    const auto refused = [](const std::string& text, const std::string& field) {
        auto r = json::decode_chain_spec(text);
        BOOST_TEST_REQUIRE(!r.ok(), text);
        BOOST_TEST(r.error().field == field, text << " -> " << r.error().field << " " << r.error().detail);
    };
    const auto edit = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const auto at = s.find(from);
        BOOST_TEST_REQUIRE(at != std::string::npos, from);
        return s.replace(at, from.size(), to);
    };
    refused(edit("\"name\"", "\"nmae\""), "nmae");
    refused(edit("\"rule\": \"minimum\"", "\"rule\": \"fastest\""), "difficulty.rule");
    // The asert rule has its own parameters: the minimum rule's do not carry over.
    refused(edit("\"rule\": \"minimum\"", "\"rule\": \"asert\""), "difficulty.min_difficulty");
    refused(
        edit("\"block_reward\"", "\"target_block_seconds\": 1, \"block_reward\""), "target_block_seconds"
    );
    refused(edit("\"max_future_seconds\"", "\"max_future_secs\""), "limits.max_future_secs");
    refused(edit("\"block_reward\": 5", "\"block_reward\": 6"), "id"); // edited after printing
    refused(edit("\"block_reward\": 5", "\"block_reward\": 5.5"), "block_reward");
    refused(edit("\"min_difficulty\": 8", "\"min_difficulty\": 65"), "difficulty.min_difficulty");
    refused(
        edit("\"max_block_transactions\": 1000", "\"max_block_transactions\": 1"),
        "limits.max_block_transactions"
    );
    refused(edit("\"transactions\": \"open\"", "\"transactions\": \"closed\""), "transactions");
    refused(edit("\"name\": \"testnet\"", "\"name\": \"Test Net\""), "spec");
    refused(good + "{", "body");
    refused("[]", "body");
}

BOOST_AUTO_TEST_CASE(node_settings_shape_the_spec_as_documented)
{
    // The tutorial: the minimum follows --difficulty, as before specs.
    auto t = node::choose_chain("tutorial", given(12));
    BOOST_TEST(t.spec.min_difficulty == 12u);
    BOOST_TEST(t.difficulty == 12u);
    t = node::choose_chain("tutorial", given(15, 12));
    BOOST_TEST(t.spec.min_difficulty == 12u);
    BOOST_TEST(t.difficulty == 15u);
    BOOST_TEST(node::choose_chain("tutorial", {}).difficulty == 20u);

    // A spec file: nodes mine at its minimum unless told otherwise, never below it.
    temp_dir dir;
    std::filesystem::create_directories(dir.path);
    const std::string file = (dir.path / "testnet.json").string();
    std::ofstream(file) << json::chain_spec_to_json(testnet());
    auto f = node::choose_chain(file, {});
    BOOST_TEST((f.spec == testnet()));
    BOOST_TEST(f.difficulty == 8u);
    BOOST_TEST(node::choose_chain(file, given(10)).difficulty == 10u);
    BOOST_CHECK_THROW(node::choose_chain(file, given(7)), std::runtime_error);
    // Its rules come from the file: a setting may repeat them, never change them.
    BOOST_TEST((node::choose_chain(file, given(std::nullopt, 8, 1000)).spec == testnet()));
    BOOST_CHECK_THROW(node::choose_chain(file, given(std::nullopt, std::nullopt, 10)), std::runtime_error);
    BOOST_CHECK_THROW(node::choose_chain(file, given(std::nullopt, 9)), std::runtime_error);
    BOOST_CHECK_THROW(node::choose_chain((dir.path / "missing.json").string(), {}), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
