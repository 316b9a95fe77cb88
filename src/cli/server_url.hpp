#pragma once

#include <string>
#include <string_view>

namespace blender_bus::cli {

// The server's base address as the user gives it ("http://127.0.0.1:8000",
// "https://bus.example.org", optionally with a path prefix when behind a
// proxy), and for https:// whom to trust: the system's certificate
// authorities (OpenSSL's default paths, which honour $SSL_CERT_FILE), or a
// private CA's certificate file.
class ServerUrl {
 public:
  // Throws std::invalid_argument with a readable reason.
  static ServerUrl parse(std::string_view text);

  bool secure() const { return secure_; }  // https://
  // A PEM file of the CA(s) that signed the server's certificate, trusted
  // instead of the system's; "" for the system's.
  const std::string& ca_file() const { return ca_file_; }
  void set_ca_file(std::string path) { ca_file_ = std::move(path); }

  const std::string& host() const { return host_; }  // without IPv6 brackets
  const std::string& port() const { return port_; }
  // The value of the Host header ("127.0.0.1:8000", "[::1]:8000").
  const std::string& authority() const { return authority_; }
  // A request target under the base path: target("/mcp") -> "/prefix/mcp".
  std::string target(std::string_view path) const;
  // Normalized, without trailing slash: "http://127.0.0.1:8000" (always
  // with a port: "https://bus.example.org:443").
  const std::string& base() const { return base_; }

 private:
  std::string host_;
  std::string port_;
  std::string authority_;
  std::string path_;  // "" or "/prefix" (no trailing slash)
  std::string base_;
  bool secure_ = false;
  std::string ca_file_;
};

}  // namespace blender_bus::cli
