// Storage: record encoding, torn-tail versus corruption in the frame scan, and the store's lock and recovery.
#include <beastchain/core/ledger.hpp>
#include <beastchain/storage/assemble.hpp>
#include <beastchain/storage/log_format.hpp>
#include <beastchain/storage/store.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <future>
#include <unistd.h>

#include "chain_fixture.hpp"

using namespace beastchain;
using namespace beastchain::storage;
using namespace beastchain::test;

namespace {

std::vector<record> sample_records()
{
    const auto blocks = make_blocks(3);
    std::vector<record> out;
    record id;
    id.type = record_type::node_identity;
    id.text = core::make_uuid_hex();
    out.push_back(id);
    record tx;
    tx.type = record_type::transaction_accepted;
    tx.tx = make_tx("alice", "bob", 42);
    out.push_back(tx);
    record blk;
    blk.type = record_type::block_connected;
    blk.blocks.push_back({blocks[1], core::block_hash(blocks[1])});
    out.push_back(blk);
    record sw;
    sw.type = record_type::chain_replaced;
    sw.fork_index = 1;
    for (std::size_t i = 1; i < blocks.size(); ++i)
        sw.blocks.push_back({blocks[i], core::block_hash(blocks[i])});
    out.push_back(sw);
    record chain_id;
    chain_id.type = record_type::chain_identity;
    chain_id.text = core::to_hex(core::genesis_hash()) + " tutorial";
    out.push_back(chain_id);
    record peer;
    peer.type = record_type::peer_added;
    peer.text = "http://127.0.0.1:5001";
    out.push_back(peer);
    return out;
}

bool same(const record& a, const record& b)
{
    if (a.type != b.type || a.text != b.text || !(a.tx == b.tx) || a.fork_index != b.fork_index ||
        a.blocks.size() != b.blocks.size())
        return false;
    for (std::size_t i = 0; i < a.blocks.size(); ++i)
        if (!(a.blocks[i].blk == b.blocks[i].blk) || a.blocks[i].hash != b.blocks[i].hash)
            return false;
    return true;
}

std::string log_image(const std::vector<record>& records, std::vector<std::size_t>* offsets = nullptr)
{
    std::string image(log_magic);
    for (const auto& r : records)
        for (const auto& f : encode_frames(r)) {
            if (offsets)
                offsets->push_back(image.size()); // one per frame: a switch is several
            image += frame(f.type, f.payload);
        }
    return image;
}

bool append_and_wait(store& s, const record& r)
{
    std::promise<bool> p;
    s.when_durable(s.append(r), [&p](bool ok) { p.set_value(ok); });
    return p.get_future().get();
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A limit that holds any one test block but not a switch of several.
const store_options small_records{1024};

record block_record(const core::block& b)
{
    record r;
    r.type = record_type::block_connected;
    r.blocks.push_back({b, core::block_hash(b)});
    return r;
}

/// The switch to `chain` from its block `fork` on.
record switch_record(std::size_t fork, const std::vector<core::block>& chain)
{
    record r;
    r.type = record_type::chain_replaced;
    r.fork_index = fork;
    for (std::size_t i = fork; i < chain.size(); ++i)
        r.blocks.push_back({chain[i], core::block_hash(chain[i])});
    return r;
}

std::vector<core::hash256> hashes_of(const std::vector<core::block>& chain)
{
    std::vector<core::hash256> out;
    for (const auto& b : chain)
        out.push_back(core::block_hash(b));
    return out;
}

/// The chain a node rebuilds from `records`, replayed as the node does (trusted, links checked).
std::vector<core::hash256> replayed_chain(std::vector<record> records)
{
    core::ledger l(test_params(), 1000);
    const std::uint64_t now = core::genesis_block().timestamp_ms + 86'400'000;
    for (auto& r : records) {
        core::validation_result v;
        if (r.type == record_type::block_connected) {
            v = l.replay_block(r.blocks.at(0).blk, r.blocks.at(0).hash, false, now);
        } else if (r.type == record_type::chain_replaced) {
            std::vector<std::pair<core::block, core::hash256>> suffix;
            for (auto& b : r.blocks)
                suffix.emplace_back(b.blk, b.hash);
            v = l.replay_chain_switch(r.fork_index, std::move(suffix), false, now);
        }
        BOOST_TEST_REQUIRE(static_cast<bool>(v), v.detail);
    }
    std::vector<core::hash256> out;
    for (const auto& e : l.best_chain().entries())
        out.push_back(e.hash);
    return out;
}

/// A store on `dir` holding `old_chain` (block by block), then the switch to `new_chain`; returns
/// the log size before the switch.
std::uint64_t write_fork(
    const std::filesystem::path& dir,
    const std::vector<core::block>& old_chain,
    const std::vector<core::block>& new_chain
)
{
    store s(dir, small_records);
    for (std::size_t i = 1; i < old_chain.size(); ++i)
        BOOST_TEST_REQUIRE(append_and_wait(s, block_record(old_chain[i])));
    const auto before = std::filesystem::file_size(dir / "chain.log");
    BOOST_TEST_REQUIRE(append_and_wait(s, switch_record(1, new_chain)));
    return before;
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_tests)

BOOST_AUTO_TEST_CASE(records_round_trip)
{
    for (const auto& r : sample_records()) {
        if (r.type == record_type::chain_replaced) {
            BOOST_CHECK_THROW(encode_payload(r), std::invalid_argument); // never one frame
            const auto log = assemble_records(scan_log(log_image({r})));
            BOOST_TEST_REQUIRE(log.problem.empty(), log.problem);
            BOOST_REQUIRE(log.records.size() == 1u);
            BOOST_TEST(same(log.records[0], r));
            continue;
        }
        const auto back = decode_payload(r.type, encode_payload(r));
        BOOST_REQUIRE(back.has_value());
        BOOST_TEST(same(*back, r));
    }
}

BOOST_AUTO_TEST_CASE(malformed_payloads_do_not_decode)
{
    for (const auto& r : sample_records())
        for (const auto& [type, p] : encode_frames(r)) {
            for (std::size_t cut = 0; cut < p.size(); cut += std::max<std::size_t>(1, p.size() / 17))
                BOOST_TEST(!decode_payload(type, std::string_view(p).substr(0, cut)).has_value());
            BOOST_TEST(!decode_payload(type, p + "x").has_value()); // trailing bytes
        }
    // A switch is never one frame: format 1's type 4 does not decode.
    BOOST_TEST(!decode_payload(record_type::chain_replaced, std::string(64, '\0')).has_value());
    // A transaction count far beyond what the payload can hold is refused before allocating.
    record blk = sample_records()[2];
    std::string p = encode_payload(blk);
    const std::size_t count_at = 8 + 32 + 8 + 8 + 4 + 32;
    p[count_at + 3] = '\x7f';
    BOOST_TEST(!decode_payload(record_type::block_connected, p).has_value());
}

BOOST_AUTO_TEST_CASE(clean_log_scans_completely)
{
    const auto records = sample_records();
    const std::string image = log_image(records);
    const auto scan = scan_log(image);
    BOOST_TEST((scan.tail == scan_result::tail_state::clean));
    std::size_t frames = 0;
    for (const auto& r : records)
        frames += encode_frames(r).size();
    BOOST_TEST(scan.frames.size() == frames);
    BOOST_TEST(scan.valid_end == image.size());
    const auto log = assemble_records(scan);
    BOOST_TEST_REQUIRE(log.records.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
        BOOST_TEST(same(log.records[i], records[i]));
}

BOOST_AUTO_TEST_CASE(every_truncation_of_the_last_record_is_a_torn_tail)
{
    std::vector<std::size_t> offsets;
    const std::string image = log_image(sample_records(), &offsets);
    const std::size_t last = offsets.back();
    for (std::size_t end = last + 1; end < image.size(); ++end) {
        const auto scan = scan_log(std::string_view(image).substr(0, end));
        BOOST_TEST_REQUIRE((scan.tail == scan_result::tail_state::torn), "cut at " << end);
        BOOST_TEST(scan.valid_end == last);
        BOOST_TEST(scan.problem_offset == last);
    }
    // Zeros where the file grew but the data never landed.
    const auto zeros = scan_log(image + std::string(300, '\0'));
    BOOST_TEST((zeros.tail == scan_result::tail_state::torn));
    BOOST_TEST(zeros.valid_end == image.size());
    // A flipped byte in the last record's payload is indistinguishable from a torn write.
    std::string flipped = image;
    flipped.back() ^= 0x01;
    BOOST_TEST((scan_log(flipped).tail == scan_result::tail_state::torn));
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_before_the_tail_is_corruption_at_its_record)
{
    std::vector<std::size_t> offsets;
    const std::string image = log_image(sample_records(), &offsets);
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
        for (std::size_t pos : {offsets[i] + 2, offsets[i] + 10, offsets[i] + frame_header_size + 1}) {
            std::string bad = image;
            bad[pos] ^= 0x20;
            const auto scan = scan_log(bad);
            BOOST_TEST_REQUIRE((scan.tail == scan_result::tail_state::corrupt), "flip at " << pos);
            BOOST_TEST(scan.problem_offset == offsets[i]);
        }
    }
    std::string bad_magic = image;
    bad_magic[0] = 'X';
    BOOST_TEST((scan_log(bad_magic).tail == scan_result::tail_state::corrupt));
}

BOOST_AUTO_TEST_CASE(store_persists_locks_and_recovers_a_torn_tail)
{
    temp_dir dir;
    const auto records = sample_records();
    {
        store s(dir.path);
        BOOST_TEST(s.take_loaded().empty());
        for (const auto& r : records)
            BOOST_TEST(append_and_wait(s, r));
        BOOST_CHECK_THROW(store second(dir.path), storage_error); // the directory is locked
    }
    {
        store s(dir.path);
        const auto loaded = s.take_loaded();
        BOOST_REQUIRE(loaded.size() == records.size());
        for (std::size_t i = 0; i < loaded.size(); ++i)
            BOOST_TEST(same(loaded[i], records[i]));
    }
    const auto log = dir.path / "chain.log";
    const auto good_size = std::filesystem::file_size(log);
    std::ofstream(log, std::ios::app | std::ios::binary)
        << std::string("\x40\x00\x00\x00\x02\x11", 6); // half a header
    {
        store s(dir.path);
        BOOST_TEST(s.take_loaded().size() == records.size());
    }
    BOOST_TEST(std::filesystem::file_size(log) == good_size);
}

BOOST_AUTO_TEST_CASE(store_refuses_corruption_naming_file_and_offset)
{
    temp_dir dir;
    std::vector<std::size_t> offsets;
    std::string image = log_image(sample_records(), &offsets);
    image[offsets[1] + frame_header_size + 3] ^= 0x04;
    std::filesystem::create_directories(dir.path);
    std::ofstream(dir.path / "chain.log", std::ios::binary) << image;
    try {
        store s(dir.path);
        BOOST_FAIL("a corrupt log was accepted");
    } catch (const storage_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("chain.log") != std::string::npos, what);
        BOOST_TEST(what.find("offset " + std::to_string(offsets[1])) != std::string::npos, what);
    }
    BOOST_TEST(std::filesystem::file_size(dir.path / "chain.log") == image.size()); // nothing rewritten
}

BOOST_AUTO_TEST_CASE(a_chain_switch_larger_than_the_record_limit_is_written_and_replays_as_one_switch)
{
    temp_dir dir;
    const auto old_chain = make_blocks(3), new_chain = make_blocks(6);
    const record sw = switch_record(1, new_chain);
    std::size_t switch_bytes = 0;
    for (const auto& b : sw.blocks)
        switch_bytes += encode_payload(block_record(b.blk)).size();
    BOOST_TEST_REQUIRE(switch_bytes > small_records.max_record_bytes);
    write_fork(dir.path, old_chain, new_chain);

    store s(dir.path, small_records);
    const auto loaded = s.take_loaded();
    BOOST_REQUIRE(loaded.size() == old_chain.size()); // the old blocks, then one switch
    BOOST_TEST(same(loaded.back(), sw));
    BOOST_TEST(replayed_chain(loaded) == hashes_of(new_chain));
}

BOOST_AUTO_TEST_CASE(a_crash_anywhere_in_a_switch_leaves_the_old_chain_or_the_new_one)
{
    temp_dir dir;
    const auto old_chain = make_blocks(3), new_chain = make_blocks(6);
    const std::uint64_t switch_start = write_fork(dir.path, old_chain, new_chain);
    const auto log = dir.path / "chain.log";
    const std::string image = read_file(log);
    // Every length the log can have after a crash while the switch was being written.
    for (std::uint64_t cut = switch_start; cut <= image.size(); ++cut) {
        std::ofstream(log, std::ios::binary | std::ios::trunc) << std::string_view(image).substr(0, cut);
        store s(dir.path, small_records);
        const auto chain = replayed_chain(s.take_loaded());
        if (cut == image.size()) {
            BOOST_TEST_REQUIRE((chain == hashes_of(new_chain)));
        } else {
            BOOST_TEST_REQUIRE((chain == hashes_of(old_chain)), "cut at " << cut);
            // Never acknowledged: the unfinished switch is gone, so later records cannot follow it.
            BOOST_TEST_REQUIRE(std::filesystem::file_size(log) == switch_start, "cut at " << cut);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_record_over_the_limit_is_refused_and_never_written)
{
    temp_dir dir;
    const auto chain = make_blocks(1);
    std::vector<core::transaction> many;
    for (int i = 0; i < 20; ++i)
        many.push_back(make_tx("alice", "bob", i + 1));
    const record big = block_record(next_block(entry_of(chain[1]), many));
    BOOST_TEST_REQUIRE(encode_payload(big).size() > small_records.max_record_bytes);
    const record tx = sample_records()[1];
    const auto log = dir.path / "chain.log";
    {
        store s(dir.path, small_records);
        BOOST_TEST(append_and_wait(s, block_record(chain[1])));
        const std::uint64_t queued = s.append(tx); // before the refusal: still written
        BOOST_TEST(s.append(big) == 0u);
        BOOST_TEST(s.failed()); // the caller's state has a change the log lacks: it must recover
        std::promise<bool> p;
        s.when_durable(queued, [&p](bool ok) { p.set_value(ok); });
        BOOST_TEST(p.get_future().get());
        const auto size = std::filesystem::file_size(log);
        std::vector<record> rebuilt;
        s.recover([&](std::vector<record> rs) { rebuilt = std::move(rs); });
        BOOST_TEST(rebuilt.size() == 2u);
        BOOST_TEST(!s.failed());
        BOOST_TEST(std::filesystem::file_size(log) == size);
        BOOST_TEST(append_and_wait(s, tx));
    }
    store s(dir.path, small_records);
    BOOST_TEST(s.take_loaded().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_format_1_log_is_refused_with_advice_and_left_byte_identical)
{
    temp_dir dir;
    std::filesystem::create_directories(dir.path);
    const auto log = dir.path / "chain.log";
    // Format 1 framed records as format 2 does; only the magic tells them apart.
    std::string image = "BCHNLOG1";
    for (const auto& r : {sample_records()[0], sample_records()[1]})
        image += frame(r.type, encode_payload(r));
    std::ofstream(log, std::ios::binary) << image;
    try {
        store s(dir.path);
        BOOST_FAIL("a format 1 log was opened");
    } catch (const storage_error& e) {
        BOOST_TEST(
            e.what() == log.string() +
                            " was written by an earlier beastchain (log format 1) that this version cannot "
                            "read: move the data directory away to start afresh; the node will sync the "
                            "chain from its peers"
        );
    }
    std::ifstream in(log, std::ios::binary);
    BOOST_TEST(std::string(std::istreambuf_iterator<char>(in), {}) == image);
}

BOOST_AUTO_TEST_SUITE_END()
