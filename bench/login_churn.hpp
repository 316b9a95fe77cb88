#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "soak_state.hpp"

namespace blender_bus::bench {

// Logins coming and going, as people and scripts do: every `interval` a
// login of `username` (argon2id on the server), its profile, a refresh
// (rotation: the old refresh token must then be refused), a logout (the
// refresh token must then be refused too); now and then a wrong password
// (401, or 429 once the server throttles). Its own user, so that logging
// out never touches the traffic's tokens.
class LoginChurn {
 public:
  LoginChurn(SoakState& state, std::string username, std::chrono::milliseconds interval);

  boost::asio::awaitable<void> run();

 private:
  SoakState& state_;
  std::string username_;
  std::chrono::milliseconds interval_;
};

}  // namespace blender_bus::bench
