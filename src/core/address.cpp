// Address encoding: prefix, key and checksum in lower-case hex.
#include <beastchain/core/address.hpp>
#include <beastchain/core/hash.hpp>

namespace beastchain::core {

namespace {

constexpr std::string_view prefix = "bc";
constexpr std::string_view checksum_tag = "beastchain address";

std::array<std::uint8_t, 4> checksum(const public_key& key)
{
    std::string bytes(checksum_tag);
    bytes.append(reinterpret_cast<const char*>(key.data()), key.size());
    const hash256 h = sha256(bytes);
    return {h[0], h[1], h[2], h[3]};
}

} // namespace

std::string address_of(const public_key& key)
{
    return std::string(prefix) + to_hex(key) + to_hex(checksum(key));
}

std::optional<public_key> public_key_from_address(std::string_view address)
{
    auto key = key_bytes_from_address(address);
    if (!key || !is_valid_public_key(*key))
        return std::nullopt;
    return key;
}

std::optional<public_key> key_bytes_from_address(std::string_view address)
{
    if (address.size() != address_chars || !address.starts_with(prefix))
        return std::nullopt;
    const std::string_view hex = address.substr(prefix.size());
    if (!is_lower_hex(hex))
        return std::nullopt;
    public_key key{};
    std::array<std::uint8_t, 4> sum{};
    if (!bytes_from_hex(hex.substr(0, 64), key) || !bytes_from_hex(hex.substr(64), sum))
        return std::nullopt;
    if (sum != checksum(key))
        return std::nullopt;
    return key;
}

} // namespace beastchain::core
