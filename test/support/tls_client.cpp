// Test TLS: certificates from the openssl command, and a Beast ssl_stream client run to completion per call.
#include "tls_client.hpp"

#include <beastchain/net/tls.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <stdlib.h>

#include "node_process.hpp"

namespace beastchain::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace net = beastchain::net;
using tcp = asio::ip::tcp;

namespace {

void openssl(std::vector<std::string> args)
{
    const run_result r = run_program("/usr/bin/openssl", args);
    if (r.exit_code != 0)
        throw std::runtime_error("openssl " + args.at(0) + " failed: " + r.err);
}

/// A P-256 key and a certificate for `names` (127.0.0.1 and localhost by default) signed by the CA in `dir`.
void make_node_cert(
    const std::string& dir, const std::string& name, const std::string& names = "IP:127.0.0.1,DNS:localhost"
)
{
    const std::string base = dir + "/" + name;
    openssl(
        {"req",
         "-newkey",
         "ec",
         "-pkeyopt",
         "ec_paramgen_curve:P-256",
         "-nodes",
         "-keyout",
         base + ".key",
         "-out",
         base + ".csr",
         "-subj",
         "/CN=" + name}
    );
    {
        std::ofstream ext(base + ".ext");
        ext << "subjectAltName=" << names << "\nextendedKeyUsage=serverAuth\n";
    }
    openssl(
        {"x509",
         "-req",
         "-in",
         base + ".csr",
         "-CA",
         dir + "/ca.pem",
         "-CAkey",
         dir + "/ca.key",
         "-CAcreateserial",
         "-days",
         "2",
         "-out",
         base + ".pem",
         "-extfile",
         base + ".ext"}
    );
}

void make_ca(const std::string& dir, const std::string& name)
{
    openssl(
        {"req",
         "-x509",
         "-newkey",
         "ec",
         "-pkeyopt",
         "ec_paramgen_curve:P-256",
         "-nodes",
         "-keyout",
         dir + "/" + name + ".key",
         "-out",
         dir + "/" + name + ".pem",
         "-days",
         "2",
         "-subj",
         "/CN=beastchain test " + name}
    );
}

std::string common_name(SSL* ssl)
{
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert == nullptr)
        return {};
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    X509_free(cert);
    return cn;
}

} // namespace

test_pki::test_pki()
{
    char tmpl[] = "/tmp/beastchain-pki-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    make_ca(dir, "other-ca");
    make_ca(dir, "ca");
    make_node_cert(dir, "node-one");
    make_node_cert(dir, "node-two");
    make_node_cert(dir, "node-three", "DNS:localhost");
    ca = dir + "/ca.pem";
    other_ca = dir + "/other-ca.pem";
    cert = dir + "/node-one.pem";
    key = dir + "/node-one.key";
    second_cert = dir + "/node-two.pem";
    second_key = dir + "/node-two.key";
    name_only_cert = dir + "/node-three.pem";
    name_only_key = dir + "/node-three.key";
}

test_pki::~test_pki()
{
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

struct https_connection::impl
{
    explicit impl(const https_options& o)
        : opts(o)
        , ctx(ssl::context::tls_client)
        , stream(ioc, ctx)
    {}

    /// Runs one coroutine to completion on the private io_context; rethrows what it threw.
    template <class T> T run(asio::awaitable<T> op)
    {
        auto done = asio::co_spawn(ioc, std::move(op), asio::use_future);
        ioc.restart();
        ioc.run();
        return done.get();
    }

    asio::awaitable<void> connect(std::uint16_t port)
    {
        beast::get_lowest_layer(stream).expires_after(opts.timeout);
        co_await beast::get_lowest_layer(stream).async_connect(
            tcp::endpoint(asio::ip::make_address(opts.address), port), asio::use_awaitable
        );
        try {
            co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error(
                net::describe_handshake_failure(stream.native_handle(), e.code().message())
            );
        }
        subject = common_name(stream.native_handle());
    }

    asio::awaitable<https_result> exchange(http::request<http::string_body> req)
    {
        beast::get_lowest_layer(stream).expires_after(opts.timeout);
        co_await http::async_write(stream, req, asio::use_awaitable);
        http::response_parser<http::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
        https_result out;
        static_cast<http_result&>(out) = to_result(parser.release());
        out.peer_subject = subject;
        co_return out;
    }

    https_options opts;
    asio::io_context ioc;
    ssl::context ctx;
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::string subject;
};

https_connection::https_connection(std::uint16_t port, https_options opts)
    : impl_(std::make_unique<impl>(opts))
{
    if (opts.max_version != 0) {
        // OpenSSL 3 refuses TLS 1.0/1.1 on this side too at its default security level; lowered,
        // the old protocol is really offered and only the server's floor can refuse it.
        SSL_set_security_level(impl_->stream.native_handle(), 0);
        SSL_set_cipher_list(impl_->stream.native_handle(), "DEFAULT:@SECLEVEL=0");
        SSL_set_max_proto_version(impl_->stream.native_handle(), opts.max_version);
    }
    SSL* ssl = impl_->stream.native_handle();
    if (!opts.ca_file.empty()) {
        impl_->ctx.load_verify_file(opts.ca_file);
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    }
    if (!net::expect_peer_name(ssl, opts.host))
        throw std::runtime_error("cannot set the TLS peer name " + opts.host);
    try {
        impl_->run(impl_->connect(port));
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string("TLS connection failed: ") + e.code().message());
    }
}

https_connection::~https_connection() = default;

https_result
https_connection::call(const std::string& method, const std::string& target, const std::string& body)
{
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, impl_->opts.host);
    if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    try {
        return impl_->run(impl_->exchange(std::move(req)));
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(method + " " + target + " over TLS failed: " + e.code().message());
    }
}

const std::string& https_connection::peer_subject() const
{
    return impl_->subject;
}

} // namespace beastchain::test
