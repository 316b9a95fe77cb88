#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace blender_bus::cli {

// The bearer token a client presents, and how to get a new one when the
// server says it expired. Shared by a client's POST connection and its event
// stream, so a refresh by one serves both.
class BearerAuth {
 public:
  // Returns a fresh access token, or nullopt when none can be had.
  using Refresher = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

  BearerAuth() = default;
  explicit BearerAuth(std::string token, Refresher refresher = {});

  bool empty() const { return token_.empty(); }
  const std::string& token() const { return token_; }
  // "Bearer <token>", or "" when there is no token (a server run with --auth none).
  std::string header_value() const;

  // Called after a 401. True when a new token was obtained, so the request is
  // worth one more try. `rejected` is the token the server refused: when
  // another request already refreshed it, no second refresh is made; when
  // one is under way, the others wait for it instead of starting their own
  // (refresh tokens rotate: a second refresh with the same one would fail).
  boost::asio::awaitable<bool> refresh(const std::string& rejected);

 private:
  std::string token_;
  Refresher refresher_;
  // Set while a refresh runs; its waiters wake when it is cancelled.
  std::shared_ptr<boost::asio::steady_timer> refreshing_;
};

}  // namespace blender_bus::cli
