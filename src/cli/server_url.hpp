#pragma once

#include <string>
#include <string_view>

namespace blender_bus::cli {

// The server's base address as the user gives it ("http://127.0.0.1:8000",
// optionally with a path prefix when behind a proxy). Plain HTTP only: the
// server speaks HTTP/1.1 and is meant to sit behind a TLS proxy if exposed.
class ServerUrl {
 public:
  // Throws std::invalid_argument with a readable reason.
  static ServerUrl parse(std::string_view text);

  const std::string& host() const { return host_; }  // without IPv6 brackets
  const std::string& port() const { return port_; }
  // The value of the Host header ("127.0.0.1:8000", "[::1]:8000").
  const std::string& authority() const { return authority_; }
  // A request target under the base path: target("/mcp") -> "/prefix/mcp".
  std::string target(std::string_view path) const;
  // Normalized, without trailing slash: "http://127.0.0.1:8000".
  const std::string& base() const { return base_; }

 private:
  std::string host_;
  std::string port_;
  std::string authority_;
  std::string path_;  // "" or "/prefix" (no trailing slash)
  std::string base_;
};

}  // namespace blender_bus::cli
