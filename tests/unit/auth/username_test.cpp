#include "auth/username.hpp"

#include <gtest/gtest.h>

namespace blender_bus::auth {
namespace {

TEST(Username, QuotesSemicolonsSpacesAndUnicodeAreOrdinaryCharacters) {
  for (const char* name : {"alice", R"(o'brien"; DROP TABLE users; --)", "a b", "ålice-ünï 名前",
                           "\xF0\x9F\x98\x80", "x"}) {
    EXPECT_EQ(username_problem(name), std::nullopt) << name;
  }
}

TEST(Username, EmptyIsRefused) {
  EXPECT_EQ(username_problem(""), "username must not be empty");
}

TEST(Username, AtMost128CharactersNotBytes) {
  EXPECT_EQ(username_problem(std::string(128, 'a')), std::nullopt);
  EXPECT_EQ(username_problem(std::string(129, 'a')), "username is longer than 128 characters");
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "é";  // 256 bytes, 128 characters
  EXPECT_EQ(username_problem(wide), std::nullopt);
  EXPECT_NE(username_problem(wide + "é"), std::nullopt);
}

TEST(Username, InvalidUtf8AndControlCharactersAreRefused) {
  EXPECT_EQ(username_problem("\xff"), "username must be valid UTF-8");
  EXPECT_EQ(username_problem("\xC0\xAF"), "username must be valid UTF-8");      // overlong '/'
  EXPECT_EQ(username_problem("\xED\xA0\x80"), "username must be valid UTF-8");  // surrogate
  EXPECT_EQ(username_problem("\xE2\x82"), "username must be valid UTF-8");      // truncated
  EXPECT_EQ(username_problem(std::string("a\0b", 3)),
            "username must not contain control characters");
  EXPECT_EQ(username_problem("a\nb"), "username must not contain control characters");
  EXPECT_EQ(username_problem("a\x7f"), "username must not contain control characters");
}

}  // namespace
}  // namespace blender_bus::auth
