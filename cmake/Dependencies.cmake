# Finds the Debian 12 packages beastchain builds against: Boost 1.81, OpenSSL 3, libsecp256k1, Threads.
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json program_options url unit_test_framework)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
# Signatures: Debian's libsecp256k1-dev 0.2.0 (BIP340 Schnorr and extrakeys), found by pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1>=0.2.0)
