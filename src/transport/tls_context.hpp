#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <stdexcept>
#include <string>

namespace blender_bus::transport {

// A certificate or key file that cannot serve TLS; says which of the two.
class TlsFileError : public std::runtime_error {
 public:
  enum class File { certificate_chain, private_key };
  TlsFileError(File file, const std::string& message) : std::runtime_error(message), file_(file) {}
  File file() const { return file_; }

 private:
  File file_;
};

// The server's TLS context (OpenSSL): TLS 1.2 or newer, forward-secret AEAD
// ciphers only for TLS 1.2 (TLS 1.3's are all of that kind), the
// certificate chain and its private key from PEM files. Throws TlsFileError
// when a file cannot be read or parsed, or the key does not match the
// certificate. Shared by every connection (OpenSSL's context is thread-safe
// once set up).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(
    const std::string& certificate_chain_file, const std::string& private_key_file);

}  // namespace blender_bus::transport
