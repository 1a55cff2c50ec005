// BIP340 through libsecp256k1: one randomized signing context, the static one for verification.
#include <beastchain/core/keys.hpp>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <stdexcept>

namespace beastchain::core {

namespace {

void random_bytes(std::span<std::uint8_t> out)
{
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
        throw std::runtime_error("the system's random source failed");
}

/// Created and randomized once (side-channel blinding), then only read: libsecp256k1 allows
/// that from many threads at once.
const secp256k1_context* signing_context()
{
    static const secp256k1_context* ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        std::array<std::uint8_t, 32> seed{};
        random_bytes(seed);
        if (c == nullptr || secp256k1_context_randomize(c, seed.data()) != 1)
            throw std::runtime_error("cannot create a secp256k1 context");
        OPENSSL_cleanse(seed.data(), seed.size());
        return c;
    }();
    return ctx;
}

/// A keypair for `k`, wiped by its destructor.
struct keypair
{
    secp256k1_keypair kp{};
    explicit keypair(const secret_key& k)
    {
        if (secp256k1_keypair_create(signing_context(), &kp, k.bytes().data()) != 1)
            throw std::logic_error("a secret_key holds an invalid scalar"); // from_bytes checked it
    }
    ~keypair() { OPENSSL_cleanse(&kp, sizeof kp); }
    keypair(const keypair&) = delete;
    keypair& operator=(const keypair&) = delete;
};

/// The library's static context, after its one-time self-test (which its header asks for).
const secp256k1_context* static_context()
{
    static const secp256k1_context* ctx = [] {
        secp256k1_selftest();
        return secp256k1_context_static;
    }();
    return ctx;
}

} // namespace

secret_key secret_key::generate()
{
    std::array<std::uint8_t, 32> bytes{};
    for (;;) { // a random 256-bit string is a valid scalar with probability 1 - 2^-128
        random_bytes(bytes);
        if (auto k = from_bytes(bytes)) {
            OPENSSL_cleanse(bytes.data(), bytes.size());
            return *k;
        }
    }
}

std::optional<secret_key> secret_key::from_bytes(std::span<const std::uint8_t, 32> bytes)
{
    if (secp256k1_ec_seckey_verify(static_context(), bytes.data()) != 1)
        return std::nullopt;
    secret_key k;
    std::copy(bytes.begin(), bytes.end(), k.bytes_.begin());
    return k;
}

secret_key::~secret_key()
{
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

public_key public_key_of(const secret_key& k)
{
    const keypair kp(k);
    secp256k1_xonly_pubkey xonly;
    public_key out{};
    if (secp256k1_keypair_xonly_pub(signing_context(), &xonly, nullptr, &kp.kp) != 1 ||
        secp256k1_xonly_pubkey_serialize(signing_context(), out.data(), &xonly) != 1)
        throw std::logic_error("secp256k1 could not derive a public key");
    return out;
}

bool is_valid_public_key(const public_key& key) noexcept
{
    secp256k1_xonly_pubkey parsed;
    return secp256k1_xonly_pubkey_parse(static_context(), &parsed, key.data()) == 1;
}

signature sign(const secret_key& k, const hash256& message, const std::optional<hash256>& aux)
{
    hash256 rand{};
    if (aux)
        rand = *aux;
    else
        random_bytes(rand);
    const keypair kp(k);
    signature sig{};
    if (secp256k1_schnorrsig_sign32(signing_context(), sig.data(), message.data(), &kp.kp, rand.data()) != 1)
        throw std::logic_error("secp256k1 could not sign");
    return sig;
}

bool verify(const public_key& key, const hash256& message, const signature& sig) noexcept
{
    secp256k1_xonly_pubkey parsed;
    if (secp256k1_xonly_pubkey_parse(static_context(), &parsed, key.data()) != 1)
        return false;
    return secp256k1_schnorrsig_verify(
               static_context(), sig.data(), message.data(), message.size(), &parsed
           ) == 1;
}

} // namespace beastchain::core
