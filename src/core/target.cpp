// Target arithmetic on OpenSSL's BIGNUM (256-bit values, per block, never per hash) and ASERT.
#include <beastchain/core/target.hpp>

#include <openssl/bn.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

namespace beastchain::core {

namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

using bn_ptr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using ctx_ptr = std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)>;

bn_ptr make_bn()
{
    bn_ptr b(BN_new(), &BN_free);
    if (!b)
        throw std::bad_alloc();
    return b;
}

bn_ptr bn_of(const target256& t)
{
    bn_ptr b(BN_bin2bn(t.data(), static_cast<int>(t.size()), nullptr), &BN_free);
    if (!b)
        throw std::bad_alloc();
    return b;
}

/// `b` as 32 big-endian bytes; nullopt when it needs more.
std::optional<target256> target_of(const BIGNUM* b)
{
    target256 t{};
    if (BN_num_bytes(b) > 32 || BN_bn2binpad(b, t.data(), 32) != 32)
        return std::nullopt;
    return t;
}

bool less(const target256& a, const target256& b) noexcept
{
    return std::memcmp(a.data(), b.data(), a.size()) < 0;
}

target256 clamp(const target256& t) noexcept
{
    if (less(easiest_target(), t))
        return easiest_target();
    if (less(t, hardest_target()))
        return hardest_target();
    return t;
}

} // namespace

target256 target_of_difficulty(std::uint32_t d)
{
    if (d < 1 || d > max_difficulty)
        throw std::invalid_argument("difficulty out of range");
    target256 t{};
    t.fill(0xff);
    for (std::uint32_t bit = 0; bit < d; ++bit) // clear the top d bits
        t[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    return t;
}

target256 easiest_target() noexcept
{
    static const target256 t = target_of_difficulty(1);
    return t;
}

target256 hardest_target() noexcept
{
    static const target256 t = target_of_difficulty(max_difficulty);
    return t;
}

bool meets_target(const hash256& h, const target256& t) noexcept
{
    return std::memcmp(h.data(), t.data(), h.size()) <= 0;
}

work_t target_work(const target256& t)
{
    const ctx_ptr ctx(BN_CTX_new(), &BN_CTX_free);
    bn_ptr num = make_bn(), den = bn_of(t), quotient = make_bn();
    if (!ctx || BN_set_bit(num.get(), 256) != 1 || BN_add_word(den.get(), 1) != 1 ||
        BN_div(quotient.get(), nullptr, num.get(), den.get(), ctx.get()) != 1)
        throw std::bad_alloc();
    std::array<std::uint8_t, 16> bytes{};
    if (BN_num_bytes(quotient.get()) > 16 || BN_bn2binpad(quotient.get(), bytes.data(), 16) != 16)
        throw std::overflow_error("a target below hardest_target has more work than work_t holds");
    work_t w = 0;
    for (auto byte : bytes)
        w = (w << 8) | byte;
    return w;
}

std::optional<target256> target_from_compact(std::uint32_t bits)
{
    const std::uint32_t size = bits >> 24;
    std::uint32_t word = bits & 0x007fffff;
    if (size <= 3)
        word >>= 8 * (3 - size); // as Bitcoin Core: the sign and size checks see the shifted word
    if (word != 0 && (bits & 0x00800000) != 0)
        return std::nullopt; // negative
    if (word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)))
        return std::nullopt; // above 2^256 - 1
    bn_ptr b = make_bn();
    if (size <= 3) {
        if (BN_set_word(b.get(), word) != 1)
            throw std::bad_alloc();
    } else if (BN_set_word(b.get(), word) != 1 || BN_lshift(b.get(), b.get(), static_cast<int>(8 * (size - 3))) != 1) {
        throw std::bad_alloc();
    }
    return target_of(b.get());
}

std::uint32_t compact_from_target(const target256& t)
{
    const bn_ptr b = bn_of(t);
    auto size = static_cast<std::uint32_t>(BN_num_bytes(b.get()));
    std::uint32_t compact = 0;
    if (size <= 3) {
        compact = static_cast<std::uint32_t>(BN_get_word(b.get())) << (8 * (3 - size));
    } else {
        bn_ptr shifted = make_bn();
        if (BN_rshift(shifted.get(), b.get(), static_cast<int>(8 * (size - 3))) != 1)
            throw std::bad_alloc();
        compact = static_cast<std::uint32_t>(BN_get_word(shifted.get()));
    }
    if (compact & 0x00800000) { // the sign bit: move a byte into the exponent instead
        compact >>= 8;
        ++size;
    }
    return compact | (size << 24);
}

