// OpenSSL contexts built with Asio's ssl::context; failures become one-line reasons.
#include <beastchain/net/tls.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>

namespace beastchain::net {

namespace ssl = boost::asio::ssl;

namespace {

/// TLS 1.2 is the floor: older versions have known breaks and no client we serve needs them.
void harden(ssl::context& ctx)
{
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
        throw std::runtime_error("cannot require TLS 1.2");
}

/// A key file must never wait for a passphrase on a terminal (systemd has none): refuse instead.
int no_passphrase(char*, int, int, void*)
{
    return -1;
}

std::shared_ptr<ssl::context> load_server_context(const std::string& cert_file, const std::string& key_file)
{
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    harden(*ctx);
    // A TLS 1.2 client could otherwise renegotiate in a loop, each round a signature for us that
    // no per-connection budget sees.
    SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    // No resumption: peers open one connection per message and never resume, and a ticket key
    // that lives as long as the process would weaken forward secrecy for those that did.
    SSL_CTX_set_num_tickets(ctx->native_handle(), 0);
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_OFF);
    // Idle keep-alive connections give their record buffers back (about 34 KB each).
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_default_passwd_cb(ctx->native_handle(), no_passphrase);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec)
        throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + ec.message());
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
        throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
    if (ec)
        throw std::runtime_error(
            "cannot load TLS key " + key_file + ": " + ec.message() +
            " (it must be PEM, without a passphrase)"
        );
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
    }
    return ctx;
}

} // namespace

server_tls::server_tls(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file))
    , key_file_(std::move(key_file))
    , context_(load_server_context(cert_file_, key_file_))
{}

std::string server_tls::reload()
{
    try {
        // Loaded outside the lock: handshakes on other I/O threads keep taking the old context.
        auto fresh = load_server_context(cert_file_, key_file_);
        const std::lock_guard lock(mutex_);
        context_ = std::move(fresh);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::shared_ptr<ssl::context> server_tls::context() const
{
    const std::lock_guard lock(mutex_);
    return context_;
}

std::shared_ptr<ssl::context> make_client_tls(const std::string& ca_file)
{
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    harden(*ctx);
    boost::system::error_code ec;
    if (ca_file.empty())
        ctx->set_default_verify_paths(ec);
    else
        ctx->load_verify_file(ca_file, ec);
    if (ec)
        throw std::runtime_error(
            (ca_file.empty() ? std::string("cannot load the system CAs")
                             : "cannot load TLS CA file " + ca_file) +
            ": " + ec.message()
        );
    ctx->set_verify_mode(ssl::verify_peer);
    return ctx;
}

bool expect_peer_name(SSL* ssl, const std::string& host)
{
    boost::system::error_code not_literal;
    const auto literal = boost::asio::ip::make_address(host, not_literal);
    if (!not_literal)
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), literal.to_string().c_str()) == 1;
    return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

std::string describe_handshake_failure(SSL* ssl, const std::string& error_message)
{
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        return std::string("TLS certificate rejected: ") + X509_verify_cert_error_string(verify);
    return "TLS handshake failed: " + error_message;
}

} // namespace beastchain::net
