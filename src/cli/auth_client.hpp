#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cli/http_connection.hpp"

namespace blender_bus::cli {

// Tokens the server hands out (SPEC §2, /auth/login and /auth/refresh).
struct TokenGrant {
  std::string access_token;
  std::string refresh_token;  // "" when the server kept the old one
  std::string token_type = "bearer";
  std::int64_t expires_in = 0;
  std::string username;  // from "user", on login
};

// The server refused: bad credentials, a revoked refresh token, a missing
// field. `detail` is the server's own words.
class AuthRefused : public std::runtime_error {
 public:
  AuthRefused(unsigned status, std::string detail);
  unsigned status() const { return status_; }
  const std::string& detail() const { return detail_; }

 private:
  unsigned status_;
  std::string detail_;
};

// POST /auth/login. Throws AuthRefused, HttpError (unexpected status) or a
// system error (network).
boost::asio::awaitable<TokenGrant> login(HttpConnection& connection, const std::string& username,
                                         const std::string& password);
// POST /auth/refresh.
boost::asio::awaitable<TokenGrant> refresh_tokens(HttpConnection& connection,
                                                  const std::string& refresh_token);

}  // namespace blender_bus::cli
