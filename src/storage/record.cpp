// Binary record encoding: little-endian integers and u32-length-prefixed strings, bounds-checked on read.
#include <beastchain/storage/record.hpp>

#include <boost/endian/conversion.hpp>

#include <cstring>
#include <stdexcept>

namespace beastchain::storage {
namespace {

/// Top bit of a transaction's id length: a fee and a signature follow the nonce.
constexpr std::uint32_t signed_flag = 0x8000'0000U;

class writer
{
public:
    template <class Int> void put(Int v)
    {
        boost::endian::native_to_little_inplace(v);
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void put(std::string_view s)
    {
        put(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }
    void put_hash(const core::hash256& h) { out_.append(reinterpret_cast<const char*>(h.data()), h.size()); }
    void put_tx(const core::transaction& tx)
    {
        if (!tx.is_signed() && tx.fee != 0)
            throw std::logic_error("only a signed transaction carries a fee");
        // A signed transaction sets the id length's top bit and appends its fee and signature,
        // so records written before signed chains read unchanged.
        put(static_cast<std::uint32_t>(tx.transaction_id.size()) | (tx.is_signed() ? signed_flag : 0));
        out_.append(tx.transaction_id);
        put(std::string_view(tx.sender));
        put(std::string_view(tx.recipient));
        put(tx.amount);
        put(tx.nonce);
        if (tx.sig) {
            put(tx.fee);
            out_.append(reinterpret_cast<const char*>(tx.sig->data()), tx.sig->size());
        }
    }
    void put_block(const stored_block& sb)
    {
        const core::block& b = sb.blk;
        put(b.index);
        put_hash(b.previous_hash);
        put(b.proof);
        put(b.timestamp_ms);
        put(b.difficulty);
        put_hash(sb.hash);
        put(static_cast<std::uint32_t>(b.transactions.size()));
        for (const auto& tx : b.transactions)
            put_tx(tx);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

/// Reads what writer wrote; any overrun or implausible length makes the whole record invalid.
class reader
{
public:
    explicit reader(std::string_view in)
        : in_(in)
    {}
    bool ok() const { return ok_; }
    bool at_end() const { return in_.empty(); }

    template <class Int> Int get()
    {
        Int v{};
        if (!take(sizeof v, &v))
            return Int{};
        return boost::endian::little_to_native(v);
    }
    std::string get_string(std::size_t max)
    {
        const auto n = get<std::uint32_t>();
        if (n > max || n > in_.size()) {
            ok_ = false;
            return {};
        }
        std::string s(in_.substr(0, n));
        in_.remove_prefix(n);
        return s;
    }
    core::hash256 get_hash()
    {
        core::hash256 h{};
        take(h.size(), h.data());
        return h;
    }
    core::transaction get_tx()
    {
        core::transaction tx;
        const auto id_size = get<std::uint32_t>();
        const std::size_t n = id_size & ~signed_flag;
        if (!ok_ || n > 64 || n > in_.size()) {
            ok_ = false;
            return tx;
        }
        tx.transaction_id = std::string(in_.substr(0, n));
        in_.remove_prefix(n);
        tx.sender = get_string(core::max_address_bytes);
        tx.recipient = get_string(core::max_address_bytes);
        tx.amount = get<std::uint64_t>();
        tx.nonce = get<std::uint64_t>();
        if (id_size & signed_flag) {
            tx.fee = get<std::uint64_t>();
            core::signature sig{};
            take(sig.size(), sig.data());
            tx.sig = sig;
        }
        return tx;
    }
    stored_block get_block()
    {
        stored_block sb;
        core::block& b = sb.blk;
        b.index = get<std::uint64_t>();
        b.previous_hash = get_hash();
        b.proof = get<std::uint64_t>();
        b.timestamp_ms = get<std::uint64_t>();
        b.difficulty = get<std::uint32_t>();
        sb.hash = get_hash();
        const auto n = get<std::uint32_t>();
        // Each transaction takes at least 20 bytes: refuse counts the payload cannot hold.
        if (n > in_.size() / 20) {
            ok_ = false;
            return sb;
        }
        b.transactions.reserve(n);
        for (std::uint32_t i = 0; i < n && ok_; ++i)
            b.transactions.push_back(get_tx());
        return sb;
    }

private:
    bool take(std::size_t n, void* out)
    {
        if (!ok_ || in_.size() < n) {
            ok_ = false;
            return false;
        }
        std::memcpy(out, in_.data(), n);
        in_.remove_prefix(n);
        return true;
    }
    std::string_view in_;
    bool ok_ = true;
};

} // namespace

std::string encode_payload(const record& r)
{
    writer w;
    switch (r.type) {
    case record_type::node_identity:
    case record_type::chain_identity:
    case record_type::transaction_evicted:
    case record_type::peer_added:
    case record_type::peer_announced:
    case record_type::peer_announced_public:
    case record_type::peer_removed:
        w.put(std::string_view(r.text));
        break;
    case record_type::transaction_accepted:
        w.put_tx(r.tx);
        break;
    case record_type::block_connected:
        w.put_block(r.blocks.at(0));
        break;
    case record_type::switch_begin:
    case record_type::switch_commit:
        w.put(r.fork_index);
        w.put(r.block_count);
        break;
    case record_type::chain_replaced:
        throw std::invalid_argument("a chain switch is written as several frames (encode_frames)");
    }
    return w.take();
}

std::vector<encoded_frame> encode_frames(const record& r)
{
    std::vector<encoded_frame> out;
    if (r.type != record_type::chain_replaced) {
        out.push_back({r.type, encode_payload(r)});
        return out;
    }
    record mark;
    mark.type = record_type::switch_begin;
    mark.fork_index = r.fork_index;
    mark.block_count = r.blocks.size();
    out.reserve(r.blocks.size() + 2);
    out.push_back({mark.type, encode_payload(mark)});
    for (const auto& b : r.blocks) {
        writer w;
        w.put_block(b);
        out.push_back({record_type::block_connected, w.take()});
    }
    mark.type = record_type::switch_commit;
    out.push_back({mark.type, encode_payload(mark)});
    return out;
}

std::optional<record> decode_payload(record_type type, std::string_view payload)
{
    reader in(payload);
    record r;
    r.type = type;
    switch (type) {
    case record_type::node_identity:
    case record_type::chain_identity:
    case record_type::transaction_evicted:
    case record_type::peer_added:
    case record_type::peer_announced:
    case record_type::peer_announced_public:
    case record_type::peer_removed:
        r.text = in.get_string(4096);
        break;
    case record_type::transaction_accepted:
        r.tx = in.get_tx();
        break;
    case record_type::block_connected:
        r.blocks.push_back(in.get_block());
        break;
    case record_type::switch_begin:
    case record_type::switch_commit:
        r.fork_index = in.get<std::uint64_t>();
        r.block_count = in.get<std::uint64_t>();
        break;
    default: // chain_replaced is assembled from frames, never a frame itself

        return std::nullopt;
    }
    if (!in.ok() || !in.at_end())
        return std::nullopt;
    return r;
}

} // namespace beastchain::storage
