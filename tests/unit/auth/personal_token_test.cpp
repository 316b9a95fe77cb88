#include "auth/personal_token.hpp"

#include <gtest/gtest.h>

#include <set>

#include "auth/token_lifetime.hpp"

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;

TEST(PersonalTokenTest, HasThePrefixAnd32RandomBytesOfUrlSafeBase64) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string token = generate_personal_token();
    ASSERT_TRUE(is_personal_token(token)) << token;
    const std::string body = token.substr(kPersonalTokenPrefix.size());
    EXPECT_EQ(body.size(), 43u);  // ceil(32 * 4 / 3), no padding
    EXPECT_EQ(body.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(PersonalTokenTest, OnlyThePrefixMakesAPersonalToken) {
  EXPECT_FALSE(is_personal_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
  EXPECT_FALSE(is_personal_token("bmcp"));
  EXPECT_FALSE(is_personal_token("BMCP_abc"));
  EXPECT_TRUE(is_personal_token("bmcp_"));  // then refused as unknown
}

TEST(PersonalTokenTest, NamesAreOnePathSegmentAndOneShellWord) {
  EXPECT_EQ(token_name_problem("render-farm_01.ci"), std::nullopt);
  EXPECT_NE(token_name_problem(""), std::nullopt);
  EXPECT_NE(token_name_problem(std::string(65, 'a')), std::nullopt);
  EXPECT_EQ(token_name_problem(std::string(64, 'a')), std::nullopt);
  for (const char* bad : {"a b", "a/b", "../x", "a%2F", "caf\xc3\xa9", "a;rm"}) {
    EXPECT_NE(token_name_problem(bad), std::nullopt) << bad;
  }
}

TEST(TokenLifetimeTest, ReadsUnitsAndNever) {
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("90d")), TokenLifetime{90 * 24h});
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("12h")), TokenLifetime{12h});
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("30m")), TokenLifetime{30min});
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("5s")), TokenLifetime{5s});
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("never")), TokenLifetime{});
  EXPECT_EQ(std::get<TokenLifetime>(parse_token_lifetime("3650d")), TokenLifetime{3650 * 24h});
}

TEST(TokenLifetimeTest, RefusesWhatIsNotALifetime) {
  for (const char* bad : {"", "d", "0d", "-1d", "90", "90w", "1.5d", "9d9", " 9d", "3651d",
                          "99999999999999999999d", "Never"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_token_lifetime(bad))) << bad;
  }
}

}  // namespace
}  // namespace blender_bus::auth
