// TLS for tests: a throwaway CA and certificates made with the openssl command, and an HTTPS client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http_client.hpp"

namespace beastchain::test {

/// A CA with a node certificate for 127.0.0.1 and localhost, a second unrelated CA, and a second
/// node certificate from the first CA with another subject (for reloads). Removed when destroyed.
struct test_pki
{
    test_pki(); ///< runs `openssl`; throws std::runtime_error with its output if that fails
    ~test_pki();
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    std::string dir;
    std::string ca;                            ///< PEM: the CA that signed both node certificates
    std::string cert, key;                     ///< CN=node-one, SAN IP:127.0.0.1, DNS:localhost
    std::string second_cert, second_key;       ///< CN=node-two, same names, same CA
    std::string name_only_cert, name_only_key; ///< CN=node-three, DNS:localhost only (no IP entry)
    std::string other_ca;                      ///< PEM: a CA that signed nothing here
};

struct https_options
{
    std::string ca_file = {};          ///< trust; empty: verify nothing (to reach a node anyway)
    std::string address = "127.0.0.1"; ///< where to connect
    std::string host = "127.0.0.1";    ///< checked against the certificate, and sent as SNI if a name
    int max_version = 0;               ///< e.g. TLS1_1_VERSION, to offer only old protocols
    std::chrono::milliseconds timeout{10'000};
};

struct https_result : http_result
{
    std::string peer_subject; ///< the server certificate's CN
};

/// A kept-alive HTTPS connection: several requests over one handshake.
class https_connection
{
public:
    /// Connects and handshakes; throws std::runtime_error naming the failure (the certificate
    /// check's reason when that failed).
    https_connection(std::uint16_t port, https_options opts = {});
    ~https_connection();

    https_result call(const std::string& method, const std::string& target, const std::string& body = {});
    const std::string& peer_subject() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// One request on a fresh HTTPS connection.
inline https_result https_call(
    std::uint16_t port,
    const std::string& method,
    const std::string& target,
    const https_options& opts = {},
    const std::string& body = {}
)
{
    return https_connection(port, opts).call(method, target, body);
}

} // namespace beastchain::test
