// Command-line parsing: defaults, the tutorial's short flags, and errors that exit 2.
#include <beastchain/node/config.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <unistd.h>
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
    // Miners leave one core to the I/O threads (a 1-core machine still mines).
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (std::getenv("BEASTCHAIN_MINER_THREADS") == nullptr)
        BOOST_TEST(r.cfg->miner_threads == std::max(1u, cores - 1));
    // Every core serves requests unless told otherwise (CI's TSan stage sets the variable to
    // run the whole suite with more I/O threads than cores).
    if (std::getenv("BEASTCHAIN_IO_THREADS") == nullptr)
        BOOST_TEST(r.cfg->io_threads == cores);
}

BOOST_AUTO_TEST_CASE(each_port_gets_its_own_default_data_directory)
{
    // The tutorial starts its second node from the same folder with only -p 5001.
    const auto first = parse({});
    const auto second = parse({"-p", "5001"});
    BOOST_REQUIRE(first.cfg && second.cfg);
    BOOST_TEST(first.cfg->data_dir == "./beastchain-data"); // where earlier versions kept it
    BOOST_TEST(second.cfg->data_dir == "./beastchain-data-5001");
    BOOST_TEST(first.cfg->data_dir_defaulted);
    const auto given = parse({"-p", "5001", "--data-dir", "/var/lib/beastchain"});
    BOOST_REQUIRE(given.cfg);
    BOOST_TEST(given.cfg->data_dir == "/var/lib/beastchain");
    BOOST_TEST(!given.cfg->data_dir_defaulted);
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
         "--io-threads",
         "5",
         "--min-difficulty",
         "10"}
    );
    BOOST_REQUIRE(r.cfg.has_value());
    BOOST_TEST(r.cfg->host == "0.0.0.0");
    BOOST_TEST(r.cfg->port == 5001);
    BOOST_TEST(r.cfg->difficulty == 12u);
    BOOST_TEST(r.cfg->miner_threads == 3u);
    BOOST_TEST(r.cfg->io_threads == 5u);
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
             {"--io-threads", "0"},
             {"--io-threads", "257"},
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

namespace {

/// A config file and environment variables for one test; both are removed afterwards.
struct config_env
{
    std::string path = "/tmp/beastchain-config-test-" + std::to_string(::getpid()) + ".conf";
    std::vector<std::string> vars;
    explicit config_env(const std::string& text) { std::ofstream(path) << text; }
    void set(const std::string& name, const std::string& value)
    {
        ::setenv(name.c_str(), value.c_str(), 1);
        vars.push_back(name);
    }
    ~config_env()
    {
        for (const auto& v : vars)
            ::unsetenv(v.c_str());
        std::remove(path.c_str());
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(command_line_beats_environment_beats_file)
{
    config_env env("port = 6000\ndifficulty = 14\nmax-peers = 9\nlog-level = warning\nin-memory = true\n");
    env.set("BEASTCHAIN_DIFFICULTY", "15");
    env.set("BEASTCHAIN_MAX_PEERS", "10");
    const auto r = parse({"--config", env.path.c_str(), "--max-peers", "11"});
    BOOST_REQUIRE_MESSAGE(r.cfg.has_value(), r.message);
    BOOST_TEST(r.cfg->port == 6000);      // file only
    BOOST_TEST(r.cfg->difficulty == 15u); // environment over file
    BOOST_TEST(r.cfg->max_peers == 11u);  // command line over both
    BOOST_TEST((r.cfg->log_level == beastchain::log::level::warning));
    BOOST_TEST(r.cfg->in_memory);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key_and_exit_2)
{
    {
        config_env env("port = 6000\nbogus-key = 1\n");
        const auto r = parse({"--config", env.path.c_str()});
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(r.message.find("bogus-key") != std::string::npos, r.message);
        BOOST_TEST(r.message.find(env.path) != std::string::npos, r.message);
    }
    {
        config_env env("difficulty = lots\n");
        const auto r = parse({"--config", env.path.c_str()});
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(r.message.find("difficulty") != std::string::npos, r.message);
    }
    {
        config_env env("");
        env.set("BEASTCHAIN_NO_SUCH_THING", "1");
        const auto r = parse({});
        BOOST_TEST(r.exit_code == 2);
        BOOST_TEST(r.message.find("BEASTCHAIN_NO_SUCH_THING") != std::string::npos, r.message);
    }
    const auto missing = parse({"--config", "/nonexistent/node.conf"});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(missing.message.find("/nonexistent/node.conf") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(print_config_round_trips_through_a_config_file)
{
    const auto printed = parse(
        {"--print-config",
         "-p",
         "6123",
         "--difficulty",
         "13",
         "--in-memory",
         "--peer",
         "http://a.example:5000",
         "--peer",
         "HTTP://B.example:5001/",
         "--advertise-url",
         "http://me.example:6123",
         "--sync-interval",
         "5",
         "--peer-download-timeout-ms",
         "4500"}
    );
    BOOST_TEST(printed.exit_code == 0);
    BOOST_TEST(printed.message.find("port = 6123") != std::string::npos, printed.message);
    config_env env(printed.message);
    const auto back = parse({"--config", env.path.c_str()});
    BOOST_REQUIRE_MESSAGE(back.cfg.has_value(), back.message);
    BOOST_TEST(back.cfg->port == 6123);
    BOOST_TEST(back.cfg->difficulty == 13u);
    BOOST_TEST(back.cfg->in_memory);
    BOOST_TEST(
        back.cfg->bootstrap_peers ==
        (std::vector<std::string>{"http://a.example:5000", "http://b.example:5001"})
    );
    BOOST_TEST(back.cfg->advertise_url == "http://me.example:6123");
    BOOST_TEST(back.cfg->sync_interval_seconds == 5u);
    BOOST_TEST(back.cfg->peer_download_timeout.count() == 4500);
    BOOST_TEST(to_config_file(*back.cfg) == printed.message);
}

BOOST_AUTO_TEST_CASE(peer_flags_are_validated)
{
    for (std::vector<const char*> bad :
         {std::vector<const char*>{"--peer", "ftp://a.example"},
          {"--peer", "http://a.example/path"},
          {"--advertise-url", "a.example:5000"},
          {"--sync-interval", "-1"},
          {"--ban-seconds", "99999999"},
          {"--relay-queue", "0"},
          {"--peer-download-timeout-ms", "5"}}) {
        const auto r = parse(bad);
        BOOST_TEST(r.exit_code == 2, bad[0] << " " << bad[1]);
        BOOST_TEST(r.message.find(std::string(bad[0]).substr(2)) != std::string::npos, r.message);
    }
    const auto none = parse({"--advertise-url", "none"});
    BOOST_REQUIRE(none.cfg.has_value());
    BOOST_TEST(none.cfg->advertise_url == "none");
}

BOOST_AUTO_TEST_SUITE_END()
