#include "mcp/session_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "mcp/random_id.hpp"

namespace blender_bus::mcp {
namespace {

TEST(SessionRegistryTest, OnlyTheExactIdFindsASession) {
  SessionRegistry sessions{SessionLimits{}};
  const SessionPtr session = sessions.create("alice");
  EXPECT_EQ(sessions.find(session->id()), session);
  std::string upper = session->id();
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper != session->id()) {  // (an id of digits only has no capitals)
    EXPECT_EQ(sessions.find(upper), nullptr);
  }
  EXPECT_EQ(sessions.find(session->id() + "0"), nullptr);
  EXPECT_EQ(sessions.find(session->id().substr(1)), nullptr);
  EXPECT_EQ(sessions.find(""), nullptr);
}

TEST(RandomIdTest, IdsHaveTheFormIsHexIdAccepts) {
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(is_hex_id(random_hex_id()));
  EXPECT_TRUE(is_hex_id("0123456789abcdef0123456789abcdef"));
  for (const char* text :
       {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef 123456789abcdef"}) {
    EXPECT_FALSE(is_hex_id(text)) << text;
  }
}

}  // namespace
}  // namespace blender_bus::mcp
