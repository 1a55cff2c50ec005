// Chain specs on real nodes: --chain FILE, the genesis that names a network, and what a node
// does with a peer or a data directory of another network.
#include <filesystem>
#include <fstream>

#include "helpers.hpp"

namespace bj = boost::json;
using namespace beastchain::test;

namespace {

/// A path for `name` inside `dir`, whose directory is created (a node creates its own).
std::string file_in(const temp_data_dir& dir, const std::string& name)
{
    std::filesystem::create_directories(dir.path);
    return dir.path + "/" + name;
}

/// A spec file for a small test network: its own name and reward, minimum difficulty 12.
struct spec_file
{
    temp_data_dir dir;
    std::string path = file_in(dir, "spec.json");
    explicit spec_file(const std::string& name, unsigned reward = 5)
    {
        std::ofstream(path) << R"({"name": ")" << name << R"(", "transactions": "open", "block_reward": )"
                            << reward << R"(, "difficulty": {"rule": "minimum", "min_difficulty": 12},
                                  "limits": {"max_block_transactions": 100, "max_future_seconds": 7200}})";
    }
};

/// What `--print-chain-spec` says about a chain.
bj::object printed_spec(const std::vector<std::string>& args)
{
    std::vector<std::string> all = args;
    all.push_back("--print-chain-spec");
    const auto r = run_node_to_exit(all);
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
    return bj::parse(r.out).as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(chain_spec_tests)

BOOST_AUTO_TEST_CASE(a_node_on_a_spec_file_runs_that_chain_and_names_it)
{
    spec_file spec("testnet");
    const auto printed = printed_spec({"--chain", spec.path});
    BOOST_TEST(printed.at("name").as_string() == "testnet");
    BOOST_TEST(printed.at("block_reward").to_number<int>() == 5);

    // No --difficulty: a node mines at its chain's minimum.
    node_process node({"--chain", spec.path, "--miner-threads", "1", "--log-level", "warning"});
    const auto st = status_of(node);
    BOOST_TEST(st.at("chain").as_string() == "testnet");
    BOOST_TEST(st.at("difficulty").to_number<int>() == 12);
    BOOST_TEST(st.at("genesis_hash") == printed.at("genesis_hash"));

    // The genesis commits to the spec: its previous hash is the spec's id.
    auto chain = chain_of(node);
    BOOST_TEST(chain.at(0).at("hash") == printed.at("genesis_hash"));
    BOOST_TEST(chain.at(0).at("previous_hash") == printed.at("id"));

    // The spec's reward is what a block pays.
    const auto block = mine(node);
    const auto& reward = block.at("transactions").as_array().back();
    BOOST_TEST(reward.at("amount").to_number<int>() == 5);
    chain = chain_of(node);
    BOOST_TEST(chain.at(1).at("previous_hash") == printed.at("genesis_hash"));

    // Printed specs are accepted back as they are, and give the same network.
    temp_data_dir copy;
    std::ofstream(file_in(copy, "again.json"))
        << run_node_to_exit({"--chain", spec.path, "--print-chain-spec"}).out;
    BOOST_TEST(printed_spec({"--chain", copy.path + "/again.json"}) == printed);
}

BOOST_AUTO_TEST_CASE(the_tutorial_chain_keeps_the_tutorials_genesis_whatever_its_node_settings)
{
    const auto plain = printed_spec({});
    const auto tuned = printed_spec({"--difficulty", "14", "--max-block-transactions", "50"});
    BOOST_TEST(plain.at("name").as_string() == "tutorial");
    BOOST_TEST(tuned.at("difficulty").at("min_difficulty").to_number<int>() == 14);
    BOOST_TEST(tuned.at("genesis_hash") == plain.at("genesis_hash"));
    // Any other name is another network, even with the same rules.
    spec_file other("tutorial-2", 1);
    BOOST_TEST(printed_spec({"--chain", other.path}).at("genesis_hash") != plain.at("genesis_hash"));
    node_process node(quick_node());
    BOOST_TEST(status_of(node).at("genesis_hash") == plain.at("genesis_hash"));
    BOOST_TEST(status_of(node).at("chain").as_string() == "tutorial");
}

BOOST_AUTO_TEST_CASE(bad_specs_are_refused_at_start_naming_the_problem)
{
    temp_data_dir dir;
    const auto refused = [&](const std::string& text, const std::string& expected) {
        std::ofstream(file_in(dir, "s.json")) << text;
        const auto r = run_node_to_exit({"--chain", dir.path + "/s.json"});
        BOOST_TEST(r.exit_code == 2, text);
        BOOST_TEST(has(r.err, expected), r.err);
    };
    const std::string tail =
        R"("difficulty": {"rule": "minimum", "min_difficulty": 12}, "limits": {"max_block_transactions": 100, "max_future_seconds": 60}})";
    refused(
        R"({"name": "n", "transactions": "open", "block_reward": 1, "extra": 1, )" + tail,
        "extra is not a chain spec field"
    );
    refused(
        R"({"name": "n", "transactions": "closed", "block_reward": 1, )" + tail,
        "must be \"open\" or \"signed\""
    );
    refused(R"({"name": "N!", "transactions": "open", "block_reward": 1, )" + tail, "name must be");
    refused(
        R"({"name": "tutorial", "transactions": "open", "block_reward": 7, )" + tail,
        "names the built-in tutorial chain"
    );
    refused(R"({"name": "n", "transactions": "open", "block_reward": 0, )" + tail, "block_reward must be");
    refused(
        R"({"name": "n", "transactions": "open", "block_reward": 1, "difficulty": {"rule": "minimum", "min_difficulty": 12, "max": 3}, "limits": {}})",
        "difficulty.max is not a chain spec field"
    );
    refused("not json", "--chain");
    const auto missing = run_node_to_exit({"--chain", "no-such-chain"});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(has(missing.err, "no built-in chain has that name (tutorial, signed)"), missing.err);
    spec_file spec("testnet");
    const auto low = run_node_to_exit({"--chain", spec.path, "--difficulty", "8"});
    BOOST_TEST(low.exit_code == 2);
    BOOST_TEST(has(low.err, "below the chain's minimum of 12"), low.err);
}

BOOST_AUTO_TEST_CASE(a_peer_on_another_chain_is_refused_as_another_network_not_banned)
{
    spec_file spec("testnet");
    node_process ours(quick_node({"--sync-interval", "0", "--advertise-url", "none"}));
    node_process theirs(
        {"--chain", spec.path, "--miner-threads", "1", "--log-level", "warning", "--advertise-url", "none"}
    );
    // More work than ours, so without the network check sync would fetch and judge their blocks.
    for (int i = 0; i < 3; ++i)
        mine(theirs);
    register_peer(ours, theirs.url());
    const auto synced = http_get(ours.port(), "/sync-chain");
    BOOST_TEST(synced.status == 200u, synced.body);
    BOOST_TEST(has(bj::serialize(synced.json().at("peers_failed")), "is on another network"), synced.body);
    BOOST_TEST(chain_of(ours).size() == 1u);
    const auto entry = peer_entry(ours, theirs.url());
    BOOST_TEST(entry.at("state").as_string() == "backoff", entry); // a failure, never a ban

    // Announcing itself gets it no slot either: the probe of its /status sees the other genesis.
    node_process third(quick_node({"--sync-interval", "0"}));
    const auto announced =
        http_post_json(third.port(), "/announce", bj::serialize(bj::object{{"address", theirs.url()}}));
    BOOST_TEST(announced.status == 409u, announced.body);
    BOOST_TEST(has(announced.body, "\"other_network\""), announced.body);
    BOOST_TEST(peer_entry(third, theirs.url()).empty());
}

BOOST_AUTO_TEST_CASE(a_data_directory_keeps_the_chain_it_was_created_with)
{
    spec_file spec("testnet");
    temp_data_dir data;
    {
        node_process node({"--chain", spec.path, "--data-dir", data.path, "--miner-threads", "1"});
        mine(node);
    }
    const auto wrong = run_node_to_exit({"--data-dir", data.path, "--difficulty", "12"});
    BOOST_TEST(wrong.exit_code != 0);
    BOOST_TEST(has(wrong.err, "holds the chain"), wrong.err);
    BOOST_TEST(has(wrong.err, "testnet"), wrong.err);
    BOOST_TEST(has(wrong.err, "start it with the --chain the directory was created with"), wrong.err);
    // Refused, not damaged: the right chain still loads it.
    node_process again({"--chain", spec.path, "--data-dir", data.path, "--miner-threads", "1"});
    BOOST_TEST(status_of(again).at("height").to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(a_signed_node_refused_a_directory_leaves_no_key_in_it)
{
    // A signed node keeps its mining key in its data directory; one that is refused the
    // directory (another chain's) must not leave a key there that no node of it would use.
    temp_data_dir data;
    {
        node_process tutorial({"--difficulty", "1", "--data-dir", data.path});
        mine(tutorial);
    }
    const auto wrong = run_node_to_exit({"--chain", "signed", "--data-dir", data.path});
    BOOST_TEST(wrong.exit_code != 0);
    BOOST_TEST(has(wrong.err, "start it with the --chain the directory was created with"), wrong.err);
    BOOST_TEST(!std::filesystem::exists(data.path + "/node-key.json"));
}

BOOST_AUTO_TEST_CASE(a_data_directory_from_before_chain_specs_is_the_tutorials)
{
    // beastchain-gen-chain writes blocks and no chain record, as nodes before chain specs did.
    temp_data_dir data;
    write_chain(data, 3);
    spec_file spec("testnet");
    const auto wrong =
        run_node_to_exit({"--chain", spec.path, "--data-dir", data.path, "--difficulty", "12"});
    BOOST_TEST(wrong.exit_code != 0);
    BOOST_TEST(has(wrong.err, "holds blocks of another chain"), wrong.err);
    {
        node_process tutorial({"--difficulty", "1", "--data-dir", data.path});
        BOOST_TEST(status_of(tutorial).at("height").to_number<int>() == 3);
    }
    // The tutorial node recorded its chain: now the directory names it.
    const auto named =
        run_node_to_exit({"--chain", spec.path, "--data-dir", data.path, "--difficulty", "12"});
    BOOST_TEST(has(named.err, "holds the chain"), named.err);
}

BOOST_AUTO_TEST_SUITE_END()
