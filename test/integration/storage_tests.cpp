// Durability against real processes: restarts, kill -9 under load, torn and corrupt logs, a full disk.
#include <beastchain/storage/log_format.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sys/resource.h>
#include <thread>

#include "helpers.hpp"

using namespace beastchain::test;
namespace bj = boost::json;

namespace {

std::vector<std::string> on_dir(const temp_data_dir& dir, std::vector<std::string> extra = {})
{
    extra.push_back("--data-dir");
    extra.push_back(dir.path);
    return quick_node(std::move(extra));
}

/// Posts transactions from `threads` connections until told to stop or the node dies; every
/// id that got a 201 is recorded.
class tx_load
{
public:
    tx_load(std::uint16_t port, int threads)
    {
        for (int t = 0; t < threads; ++t)
            workers_.emplace_back([this, port, t] {
                for (int i = 0; !stop_; ++i) {
                    try {
                        const auto r = http_post_json(
                            port, "/create-transaction", tx_json("load" + std::to_string(t), "sink", i + 1)
                        );
                        if (r.status != 201)
                            continue;
                        const std::lock_guard lock(m_);
                        acked_.emplace_back(r.json().at("transaction_id").as_string());
                    } catch (const std::exception&) {
                        return; // the node is gone
                    }
                }
            });
    }
    std::vector<std::string> finish()
    {
        stop_ = true;
        for (auto& w : workers_)
            w.join();
        return acked_;
    }

private:
    std::atomic<bool> stop_{false};
    std::mutex m_;
    std::vector<std::string> acked_;
    std::vector<std::thread> workers_;
};

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Rewrites the log's last block record in place so that the block no longer extends its parent.
/// Its checksums are recomputed: only replaying the log can tell.
void unlink_last_block(const std::filesystem::path& log)
{
    namespace st = beastchain::storage;
    const std::string image = read_file(log);
    const auto scan = st::scan_log(image);
    BOOST_TEST_REQUIRE((scan.tail == st::scan_result::tail_state::clean));
    const st::scanned_frame* last = nullptr;
    for (const auto& f : scan.frames)
        if (f.type == st::record_type::block_connected)
            last = &f;
    BOOST_TEST_REQUIRE(last != nullptr);
    auto r = st::decode_payload(last->type, last->payload);
    BOOST_TEST_REQUIRE(r.has_value());
    r->blocks.at(0).blk.previous_hash[0] ^= 0x01;
    const std::string bytes = st::frame(last->type, st::encode_payload(*r));
    BOOST_TEST_REQUIRE(bytes.size() == st::frame_header_size + last->payload.size());
    std::fstream out(log, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>(last->offset));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    BOOST_TEST_REQUIRE(out.good());
}

/// Mines until a block carries nothing but its reward, so every pending transaction is in the chain.
bj::array mine_until_empty(const node_process& n)
{
    for (int i = 0; i < 200; ++i)
        if (mine(n).at("transactions").as_array().size() == 1)
            return chain_of(n);
    BOOST_FAIL("pending transactions never drained");
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_tests)

BOOST_AUTO_TEST_CASE(restart_keeps_chain_pending_peers_and_address)
{
    temp_data_dir dir;
    std::string address, pending_id;
    bj::array chain_before;
    {
        node_process n(on_dir(dir));
        submit(n, "a", "b", 1);
        address = std::string(mine(n).at("transactions").as_array().back().at("recipient").as_string());
        pending_id = submit(n, "c", "d", 2);
        register_peer(n, "http://127.0.0.1:5999");
        chain_before = chain_of(n);
        BOOST_TEST(n.stop(SIGTERM) == 0);
        // A new data directory is not a damaged one: nothing to warn about.
        BOOST_TEST(n.log().find("torn") == std::string::npos, n.log());
    }
    node_process n(on_dir(dir));
    BOOST_TEST(chain_of(n) == chain_before);
    BOOST_TEST(n.log().find("torn") == std::string::npos, n.log());
    // The peer is still registered: registering it again leaves one.
    const auto reg = http_post_json(n.port(), "/register-node", R"({"address":"http://127.0.0.1:5999"})");
    BOOST_TEST(reg.json().at("node_count").as_int64() == 1);
    // The pending transaction and the reward address survived.
    const auto block = mine(n);
    const auto& txs = block.at("transactions").as_array();
    BOOST_REQUIRE(txs.size() == 2u);
    BOOST_TEST(txs[0].at("transaction_id").as_string() == pending_id);
    BOOST_TEST(txs[1].at("recipient").as_string() == address);
}

BOOST_AUTO_TEST_CASE(kill_9_under_concurrent_load_loses_no_acknowledged_transaction)
{
    temp_data_dir dir;
    std::vector<std::string> acked;
    {
        node_process n(on_dir(dir));
        tx_load load(n.port(), 8);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        n.stop(SIGKILL);
        acked = load.finish();
    }
    BOOST_TEST_MESSAGE("acknowledged before kill -9: " << acked.size());
    BOOST_REQUIRE(acked.size() > 50u);
    node_process n(on_dir(dir));
    expect_each_exactly_once(mine_until_empty(n), acked);
}

BOOST_AUTO_TEST_CASE(kill_9_while_mining_loses_no_block_or_transaction)
{
    temp_data_dir dir;
    std::vector<std::string> acked;
    std::vector<std::string> mined_hashes;
    {
        node_process n(on_dir(dir, {"--difficulty", "14"}));
        tx_load load(n.port(), 4);
        std::atomic<bool> stop{false};
        std::thread miner([&] {
            while (!stop) {
                try {
                    const auto r = http_get(n.port(), "/mine");
                    if (r.status == 200)
                        mined_hashes.emplace_back(r.json().at("block_data").at("hash").as_string());
                } catch (const std::exception&) {
                    return;
                }
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        n.stop(SIGKILL);
        stop = true;
        miner.join();
        acked = load.finish();
    }
    BOOST_TEST_MESSAGE(
        "acknowledged: " << acked.size() << " transactions, " << mined_hashes.size() << " blocks"
    );
    BOOST_REQUIRE(!mined_hashes.empty());
    node_process n(on_dir(dir, {"--difficulty", "14"}));
    const auto before = chain_of(n);
    for (const auto& h : mined_hashes)
        BOOST_TEST(
            std::any_of(
                before.begin(),
                before.end(),
                [&](const bj::value& b) { return b.at("hash").as_string() == h; }
            ),
            h
        );
    expect_each_exactly_once(mine_until_empty(n), acked);
}

BOOST_AUTO_TEST_CASE(kill_9_while_adopting_a_longer_chain)
{
    // A peer with a much longer chain; our node has its own acknowledged transactions.
    node_process peer(quick_node());
    for (int i = 0; i < 60; ++i) {
        submit(peer, "p", "q", i + 1);
        mine(peer);
    }
    std::mt19937 rng(7);
    for (int round = 0; round < 4; ++round) {
        temp_data_dir dir;
        std::vector<std::string> acked;
        std::size_t old_length = 0, peer_length = 0;
        {
            node_process n(on_dir(dir));
            acked.push_back(submit(n, "x", "y", 1));
            mine(n);
            acked.push_back(submit(n, "x", "y", 2));
            register_peer(n, peer.url());
            old_length = chain_of(n).size();
            // The peer grows between rounds: restarted nodes mine blocks that propagate to it.
            peer_length = chain_of(peer).size();
            std::thread syncer([&] {
                try {
                    http_get(n.port(), "/sync-chain");
                } catch (const std::exception&) {
                }
            });
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 30)(rng))
            );
            n.stop(SIGKILL);
            syncer.join();
        }
        node_process n(on_dir(dir));
        const auto chain = chain_of(n);
        BOOST_TEST((chain.size() == old_length || chain.size() == peer_length), "length " << chain.size());
        // The restarted node syncs with its stored peer by itself. Wait for that round (a
        // /sync-chain queues behind it), or it may switch chains after the pool looked drained
        // and leave the abandoned transactions pending while we read the chain.
        http_get(n.port(), "/sync-chain");
        expect_each_exactly_once(mine_until_empty(n), acked);
    }
}

BOOST_AUTO_TEST_CASE(a_chain_switch_bigger_than_a_record_is_stored_and_survives_a_restart)
{
    node_process peer(quick_node());
    for (int i = 0; i < 12; ++i) {
        submit(peer, "p", "q", i + 1);
        mine(peer);
    }
    temp_data_dir dir;
    // Each block record fits in 1 KiB; the switch to the peer's 12 blocks does not.
    const auto args = on_dir(dir, {"--storage-max-record-bytes", "1024"});
    bj::array switched;
    {
        node_process n(args);
        mine(n); // a fork of our own, so adopting the peer's chain is a switch
        register_peer(n, peer.url());
        http_get(n.port(), "/sync-chain");
        switched = chain_of(n);
        BOOST_TEST_REQUIRE(switched == chain_of(peer));
        BOOST_TEST(n.stop(SIGTERM) == 0);
    }
    node_process n(args);
    BOOST_TEST(chain_of(n) == switched);
}

BOOST_AUTO_TEST_CASE(torn_tail_is_truncated_with_a_warning)
{
    temp_data_dir dir;
    bj::array before;
    {
        node_process n(on_dir(dir));
        submit(n, "a", "b", 1);
        mine(n);
        before = chain_of(n);
        n.stop(SIGTERM);
    }
    const auto log = std::filesystem::path(dir.path) / "chain.log";
    const auto good = std::filesystem::file_size(log);
    std::ofstream(log, std::ios::app | std::ios::binary) << std::string("\x90\x01\x00\x00\x03\x42\x42", 7);
    node_process n(on_dir(dir, {"--log-level", "info"}));
    BOOST_TEST(chain_of(n) == before);
    const std::string logged = n.log();
    BOOST_TEST(
        logged.find("chain.log: torn record at offset " + std::to_string(good)) != std::string::npos, logged
    );
    BOOST_TEST(std::filesystem::file_size(log) == good);
}

BOOST_AUTO_TEST_CASE(flipped_byte_in_the_middle_stops_the_node)
{
    temp_data_dir dir;
    {
        node_process n(on_dir(dir));
        for (int i = 0; i < 5; ++i)
            submit(n, "a", "b", i + 1);
        mine(n);
        n.stop(SIGTERM);
    }
    const auto log = std::filesystem::path(dir.path) / "chain.log";
    std::string image = read_file(log);
    image[image.size() / 3] ^= 0x10;
    std::ofstream(log, std::ios::binary | std::ios::trunc) << image;

    const auto r = run_node_to_exit({"--data-dir", dir.path, "--log-level", "warning"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("chain.log is corrupt at offset") != std::string::npos, r.err);
    BOOST_TEST(read_file(log) == image); // never rewritten
}

BOOST_AUTO_TEST_CASE(a_log_from_an_earlier_version_stops_the_node_with_one_line_and_is_kept)
{
    temp_data_dir dir;
    {
        node_process n(on_dir(dir));
        submit(n, "a", "b", 1);
        mine(n);
        n.stop(SIGTERM);
    }
    // Format 1 framed records as format 2 does; its magic is what tells them apart.
    const auto log = std::filesystem::path(dir.path) / "chain.log";
    std::string image = read_file(log);
    image.replace(0, 8, "BCHNLOG1");
    std::ofstream(log, std::ios::binary | std::ios::trunc) << image;

    const auto r = run_node_to_exit({"--data-dir", dir.path}); // the default log level
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(
        r.err == "beastchain-node: " + log.string() +
                     " was written by an earlier beastchain (log format 1) that this version cannot read: "
                     "move the data directory away to start afresh; the node will sync the chain from its "
                     "peers\n"
    );
    BOOST_TEST(read_file(log) == image); // never truncated or rewritten
}

BOOST_AUTO_TEST_CASE(full_disk_refuses_writes_serves_reads_and_keeps_what_was_acknowledged)
{
    temp_data_dir dir;
    std::vector<std::string> acked;
    int refused = 0;
    {
        node_process::options small_disk;
        small_disk.file_size_limit = 24 * 1024;
        node_process n(on_dir(dir), small_disk);
        for (int i = 0; i < 600; ++i) {
            const auto r = http_post_json(n.port(), "/create-transaction", tx_json("a", "b", i + 1));
            if (r.status == 201)
                acked.emplace_back(r.json().at("transaction_id").as_string());
            else {
                BOOST_TEST_REQUIRE(r.status == 503u, r.body);
                BOOST_TEST(r.json().at("error").as_string() == "storage_unavailable");
                ++refused;
            }
        }
        BOOST_TEST(http_get(n.port(), "/chain").status == 200u); // reads still work
        BOOST_TEST(http_get(n.port(), "/mine").status == 503u);  // a block could not be stored
        BOOST_TEST(http_get(n.port(), "/chain").json().at("length").as_int64() == 1);
        n.stop(SIGTERM);
    }
    BOOST_TEST_MESSAGE("full disk: " << acked.size() << " acknowledged, " << refused << " refused");
    BOOST_REQUIRE(refused > 0);
    BOOST_REQUIRE(!acked.empty());
    node_process n(on_dir(dir, {"--max-block-transactions", "1000"}));
    const auto chain = mine_until_empty(n);
    expect_each_exactly_once(chain, acked);
    std::size_t total = 0;
    for (std::size_t i = 1; i < chain.size(); ++i) // genesis has no reward to discount
        total += chain[i].at("transactions").as_array().size() - 1;
    BOOST_TEST(total == acked.size()); // nothing that was refused slipped in
}

BOOST_AUTO_TEST_CASE(failed_recovery_refuses_writes_instead_of_acknowledging_them)
{
    temp_data_dir dir;
    {
        node_process n(on_dir(dir));
        for (int i = 0; i < 2; ++i) {
            submit(n, "a", "b", i + 1);
            mine(n);
        }
        BOOST_TEST(n.stop(SIGTERM) == 0);
    }
    const auto log = std::filesystem::path(dir.path) / "chain.log";
    node_process::options small_disk;
    small_disk.file_size_limit = std::filesystem::file_size(log) + 2048;
    node_process n(on_dir(dir), small_disk);
    // Damaged behind the running node's back: rebuilding its state from the log must now fail.
    unlink_last_block(log);
    // Fill the disk: the failed write makes the node rebuild its state from the log.
    unsigned status = 201;
    for (int i = 0; i < 200 && status == 201; ++i)
        status = http_post_json(n.port(), "/create-transaction", tx_json("c", "d", i + 1)).status;
    BOOST_TEST_REQUIRE(status == 503u);
    BOOST_TEST_REQUIRE(wait_until([&] { return n.log().find("storage recovery failed") != std::string::npos; }
    ));
    // Room on the disk again: a node whose recovery failed must still refuse rather than
    // acknowledge what it does not write.
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    BOOST_TEST_REQUIRE(::prlimit(n.pid(), RLIMIT_FSIZE, &unlimited, nullptr) == 0);
    const std::string before = read_file(log);
    const auto r = http_post_json(n.port(), "/create-transaction", tx_json("e", "f", 7));
    BOOST_TEST(r.status == 503u, r.body);
    BOOST_TEST(http_get(n.port(), "/mine").status == 503u);
    BOOST_TEST(http_get(n.port(), "/health").status == 503u);
    BOOST_TEST(read_file(log) == before); // nothing written, nothing acknowledged
}

BOOST_AUTO_TEST_CASE(second_node_on_the_same_directory_is_refused)
{
    temp_data_dir dir;
    node_process first(on_dir(dir));
    const auto r = run_node_to_exit({"--data-dir", dir.path});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("is in use by another beastchain-node") != std::string::npos, r.err);
    BOOST_TEST(http_get(first.port(), "/chain").status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
