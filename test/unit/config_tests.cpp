// Command-line parsing: defaults, the tutorial's short flags, and errors that exit 2.
#include <beastchain/node/config.hpp>

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace beastchain::node;

namespace {

parse_outcome parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "beastchain-node");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_tests)

BOOST_AUTO_TEST_CASE(defaults_match_the_tutorial)
{
    const auto r = parse({});
    BOOST_REQUIRE(r.cfg.has_value());
    BOOST_TEST(r.cfg->host == "127.0.0.1");
    BOOST_TEST(r.cfg->port == 5000);
    BOOST_TEST(r.cfg->consensus.min_difficulty == r.cfg->difficulty);
    BOOST_TEST(r.cfg->miner_threads >= 1u);
}

BOOST_AUTO_TEST_CASE(short_and_long_flags)
{
    const auto r = parse(
        {"-H",
         "0.0.0.0",
         "-p",
         "5001",
         "--difficulty",
         "12",
         "--miner-threads",
         "3",
         "--min-difficulty",
         "10"}
    );
    BOOST_REQUIRE(r.cfg.has_value());
    BOOST_TEST(r.cfg->host == "0.0.0.0");
    BOOST_TEST(r.cfg->port == 5001);
    BOOST_TEST(r.cfg->difficulty == 12u);
    BOOST_TEST(r.cfg->miner_threads == 3u);
    BOOST_TEST(r.cfg->consensus.min_difficulty == 10u);
}

BOOST_AUTO_TEST_CASE(bad_values_exit_2_with_one_line)
{
    for (auto args : std::vector<std::vector<const char*>>{
             {"--port", "70000"},
             {"--difficulty", "0"},
             {"--difficulty", "65"},
             {"--bogus"},
             {"-p", "abc"},
             {"--miner-threads", "0"},
             {"--min-difficulty", "30", "--difficulty", "20"},
             {"--log-level", "loud"}}) {
        const auto r = parse(args);
        BOOST_TEST(!r.cfg.has_value());
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(r.message.find('\n') == r.message.size() - 1, "message: " << r.message);
    }
}

BOOST_AUTO_TEST_CASE(help_and_version_exit_0)
{
    const auto h = parse({"--help"});
    BOOST_TEST(h.exit_code == 0);
    BOOST_TEST(h.message.find("--difficulty") != std::string::npos);
    const auto v = parse({"--version"});
    BOOST_TEST(v.exit_code == 0);
    BOOST_TEST(v.message.find(std::string(version)) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
