// Entry point of the integration test binary: real node processes on loopback ports.
#define BOOST_TEST_MODULE beastchain_integration_tests
#include <boost/test/unit_test.hpp>

#include <csignal>

namespace {
// A node killed mid-reply must fail one test's request, not kill the test runner.
struct ignore_sigpipe
{
    ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }
} ignore_sigpipe_instance;
} // namespace
