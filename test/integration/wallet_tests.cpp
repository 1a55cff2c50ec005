// beastchain-wallet as a user runs it: key files that stay private, and a node asked about transactions.
#include <beastchain/core/address.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "helpers.hpp"

namespace fs = std::filesystem;
using namespace beastchain::test;

BOOST_AUTO_TEST_SUITE(wallet_tests)

BOOST_AUTO_TEST_CASE(new_makes_an_owner_only_key_and_never_overwrites_one)
{
    temp_data_dir dir;
    const std::string file = dir.path + "/keys/wallet.json"; // the directory does not exist yet
    const auto made = wallet({"--wallet", file, "new"});
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    const std::string address = trimmed(made.out);
    BOOST_TEST(beastchain::core::public_key_from_address(address).has_value(), address);

    struct stat st
    {};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST_REQUIRE(::stat((dir.path + "/keys").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);

    const auto shown = wallet({"--wallet", file, "address"});
    BOOST_TEST(shown.exit_code == 0, shown.err);
    BOOST_TEST(trimmed(shown.out) == address);

    // A second `new` leaves the first key alone.
    std::ifstream in(file);
    const std::string before((std::istreambuf_iterator<char>(in)), {});
    const auto again = wallet({"--wallet", file, "new"});
    BOOST_TEST(again.exit_code == 1);
    BOOST_TEST(has(again.err, "already exists"), again.err);
    std::ifstream in2(file);
    BOOST_TEST(std::string((std::istreambuf_iterator<char>(in2)), {}) == before);
    BOOST_TEST(trimmed(wallet({"--wallet", file, "address"}).out) == address);
}

BOOST_AUTO_TEST_CASE(a_key_file_others_can_read_or_write_is_refused)
{
    temp_data_dir dir;
    const std::string file = dir.path + "/wallet.json";
    BOOST_TEST_REQUIRE(wallet({"--wallet", file, "new"}).exit_code == 0);
    for (const auto mode : {0640, 0604, 0620, 0660, 0644}) {
        fs::permissions(file, static_cast<fs::perms>(mode));
        const auto r = wallet({"--wallet", file, "address"});
        BOOST_TEST(r.exit_code == 1, mode);
        BOOST_TEST(has(r.err, "are too open"), r.err);
        BOOST_TEST(r.out.empty(), r.out); // nothing from the key is printed
    }
    fs::permissions(file, static_cast<fs::perms>(0400)); // owner read-only is fine
    BOOST_TEST(wallet({"--wallet", file, "address"}).exit_code == 0);

    // Not a key file at all, and no file.
    const std::string junk = dir.path + "/junk.json";
    std::ofstream(junk) << R"({"format": "beastchain-wallet-1", "secret_key": "00"})";
    fs::permissions(junk, static_cast<fs::perms>(0600));
    const auto bad = wallet({"--wallet", junk, "address"});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(has(bad.err, "holds no valid secret key"), bad.err);
    const auto none = wallet({"--wallet", dir.path + "/none.json", "address"});
    BOOST_TEST(none.exit_code == 1);
    BOOST_TEST(has(none.err, "beastchain-wallet new"), none.err);
}

BOOST_AUTO_TEST_CASE(tx_follows_a_transaction_on_a_real_node)
{
    node_process node(quick_node());
    const std::string id = submit(node, "addr1", "addr2", 7);
    const auto pending = wallet({"--node", node.url(), "tx", id});
    BOOST_TEST(pending.exit_code == 0, pending.err);
    BOOST_TEST(has(pending.out, R"("status":"pending")"), pending.out);
    mine(node);
    const auto confirmed = wallet({"--node", node.url(), "tx", id});
    BOOST_TEST(confirmed.exit_code == 0, confirmed.err);
    BOOST_TEST(has(confirmed.out, R"("status":"confirmed")"), confirmed.out);
    BOOST_TEST(has(confirmed.out, R"("block_index":1)"), confirmed.out);

    const auto unknown = wallet({"--node", node.url(), "tx", std::string(64, 'b')});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(has(unknown.out, R"("status":"unknown")"), unknown.out);
    const auto malformed = wallet({"--node", node.url(), "tx", "nope"});
    BOOST_TEST(malformed.exit_code == 2);
    BOOST_TEST(has(malformed.err, "is not a transaction id"), malformed.err);
    // A node that is not there: a reason, not a hang.
    const auto gone = wallet({"--node", "http://127.0.0.1:1", "tx", id});
    BOOST_TEST(gone.exit_code == 1);
    BOOST_TEST(has(gone.err, "cannot ask http://127.0.0.1:1"), gone.err);
}

BOOST_AUTO_TEST_CASE(odd_paths_and_environments_get_a_reason_not_a_hang)
{
    temp_data_dir dir;
    fs::create_directories(dir.path);
    // A FIFO where the key should be: refused at once, not read forever.
    const std::string fifo = dir.path + "/fifo.json";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const auto r = wallet({"--wallet", fifo, "address"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "is not a regular file"), r.err);
    // `new` never replaces what is there, a FIFO included.
    BOOST_TEST(wallet({"--wallet", fifo, "new"}).exit_code == 1);
    // `tx` needs no key, so no HOME either.
    const auto no_home = run_program(
        "/usr/bin/env",
        {"-u", "HOME", BEASTCHAIN_WALLET_BINARY, "--node", "http://127.0.0.1:1", "tx", std::string(64, 'c')}
    );
    BOOST_TEST(no_home.exit_code == 1);
    BOOST_TEST(has(no_home.err, "cannot ask"), no_home.err); // it got as far as the node
    // Without HOME and --wallet, the key commands say what to do.
    const auto lost = run_program("/usr/bin/env", {"-u", "HOME", BEASTCHAIN_WALLET_BINARY, "address"});
    BOOST_TEST(lost.exit_code == 1);
    BOOST_TEST(has(lost.err, "--wallet FILE"), lost.err);
    // No temporary file is left beside a created key.
    const std::string file = dir.path + "/w.json";
    BOOST_TEST_REQUIRE(wallet({"--wallet", file, "new"}).exit_code == 0);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path))
        ++entries;
    BOOST_TEST(entries == 2); // the FIFO and the key
}

BOOST_AUTO_TEST_SUITE_END()
