#include "cli/token_expiry.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

// {"alg":"HS256","typ":"JWT"} . {"sub":"ann","exp":1700000000} . signature
constexpr const char* kToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbm4iLCJleHAiOjE3MDAwMDAwMDB9.c2ln";

TEST(TokenExpiry, ReadsExpFromThePayload) {
  EXPECT_EQ(token_expiry(kToken), 1700000000);
}

TEST(TokenExpiry, NoExpOrNotAJwt) {
  // {"sub":"ann"}
  EXPECT_FALSE(token_expiry("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.x"));
  EXPECT_FALSE(token_expiry("opaque-token"));
  EXPECT_FALSE(token_expiry("a.!!!.c"));
  EXPECT_FALSE(token_expiry(""));
}

TEST(TokenExpiry, ExpiredWithinLeeway) {
  EXPECT_TRUE(token_expired(kToken, 1700000000));
  EXPECT_TRUE(token_expired(kToken, 1699999990, 30));
  EXPECT_FALSE(token_expired(kToken, 1699999000, 30));
  EXPECT_FALSE(token_expired("opaque-token", 0));  // unknown expiry: let the server judge
}

TEST(TokenExpiry, AnExpBeyond64BitsIsTheLatest) {
  // {"sub":"ann","exp":1e300}: the server's token, read by the CLI; a cast of
  // 1e300 to an integer was undefined (and, here, read as long expired).
  constexpr const char* kFarFuture = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4iLCJleHAiOjFlMzAwfQ.x";
  EXPECT_EQ(token_expiry(kFarFuture), INT64_MAX);
  EXPECT_FALSE(token_expired(kFarFuture, 1700000000, 30));
}

}  // namespace
}  // namespace blender_bus::cli
