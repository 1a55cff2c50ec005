// SHA-256 digests (OpenSSL) and their lower-case hex form; the only hashing primitive core uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace beastchain::core {

/// A SHA-256 digest in the byte order the hash function produced it.
using hash256 = std::array<std::uint8_t, 32>;

/// SHA-256 of `data`, computed by OpenSSL's EVP interface.
hash256 sha256(std::span<const std::uint8_t> data);

/// SHA-256 of the bytes of a string.
hash256 sha256(std::string_view data);

/// Lower-case hex of arbitrary bytes.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Whether every character of `s` is 0-9 or a-f (the form ids and addresses are written in).
bool is_lower_hex(std::string_view s) noexcept;

/// Fills `out` from exactly 2 * out.size() hex digits; false for anything else.
bool bytes_from_hex(std::string_view hex, std::span<std::uint8_t> out);

/// Parses exactly 64 lower- or upper-case hex digits; anything else yields nullopt.
std::optional<hash256> hash_from_hex(std::string_view hex);

/// Number of leading zero bits of a digest read as a big-endian 256-bit number.
int leading_zero_bits(const hash256& h);

} // namespace beastchain::core
