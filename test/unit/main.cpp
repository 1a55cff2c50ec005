// Entry point of the unit test binary (Boost.Test); suites live one per file.
#define BOOST_TEST_MODULE beastchain_unit_tests
#include <boost/test/unit_test.hpp>
