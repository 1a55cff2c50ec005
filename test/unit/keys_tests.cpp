// BIP340 through our wrapper: the published test vectors, then the failure paths.
#include <beastchain/core/address.hpp>
#include <beastchain/core/keys.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

using namespace beastchain;

namespace {

struct bip340_vector
{
    int index;
    const char* secret_key; ///< empty: a verification-only vector
    const char* public_key;
    const char* aux_rand;
    const char* message;
    const char* signature;
    bool valid;
};

// bip-0340/test-vectors.csv from github.com/bitcoin/bips at 7e8b5dfc (vectors 0-14, 32-byte messages).
// clang-format off
const bip340_vector vectors[] = {
    {0, "0000000000000000000000000000000000000000000000000000000000000003", "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9", "0000000000000000000000000000000000000000000000000000000000000000", "0000000000000000000000000000000000000000000000000000000000000000", "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0", true},
    {1, "B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "0000000000000000000000000000000000000000000000000000000000000001", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A", true},
    {2, "C90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B14E5C9", "DD308AFEC5777E13121FA72B9CC1B7CC0139715309B086C960E18FD969774EB8", "C87AA53824B4D7AE2EB035A2B5BBBCCC080E76CDC6D1692C4B0B62D798E6D906", "7E2D58D8B3BCDF1ABADEC7829054F90DDA9805AAB56C77333024B9D0A508B75C", "5831AAEED7B44BB74E5EAB94BA9D4294C49BCF2A60728D8B4C200F50DD313C1BAB745879A5AD954A72C45A91C3A51D3C7ADEA98D82F8481E0E1E03674A6F3FB7", true},
    {3, "0B432B2677937381AEF05BB02A66ECD012773062CF3FA2549E44F58ED2401710", "25D1DFF95105F5253C4022F628A996AD3A0D95FBF21D468A1B33F8C160D8F517", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "7EB0509757E246F19449885651611CB965ECC1A187DD51B64FDA1EDC9637D5EC97582B9CB13DB3933705B32BA982AF5AF25FD78881EBB32771FC5922EFC66EA3", true}, // test fails if msg is reduced modulo p or n
    {4, "", "D69C3509BB99E412E68B0FE8544E72837DFA30746D8BE2AA65975F29D22DC7B9", "", "4DF3C3F68FCC83B27E9D42C90431A72499F17875C81A599B566C9889B9696703", "00000000000000000000003B78CE563F89A0ED9414F5AA28AD0D96D6795F9C6376AFB1548AF603B3EB45C9F8207DEE1060CB71C04E80F593060B07D28308D7F4", true},
    {5, "", "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false}, // public key not on the curve
    {6, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "FFF97BD5755EEEA420453A14355235D382F6472F8568A18B2F057A14602975563CC27944640AC607CD107AE10923D9EF7A73C643E166BE5EBEAFA34B1AC553E2", false}, // has_even_y(R) is false
    {7, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "1FA62E331EDBC21C394792D2AB1100A7B432B013DF3F6FF4F99FCB33E0E1515F28890B3EDB6E7189B630448B515CE4F8622A954CFE545735AAEA5134FCCDB2BD", false}, // negated message
    {8, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769961764B3AA9B2FFCB6EF947B6887A226E8D7C93E00C5ED0C1834FF0D0C2E6DA6", false}, // negated s value
    {9, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "0000000000000000000000000000000000000000000000000000000000000000123DDA8328AF9C23A94C1FEECFD123BA4FB73476F0D594DCB65C6425BD186051", false}, // sG - eP is infinite (x(inf) as 0)
    {10, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "00000000000000000000000000000000000000000000000000000000000000017615FBAF5AE28864013C099742DEADB4DBA87F11AC6754F93780D5A1837CF197", false}, // sG - eP is infinite (x(inf) as 1)
    {11, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false}, // sig[0:32] is not an X coordinate on the curve
    {12, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F69E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false}, // sig[0:32] is equal to field size
    {13, "", "DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E177769FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", false}, // sig[32:64] is equal to curve order
    {14, "", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30", "", "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89", "6CFF5C3BA86C69EA4B7376F31A9BCB4F74C1976089B2D9963DA2E5543E17776969E89B4C5564D00349106B8497785DD7D1D713A8AE82B32FA79D5F7FC407D39B", false}, // public key exceeds the field size
};
// clang-format on

template <std::size_t N> std::array<std::uint8_t, N> bytes(const std::string& hex)
{
    std::array<std::uint8_t, N> out{};
    BOOST_TEST_REQUIRE(core::bytes_from_hex(hex, out), hex);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(keys_tests)

BOOST_AUTO_TEST_CASE(the_bip340_vectors_sign_and_verify_as_published)
{
    int signed_ = 0, valid = 0, invalid = 0;
    for (const auto& v : vectors) {
        BOOST_TEST_CONTEXT("vector " << v.index)
        {
            const auto key = bytes<32>(v.public_key);
            const auto message = bytes<32>(v.message);
            const auto sig = bytes<64>(v.signature);
            if (*v.secret_key != '\0') {
                const auto sk = core::secret_key::from_bytes(bytes<32>(v.secret_key));
                BOOST_TEST_REQUIRE(sk.has_value());
                BOOST_TEST(core::public_key_of(*sk) == key);
                BOOST_TEST(core::sign(*sk, message, bytes<32>(v.aux_rand)) == sig);
                ++signed_;
            }
            BOOST_TEST(core::verify(key, message, sig) == v.valid);
            ++(v.valid ? valid : invalid);
        }
    }
    BOOST_TEST(signed_ == 4);
    BOOST_TEST(valid == 5);
    BOOST_TEST(invalid == 10);
    // Vectors 5 and 14 fail on the key itself.
    BOOST_TEST(!core::is_valid_public_key(bytes<32>(vectors[5].public_key)));
    BOOST_TEST(!core::is_valid_public_key(bytes<32>(vectors[14].public_key)));
    BOOST_TEST(core::is_valid_public_key(bytes<32>(vectors[6].public_key)));
}

BOOST_AUTO_TEST_CASE(fresh_keys_sign_what_they_sign_and_nothing_else)
{
    const auto sk = core::secret_key::generate();
    const auto pk = core::public_key_of(sk);
    const auto message = core::sha256(std::string_view("pay bob 5"));
    const auto sig = core::sign(sk, message);
    BOOST_TEST(core::verify(pk, message, sig));
    // Fresh auxiliary randomness: two signatures of one message differ, and both verify.
    const auto again = core::sign(sk, message);
    BOOST_TEST(again != sig);
    BOOST_TEST(core::verify(pk, message, again));

    auto other_message = message;
    other_message[31] ^= 1;
    BOOST_TEST(!core::verify(pk, other_message, sig));
    auto bent = sig;
    bent[63] ^= 1;
    BOOST_TEST(!core::verify(pk, message, bent));
    const auto stranger = core::public_key_of(core::secret_key::generate());
    BOOST_TEST(!core::verify(stranger, message, sig));
    BOOST_TEST(core::public_key_of(core::secret_key::generate()) != pk);
}

BOOST_AUTO_TEST_CASE(secret_keys_outside_the_curve_order_are_refused)
{
    std::array<std::uint8_t, 32> zero{};
    BOOST_TEST(!core::secret_key::from_bytes(zero).has_value());
    const auto n = bytes<32>("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
    BOOST_TEST(!core::secret_key::from_bytes(n).has_value());
    auto below = n;
    below[31] -= 1; // n - 1: the largest valid key
    BOOST_TEST(core::secret_key::from_bytes(below).has_value());
}

BOOST_AUTO_TEST_CASE(addresses_name_their_key_and_refuse_typos)
{
    const auto pk = core::public_key_of(core::secret_key::generate());
    const std::string address = core::address_of(pk);
    BOOST_TEST(address.size() == core::address_chars);
    BOOST_TEST(address.starts_with("bc"));
    const auto back = core::public_key_from_address(address);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(*back == pk);

    // Every single-digit change anywhere is caught: by the checksum or by the curve.
    int caught = 0;
    for (std::size_t i = 2; i < address.size(); ++i) {
        std::string typo = address;
        typo[i] = typo[i] == '0' ? '1' : '0';
        caught += !core::public_key_from_address(typo).has_value();
    }
    BOOST_TEST(caught == static_cast<int>(address.size() - 2));

    std::string upper = address;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(!core::public_key_from_address(upper).has_value());
    BOOST_TEST(!core::public_key_from_address("xx" + address.substr(2)).has_value());
    BOOST_TEST(!core::public_key_from_address(address.substr(0, 73)).has_value());
    BOOST_TEST(!core::public_key_from_address(address + "0").has_value());
    BOOST_TEST(!core::public_key_from_address("addr1").has_value()); // a tutorial address
    // A checksum that matches a key that is no point on the curve (BIP340 vector 5's key).
    const auto off_curve = bytes<32>("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34");
    BOOST_TEST(!core::public_key_from_address(core::address_of(off_curve)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
