// Frame encoding and the recovery scan that separates torn tails from corruption.
#include <beastchain/storage/log_format.hpp>

#include <boost/crc.hpp>
#include <boost/endian/conversion.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace beastchain::storage {
namespace {

// CRC-32C (Castagnoli), as LevelDB and ext4 use for the same purpose.
using crc32c_type = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

void put_u32(char* out, std::uint32_t v)
{
    boost::endian::native_to_little_inplace(v);
    std::memcpy(out, &v, 4);
}

std::uint32_t get_u32(const char* in)
{
    std::uint32_t v;
    std::memcpy(&v, in, 4);
    return boost::endian::little_to_native(v);
}

bool all_zero(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

bool known_type(std::uint8_t t)
{
    switch (static_cast<record_type>(t)) {
    case record_type::node_identity:
    case record_type::transaction_accepted:
    case record_type::block_connected:
    case record_type::peer_added:
    case record_type::peer_announced:
    case record_type::peer_announced_public:
    case record_type::peer_removed:
    case record_type::switch_begin:
    case record_type::switch_commit:
    case record_type::chain_identity:
    case record_type::transaction_evicted:
        return true;
    case record_type::chain_replaced: // never a frame in format 2
        break;
    }
    return false;
}

} // namespace

std::uint32_t crc32c(std::string_view data) noexcept
{
    crc32c_type crc;
    crc.process_bytes(data.data(), data.size());
    return crc.checksum();
}

std::string frame(record_type type, std::string_view payload)
{
    // The length field is 32 bits: never write one that silently wrapped.
    if (payload.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("a log record payload is limited to 4 GiB");
    std::string out(frame_header_size, '\0');
    put_u32(out.data(), static_cast<std::uint32_t>(payload.size()));
    out[4] = static_cast<char>(type);
    put_u32(out.data() + 5, crc32c(payload));
    put_u32(out.data() + 9, crc32c(std::string_view(out.data(), 9)));
    out.append(payload);
    return out;
}

scan_result scan_log(std::string_view file, std::uint32_t max_record_bytes)
{
    scan_result r;
    const auto fail = [&](scan_result::tail_state state, std::uint64_t at, std::string why) {
        r.tail = state;
        r.problem_offset = at;
        r.problem = std::move(why);
        return r;
    };
    if (file.size() < log_magic.size()) {
        // A file torn while its magic was being written holds nothing of value.
        if (log_magic.substr(0, file.size()) == file || all_zero(file))
            return fail(scan_result::tail_state::torn, 0, "incomplete file header");
        return fail(scan_result::tail_state::corrupt, 0, "not a beastchain log (bad magic)");
    }
    if (file.substr(0, log_magic.size()) == log_magic_v1)
        return fail(scan_result::tail_state::old_format, 0, "log format 1");
    if (file.substr(0, log_magic.size()) != log_magic)
        return fail(scan_result::tail_state::corrupt, 0, "not a beastchain log (bad magic)");

    std::uint64_t at = log_magic.size();
    r.valid_end = at;
    while (at < file.size()) {
        const std::string_view rest = file.substr(at);
        if (rest.size() < frame_header_size)
            return fail(scan_result::tail_state::torn, at, "incomplete record header");
        const std::uint32_t len = get_u32(rest.data());
        const auto type = static_cast<std::uint8_t>(rest[4]);
        const bool header_ok = get_u32(rest.data() + 9) == crc32c(rest.substr(0, 9));
        if (!header_ok || !known_type(type)) {
            // Torn writes leave a prefix of the frame, or zeros where the file grew but the data did not
            // land.
            if (all_zero(rest))
                return fail(scan_result::tail_state::torn, at, "zero-filled tail");
            return fail(scan_result::tail_state::corrupt, at, "record header checksum mismatch");
        }
        if (len > max_record_bytes)
            return fail(
                scan_result::tail_state::corrupt,
                at,
                "record of " + std::to_string(len) + " bytes is over the limit of " +
                    std::to_string(max_record_bytes) + " bytes"
            );
        if (rest.size() - frame_header_size < len)
            return fail(scan_result::tail_state::torn, at, "record extends past the end of the file");
        const std::string_view payload = rest.substr(frame_header_size, len);
        if (get_u32(rest.data() + 5) != crc32c(payload)) {
            const bool last = rest.size() == frame_header_size + len;
            return fail(
                last ? scan_result::tail_state::torn : scan_result::tail_state::corrupt,
                at,
                last ? "last record's payload checksum mismatch" : "record payload checksum mismatch"
            );
        }
        r.frames.push_back({static_cast<record_type>(type), payload, at});
        at += frame_header_size + len;
        r.valid_end = at;
    }
    return r;
}

} // namespace beastchain::storage
