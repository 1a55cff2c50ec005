// BIP340 Schnorr keys and signatures over secp256k1, through libsecp256k1 (Bitcoin Core's library).
#pragma once

#include <beastchain/core/hash.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace beastchain::core {

/// A secret key: a scalar in [1, n-1], big-endian. Wiped when destroyed.
class secret_key
{
public:
    /// A fresh key from OpenSSL's CSPRNG.
    static secret_key generate();
    /// The key with these bytes, or nullopt when they are no valid scalar (0 or >= n).
    static std::optional<secret_key> from_bytes(std::span<const std::uint8_t, 32> bytes);

    ~secret_key();
    secret_key(const secret_key&) = default;
    secret_key& operator=(const secret_key&) = default;

    const std::array<std::uint8_t, 32>& bytes() const noexcept { return bytes_; }

private:
    secret_key() = default;
    std::array<std::uint8_t, 32> bytes_{};
};

/// A BIP340 x-only public key: the 32-byte x coordinate of an even-y point.
using public_key = std::array<std::uint8_t, 32>;
/// A BIP340 signature: R's x coordinate, then s.
using signature = std::array<std::uint8_t, 64>;

/// The x-only public key of `k`.
public_key public_key_of(const secret_key& k);

/// Whether `key` is the x coordinate of a point on the curve (what verification first needs).
bool is_valid_public_key(const public_key& key) noexcept;

/// Signs a 32-byte message (callers sign a tagged hash of their canonical bytes). `aux` is
/// BIP340's auxiliary randomness: fresh random bytes when not given.
signature sign(const secret_key& k, const hash256& message, const std::optional<hash256>& aux = std::nullopt);

/// BIP340 verification. False for an invalid key or signature, never an exception: the inputs
/// come from the network.
bool verify(const public_key& key, const hash256& message, const signature& sig) noexcept;

} // namespace beastchain::core
