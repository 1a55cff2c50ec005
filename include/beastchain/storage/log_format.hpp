// The record log's on-disk framing: a file magic, then frames with checksummed headers and payloads.
#pragma once

#include <beastchain/storage/record.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace beastchain::storage {

/// First bytes of every log file; refuse anything else rather than guess. The digit is the format:
/// 2 changed what records mean (transaction ids bound to content, chain switches in bounded parts).
inline constexpr std::string_view log_magic{"BCHNLOG2", 8};
/// The magic of format 1, recognised only to tell the operator what to do with such a file.
inline constexpr std::string_view log_magic_v1{"BCHNLOG1", 8};

/// Frame header: u32 payload length, u8 type, u32 CRC-32C of the payload, u32 CRC-32C of the
/// preceding 9 header bytes. The header CRC makes the length trustworthy, so a torn final record
/// can be told apart from corruption in the middle of the file.
inline constexpr std::size_t frame_header_size = 13;
/// Largest record payload written or read unless the store is told otherwise. A block of 1,000
/// transactions with 256-byte addresses takes about 600 KB; a chain switch is written as one record
/// per block, so nothing else comes near this.
inline constexpr std::uint32_t default_max_record_bytes = 4u * 1024 * 1024;

std::uint32_t crc32c(std::string_view data) noexcept;

/// The bytes of one frame. Throws std::length_error if the payload does not fit the 32-bit length;
/// the store refuses anything over its own (much lower) limit before getting here.
std::string frame(record_type type, std::string_view payload);

struct scanned_frame
{
    record_type type;
    std::string_view payload;
    std::uint64_t offset; ///< of the frame header, from the start of the file
};

struct scan_result
{
    enum class tail_state
    {
        clean,     ///< the file ends exactly after the last good frame
        torn,      ///< the last frame is incomplete: truncate to `valid_end` and carry on
        corrupt,   ///< a bad frame with good data after it, or a bad magic: refuse to start
        old_format ///< a log of format 1, which this version cannot read: refuse to start
    };
    std::vector<scanned_frame> frames;
    std::uint64_t valid_end = 0;
    tail_state tail = tail_state::clean;
    std::uint64_t problem_offset = 0;
    std::string problem;
};

/// Walks a whole log file image. A frame that fails its checks is a torn tail only when nothing
/// but it (or zero bytes) follows; anywhere else it is corruption. A frame whose (checksummed)
/// length exceeds `max_record_bytes` is corruption: no writer with that limit could have made it.
scan_result scan_log(std::string_view file, std::uint32_t max_record_bytes = default_max_record_bytes);

} // namespace beastchain::storage
