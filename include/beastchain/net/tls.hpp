// TLS contexts: the server's certificate (reloaded on SIGHUP) and the peer client's trust store.
#pragma once

#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}
struct ssl_st; // OpenSSL's SSL

namespace beastchain::net {

/**
 * The server's certificate and key, as an OpenSSL context for TLS 1.2 and newer. Each new
 * connection takes the current context and keeps it for its life, so reload() swaps the
 * certificate for new connections without touching open ones.
 *
 * @par Thread Safety
 * context() and reload() may be called from any thread: each connection's handshake takes the
 * context under a lock while SIGHUP swaps it.
 */
class server_tls
{
public:
    /// Loads both files; throws std::runtime_error with a one-line reason naming the file.
    server_tls(std::string cert_file, std::string key_file);

    /// Reads the files again. On failure the old certificate stays in use and the reason is
    /// returned; on success the result is empty.
    std::string reload();

    std::shared_ptr<boost::asio::ssl::context> context() const;

private:
    std::string cert_file_;
    std::string key_file_;
    mutable std::mutex mutex_; ///< guards context_
    std::shared_ptr<boost::asio::ssl::context> context_;
};

/// The peer client's context: TLS 1.2 or newer, peers verified against `ca_file` when given,
/// else the system's CAs. Throws std::runtime_error with a one-line reason.
std::shared_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file);

/// Before a client handshake: the certificate must name `host` (a DNS name, or an IP literal
/// against the certificate's IP entries), and a name goes out as SNI so a shared front end
/// picks the right certificate. False if OpenSSL refused the setting.
bool expect_peer_name(ssl_st* ssl, const std::string& host);

/// Why a client handshake failed, in words an operator can act on: the certificate check's own
/// reason ("unable to get local issuer certificate", "hostname mismatch") when that failed.
std::string describe_handshake_failure(ssl_st* ssl, const std::string& error_message);

} // namespace beastchain::net