target256 asert_next_target(
    const target256& anchor_target,
    std::int64_t time_since_anchor_ms,
    std::uint64_t blocks_since_anchor,
    std::uint64_t target_block_ms,
    std::uint64_t half_life_ms
)
{
    // Spec bounds keep both far below 2^40, so no product below can overflow 128 bits.
    constexpr std::uint64_t max_parameter_ms = std::uint64_t{1} << 40;
    if (target_block_ms == 0 || half_life_ms == 0 || target_block_ms > max_parameter_ms ||
        half_life_ms > max_parameter_ms)
        throw std::invalid_argument("ASERT needs a block time and a half-life from 1 ms to 2^40 ms");
    // 128-bit intermediates: a hostile timestamp cannot overflow what it is multiplied into.
    const i128 behind = i128{time_since_anchor_ms} - i128{target_block_ms} * i128{blocks_since_anchor};
    const i128 exponent = behind * 65536 / i128{half_life_ms}; // truncates toward zero, as aserti3-2d
    // Beyond 2^256 either way the clamp decides; stop the shift count from growing with the input.
    if (exponent >= i128{300} * 65536)
        return easiest_target();
    if (exponent <= i128{-300} * 65536)
        return hardest_target();
    const auto exp64 = static_cast<std::int64_t>(exponent);
    std::int64_t shifts = exp64 >> 16; // floor
    const auto frac = static_cast<std::uint64_t>(static_cast<std::uint16_t>(exp64));
    const auto factor = static_cast<std::uint32_t>(
        65536 + ((u128{195766423245049ULL} * frac + u128{971821376ULL} * frac * frac +
                  u128{5127ULL} * frac * frac * frac + (u128{1} << 47)) >>
                 48)
    );
    bn_ptr next = bn_of(anchor_target);
    if (BN_mul_word(next.get(), factor) != 1)
        throw std::bad_alloc();
    shifts -= 16;
    const bool ok = shifts <= 0 ? BN_rshift(next.get(), next.get(), static_cast<int>(-shifts)) == 1
                                : BN_lshift(next.get(), next.get(), static_cast<int>(shifts)) == 1;
    if (!ok)
        throw std::bad_alloc();
    const auto t = target_of(next.get());
    return t ? clamp(*t) : easiest_target();
}

void block_timing::push(const block& b) noexcept
{
    parent_index = b.index;
    parent_bits = b.difficulty;
    if (count == window) {
        std::copy(recent.begin() + 1, recent.end(), recent.begin());
        --count;
    }
    recent[count++] = b.timestamp_ms;
}

std::uint64_t block_timing::median_ms() const
{
    const std::size_t n = std::min(count, median_of);
    return median_time_past(std::span(recent.data() + (count - n), n));
}

std::uint64_t block_timing::previous_median_ms() const
{
    if (count < 2)
        return 0;
    const std::size_t n = std::min(count - 1, median_of);
    return median_time_past(std::span(recent.data() + (count - 1 - n), n));
}

block_timing genesis_timing(const block& genesis)
{
    block_timing t;
    t.push(genesis);
    return t;
}

std::uint32_t required_bits(const block_timing& t, const asert_params& a)
{
    // Block 1 is the anchor. Until the parent and the grandparent each have a full window of
    // eleven behind them (genesis, stamped in 2018 for every network, included) the median
    // advances at half speed, so the first eleven blocks keep the anchor's target.
    if (t.parent_index < block_timing::window - 1)
        return a.anchor_bits;
    const auto parent = target_from_compact(t.parent_bits);
    if (!parent || t.count < block_timing::window)
        throw std::invalid_argument("required_bits: the parent has no valid target or no parent of its own");
    // The median's step, not the parent's own interval: a parent's interval can be stretched by
    // one timestamp and given back by the next (clamped, that ratchets the target down); the
    // median cannot go back, so what it credits is never taken back. Never negative on a valid
    // chain; the clamp keeps any input, a jump included, to one halving.
    const std::uint64_t now = t.median_ms(), before = t.previous_median_ms();
    const std::uint64_t step = now > before ? now - before : 0;
    const std::uint64_t most = a.target_block_ms + a.half_life_ms;
    const auto dt = static_cast<std::int64_t>(std::min(step, most));
    return compact_from_target(asert_next_target(*parent, dt, 1, a.target_block_ms, a.half_life_ms));
}

std::uint64_t median_time_past(std::span<const std::uint64_t> last_timestamps)
{
    if (last_timestamps.empty())
        return 0;
    std::vector<std::uint64_t> v(last_timestamps.begin(), last_timestamps.end());
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

} // namespace beastchain::core
