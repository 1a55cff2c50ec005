// From scanned frames to the records a node replays: decoding, and chain switches put back together.
#pragma once

#include <beastchain/storage/log_format.hpp>
#include <beastchain/storage/record.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace beastchain::storage {

struct assembled_log
{
    /// In log order; a committed switch is one chain_replaced record, as the node wrote it.
    std::vector<record> records;
    /// Where the log should end: the scan's valid end, or the start of a switch the log ends inside
    /// (never committed, so never acknowledged: later appends must not follow it).
    std::uint64_t keep_end = 0;
    /// Switches that were ignored, one line each (offsets included) for the operator.
    std::vector<std::string> warnings;
    /// Set when frames checksum but do not make sense: the log is corrupt at `problem_offset`.
    std::string problem;
    std::uint64_t problem_offset = 0;
};

/// Decodes `scan`'s frames and assembles chain switches. A switch counts only once its commit is
/// read; one interrupted by another record is ignored with a warning. A frame that does not
/// decode, a commit without its begin or not matching it, or more blocks than the begin announced
/// is corruption.
assembled_log assemble_records(const scan_result& scan);

} // namespace beastchain::storage
