#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace blender_bus::transport {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites without finite-field DHE (which
// would need parameters of our own).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string reason(const boost::system::system_error& e) {
  return e.code().message();
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const std::string& certificate_chain_file,
                                                      const std::string& private_key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    throw std::runtime_error("OpenSSL refused the TLS settings");
  }
  // An idle connection (an SSE stream waiting for news) gives its read and
  // write buffers back: ~34 KiB each, times thousands of streams.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  try {
    context->use_certificate_chain_file(certificate_chain_file);
  } catch (const boost::system::system_error& e) {
    throw TlsFileError(
        TlsFileError::File::certificate_chain,
        certificate_chain_file + ": not a usable PEM certificate chain (" + reason(e) + ")");
  }
  // No prompt on the terminal for an encrypted key: it fails to load instead.
  context->set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); });
  // OpenSSL checks here that the key is the certificate's.
  try {
    context->use_private_key_file(private_key_file, ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    const auto code = static_cast<unsigned long>(e.code().value());
    if (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      throw TlsFileError(
          TlsFileError::File::private_key,
          private_key_file + ": does not match the certificate in " + certificate_chain_file);
    }
    throw TlsFileError(TlsFileError::File::private_key,
                       private_key_file +
                           ": not a usable PEM private key, which must be "
                           "unencrypted (" +
                           reason(e) + ")");
  }
  return context;
}

}  // namespace blender_bus::transport
