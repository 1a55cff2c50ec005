// Header chains: what headers-first sync checks before it downloads a single body.
#include <beastchain/core/headers.hpp>

#include <boost/endian/conversion.hpp>

#include <cassert>
#include <cstring>

namespace beastchain::core {

namespace {

template <class Int> const std::uint8_t* get_le(const std::uint8_t* in, Int& v)
{
    std::memcpy(&v, in, sizeof(v));
    boost::endian::little_to_native_inplace(v);
    return in + sizeof(v);
}

} // namespace

std::optional<block_header> parse_header(const header_bytes& bytes)
{
    block_header h;
    const std::uint8_t* p = bytes.data();
    std::uint32_t version = 0;
    p = get_le(p, version);
    if (version != header_version)
        return std::nullopt;
    p = get_le(p, h.fields.index);
    std::memcpy(h.fields.previous_hash.data(), p, 32);
    p += 32;
    std::memcpy(h.merkle.data(), p, 32);
    p += 32;
    p = get_le(p, h.fields.timestamp_ms);
    p = get_le(p, h.fields.difficulty);
    get_le(p, h.fields.proof);
    return h;
}

bool validate_headers(
    std::vector<chain_entry>& out,
    const chain_entry& parent,
    const block_timing& parent_timing,
    std::span<const header_bytes> headers,
    std::uint64_t now_ms,
    const consensus_params& params,
    chain_rejection& rejection
)
{
    out.reserve(out.size() + headers.size());
    assert(out.empty() || out.front().blk.index == parent_timing.parent_index + 1); // the parent's own
    block_timing timing = timing_after(parent_timing, out);
    for (const auto& bytes : headers) {
        const chain_entry& prev = out.empty() ? parent : out.back();
        rejection.index = static_cast<std::size_t>(prev.blk.index + 1);
        auto parsed = parse_header(bytes);
        if (!parsed) {
            rejection.result =
                validation_result::fail(reject_reason::bad_header_version, "unknown header version");
            return false;
        }
        const hash256 hash = sha256(bytes);
        if (auto r = check_block_header(parsed->fields, hash, params); !r) {
            rejection.result = std::move(r);
            return false;
        }
        if (auto r = check_block_link(parsed->fields, prev, now_ms, params); !r) {
            rejection.result = std::move(r);
            return false;
        }
        if (auto r = check_block_timing(parsed->fields, timing, params); !r) {
            rejection.result = std::move(r);
            return false;
        }
        const work_t work = prev.cumulative_work + block_work(parsed->fields, params);
        timing.push(parsed->fields);
        out.push_back({std::move(parsed->fields), hash, work});
    }
    return true;
}

} // namespace beastchain::core
