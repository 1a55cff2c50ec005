# Finds the Debian 12 packages beastchain builds against: Boost 1.81, OpenSSL 3, Threads.
set(Boost_NO_WARN_NEW_VERSIONS ON)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json program_options url unit_test_framework)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
