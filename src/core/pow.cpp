// Proof-of-work rule and the midstate-reusing nonce search.
#include <beastchain/core/pow.hpp>
#include <beastchain/core/target.hpp>

#include <boost/endian/conversion.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace beastchain::core {

const EVP_MD* sha256_md(); // hash.cpp: the fetched-once SHA-256 implementation.

bool meets_difficulty(const hash256& h, std::uint32_t difficulty) noexcept
{
    return static_cast<std::uint32_t>(leading_zero_bits(h)) >= difficulty;
}

work_t block_work(std::uint32_t difficulty) noexcept
{
    return work_t{1} << std::min(difficulty, max_difficulty);
}

std::string work_to_string(work_t w)
{
    if (w == 0)
        return "0";
    std::string out;
    while (w != 0) {
        out.push_back(static_cast<char>('0' + static_cast<int>(w % 10)));
        w /= 10;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::optional<work_t> work_from_string(std::string_view s)
{
    if (s.empty() || s.size() > 39 || (s.size() > 1 && s.front() == '0'))
        return std::nullopt;
    work_t w = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const work_t next = w * 10 + static_cast<work_t>(c - '0');
        if (next / 10 != w)
            return std::nullopt; // overflow
        w = next;
    }
    return w;
}

namespace {

struct md_ctx_deleter
{
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

md_ctx_ptr new_ctx()
{
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx)
        throw std::bad_alloc();
    return ctx;
}

} // namespace

struct pow_search::midstate
{
    md_ctx_ptr ctx = new_ctx();
};

namespace {

target256 leading_zero_target(std::uint32_t difficulty)
{
    if (difficulty == 0) {
        target256 every{};
        every.fill(0xff);
        return every;
    }
    return target_of_difficulty(std::min(difficulty, max_difficulty));
}

} // namespace

pow_search::pow_search(const block& tmpl)
    : pow_search(tmpl, leading_zero_target(tmpl.difficulty))
{}

pow_search::pow_search(const block& tmpl, const target256& target)
    : header_(serialize_header(tmpl, merkle_root(tmpl.transactions)))
    , target_(target)
    , midstate_(std::make_unique<midstate>())
{
    if (EVP_DigestInit_ex(midstate_->ctx.get(), sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(midstate_->ctx.get(), header_.data(), 64) != 1)
        throw std::runtime_error("SHA-256 midstate initialisation failed");
}

pow_search::~pow_search() = default;

std::optional<std::uint64_t> pow_search::search(
    std::uint64_t first,
    std::uint64_t stride,
    const std::atomic<bool>& stop,
    std::atomic<std::uint64_t>* hashes
) const
{
    static_assert(header_size - 64 == 32, "the tail after the midstate must be 32 bytes");
    md_ctx_ptr work = new_ctx();
    std::array<std::uint8_t, 32> tail{};
    std::memcpy(tail.data(), header_.data() + 64, tail.size());
    constexpr std::size_t nonce_in_tail = header_nonce_offset - 64;

    std::uint64_t attempts = 0;
    const auto credit = [&] {
        if (hashes != nullptr)
            hashes->fetch_add(attempts, std::memory_order_relaxed);
        attempts = 0;
    };
    for (std::uint64_t nonce = first; nonce <= max_nonce; nonce += stride) {
        // Checking the flag every 4096 attempts keeps cancellation under a millisecond.
        if ((attempts & 4095) == 0 && stop.load(std::memory_order_relaxed)) {
            credit();
            return std::nullopt;
        }
        const std::uint64_t le = boost::endian::native_to_little(nonce);
        std::memcpy(tail.data() + nonce_in_tail, &le, sizeof(le));
        hash256 h{};
        unsigned int len = 0;
        if (EVP_MD_CTX_copy_ex(work.get(), midstate_->ctx.get()) != 1 ||
            EVP_DigestUpdate(work.get(), tail.data(), tail.size()) != 1 ||
            EVP_DigestFinal_ex(work.get(), h.data(), &len) != 1)
            throw std::runtime_error("SHA-256 failed during proof-of-work search");
        ++attempts;
        if (meets_target(h, target_)) {
            credit();
            return nonce;
        }
        if (max_nonce - nonce < stride)
            break;
    }
    credit();
    return std::nullopt;
}

} // namespace beastchain::core
