// Chain switches are written as begin, blocks, commit; reading puts a committed one back together.
#include <beastchain/storage/assemble.hpp>

#include <optional>

namespace beastchain::storage {
namespace {

/// A switch whose begin has been read but not yet its commit.
struct open_switch
{
    std::uint64_t offset = 0; ///< of its begin frame
    record assembled;         ///< chain_replaced, blocks so far
    std::uint64_t expected = 0;
};

std::string at(std::uint64_t offset)
{
    return "offset " + std::to_string(offset);
}

} // namespace

assembled_log assemble_records(const scan_result& scan)
{
    assembled_log out;
    out.keep_end = scan.valid_end;
    std::optional<open_switch> open;
    const auto corrupt = [&out](std::uint64_t offset, std::string why) {
        out.problem = std::move(why);
        out.problem_offset = offset;
        return out;
    };
    for (const auto& f : scan.frames) {
        auto r = decode_payload(f.type, f.payload);
        if (!r)
            return corrupt(f.offset, "record checksum is good but its contents do not decode");
        if (open) {
            if (r->type == record_type::block_connected) {
                if (open->assembled.blocks.size() == open->expected)
                    return corrupt(
                        f.offset, "more blocks than the chain switch at " + at(open->offset) + " announced"
                    );
                open->assembled.blocks.push_back(std::move(r->blocks.at(0)));
                continue;
            }
            if (r->type == record_type::switch_commit) {
                if (r->fork_index != open->assembled.fork_index || r->block_count != open->expected ||
                    open->assembled.blocks.size() != open->expected)
                    return corrupt(
                        f.offset, "chain switch commit does not match its begin at " + at(open->offset)
                    );
                out.records.push_back(std::move(open->assembled));
                open.reset();
                continue;
            }
            // Our writer queues a switch's frames together, so this is damage we can survive: the
            // switch never took effect, and the records after it were written on the old chain.
            out.warnings.push_back(
                "chain switch at " + at(open->offset) + " was interrupted by a record at " + at(f.offset) +
                " before its commit; ignoring it"
            );
            open.reset();
        }
        switch (r->type) {
        case record_type::switch_begin:
            open.emplace();
            open->offset = f.offset;
            open->assembled.type = record_type::chain_replaced;
            open->assembled.fork_index = r->fork_index;
            open->expected = r->block_count; // a claim: blocks are counted as they come, not reserved
            break;
        case record_type::switch_commit:
            return corrupt(f.offset, "chain switch commit without its begin");
        default:
            out.records.push_back(std::move(*r));
        }
    }
    if (open) {
        // A crash while the switch was written: it was never acknowledged, so it is dropped whole.
        out.warnings.push_back(
            "chain switch at " + at(open->offset) +
            " has no commit (the node stopped while writing it); dropping " +
            std::to_string(scan.valid_end - open->offset) + " bytes back to the last complete record"
        );
        out.keep_end = open->offset;
    }
    return out;
}

} // namespace beastchain::storage
