// Addresses on the signed chain: an x-only public key with a checksum, so a typo is refused, not paid.
#pragma once

#include <beastchain/core/keys.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace beastchain::core {

/// "bc" + 64 hex digits of the key + 8 hex digits of checksum: 74 characters.
inline constexpr std::size_t address_chars = 74;

/// The address of a public key. The checksum is the first 4 bytes of
/// SHA-256("beastchain address" || key): one mistyped digit fails it with odds of 2^-32.
std::string address_of(const public_key& key);

/// The public key an address names, or nullopt when it is no address: wrong prefix or length,
/// not lower-case hex, a checksum that does not match, or no point on the curve.
std::optional<public_key> public_key_from_address(std::string_view address);

/// The same without the curve check (a square root, about 6 µs): for a sender, whose key the
/// signature check parses anyway and refuses when it is no point.
std::optional<public_key> key_bytes_from_address(std::string_view address);

} // namespace beastchain::core
