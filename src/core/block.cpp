// Canonical serialization: the one byte layout used for hashing, mining and re-checking peers' blocks.
#include <beastchain/core/block.hpp>

#include <boost/endian/conversion.hpp>

#include <cstring>

namespace beastchain::core {
namespace {

template <class Int> void put_le(std::vector<std::uint8_t>& out, Int v)
{
    boost::endian::native_to_little_inplace(v);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(v));
}

template <class Int> std::uint8_t* put_le(std::uint8_t* out, Int v)
{
    boost::endian::native_to_little_inplace(v);
    std::memcpy(out, &v, sizeof(v));
    return out + sizeof(v);
}

void put_string(std::vector<std::uint8_t>& out, const std::string& s)
{
    put_le(out, static_cast<std::uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

hash256 hash_pair(const hash256& left, const hash256& right)
{
    std::array<std::uint8_t, 65> buf{};
    buf[0] = 0x01;
    std::memcpy(buf.data() + 1, left.data(), 32);
    std::memcpy(buf.data() + 33, right.data(), 32);
    return sha256(buf);
}

} // namespace

hash256 transaction_leaf_hash(const transaction& tx)
{
    std::vector<std::uint8_t> buf;
    buf.reserve(1 + 12 + tx.transaction_id.size() + tx.sender.size() + tx.recipient.size() + 16);
    buf.push_back(0x00);
    put_string(buf, tx.transaction_id);
    put_string(buf, tx.sender);
    put_string(buf, tx.recipient);
    put_le(buf, tx.amount);
    put_le(buf, tx.nonce);
    return sha256(buf);
}

hash256 merkle_root(std::span<const transaction> txs)
{
    if (txs.empty())
        return hash256{};
    std::vector<hash256> level;
    level.reserve(txs.size());
    for (const auto& tx : txs)
        level.push_back(transaction_leaf_hash(tx));
    while (level.size() > 1) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < level.size(); i += 2)
            level[out++] = i + 1 < level.size() ? hash_pair(level[i], level[i + 1]) : level[i];
        level.resize(out);
    }
    return level.front();
}

header_bytes serialize_header(const block& b, const hash256& merkle)
{
    header_bytes h{};
    std::uint8_t* p = h.data();
    p = put_le(p, header_version);
    p = put_le(p, b.index);
    std::memcpy(p, b.previous_hash.data(), 32);
    p += 32;
    std::memcpy(p, merkle.data(), 32);
    p += 32;
    p = put_le(p, b.timestamp_ms);
    p = put_le(p, b.difficulty);
    put_le(p, b.proof); // at header_nonce_offset
    return h;
}

hash256 block_hash(const block& b)
{
    return sha256(serialize_header(b, merkle_root(b.transactions)));
}

const block& genesis_block()
{
    // The timestamp is the tutorial's first /chain reply (1515310711.279 s), fixed so every node agrees.
    static const block genesis{
        .index = 0,
        .previous_hash = {},
        .proof = 0,
        .timestamp_ms = 1515310711279ULL,
        .difficulty = 0,
        .transactions = {}};
    return genesis;
}

const hash256& genesis_hash()
{
    static const hash256 h = block_hash(genesis_block());
    return h;
}

} // namespace beastchain::core
