#include "auth/token_config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;

TEST(TokenConfig, DefaultsAreThirtyMinutesAndSevenDays) {
  TokenConfig config;
  apply_token_lifetimes(config, std::nullopt, std::string());
  EXPECT_EQ(config.access_lifetime, 30min);
  EXPECT_EQ(config.refresh_lifetime, std::chrono::hours(7 * 24));
}

TEST(TokenConfig, ReadsTheVariables) {
  TokenConfig config;
  apply_token_lifetimes(config, std::string("5"), std::string("2"));
  EXPECT_EQ(config.access_lifetime, 5min);
  EXPECT_EQ(config.refresh_lifetime, 48h);
}

TEST(TokenConfig, BadValuesNameTheVariable) {
  for (const char* bad : {"0", "-3", "ten", "5m", " 5", "99999999999999999999"}) {
    TokenConfig config;
    try {
      apply_token_lifetimes(config, std::string(bad), std::nullopt);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("ACCESS_TOKEN_EXPIRE_MINUTES"), std::string::npos);
    }
    EXPECT_THROW(apply_token_lifetimes(config, std::nullopt, std::string(bad)),
                 std::invalid_argument);
  }
}

}  // namespace
}  // namespace blender_bus::auth
