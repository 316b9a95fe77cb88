#include "auth/password_hasher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace blender_bus::auth {
namespace {

TEST(PasswordHasher, HashesAreArgon2idSaltedAndVerify) {
  const PasswordHasher hasher(PasswordHashCost::minimum());
  const std::string a = hasher.hash("correct horse");
  const std::string b = hasher.hash("correct horse");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u) << a;
  EXPECT_NE(a, b);  // salted
  EXPECT_TRUE(hasher.verify(a, "correct horse"));
  EXPECT_TRUE(hasher.verify(b, "correct horse"));
  EXPECT_FALSE(hasher.verify(a, "correct horsE"));
  EXPECT_FALSE(hasher.verify(a, ""));
}

TEST(PasswordHasher, InteractiveCostIsLibsodiumsRecommendation) {
  const PasswordHasher hasher;  // the production default
  const std::string h = hasher.hash("pw");
  EXPECT_NE(h.find("m=65536,t=2"), std::string::npos) << h;
  EXPECT_TRUE(hasher.verify(h, "pw"));
}

TEST(PasswordHasher, CorruptHashNeverVerifies) {
  const PasswordHasher hasher(PasswordHashCost::minimum());
  EXPECT_FALSE(hasher.verify("", "pw"));
  EXPECT_FALSE(hasher.verify("$argon2id$garbage", "pw"));
  EXPECT_FALSE(hasher.verify("plaintext-pw", "plaintext-pw"));
}

TEST(PasswordHasher, RefusesEmptyAndOverlongPasswords) {
  const PasswordHasher hasher(PasswordHashCost::minimum());
  EXPECT_THROW(hasher.hash(""), std::invalid_argument);
  const std::string longest(PasswordHasher::kMaxPasswordBytes, 'x');
  EXPECT_TRUE(hasher.verify(hasher.hash(longest), longest));
  EXPECT_THROW(hasher.hash(longest + "x"), std::invalid_argument);
}

TEST(PasswordHasher, AMebibytePasswordIsSimplyWrong) {
  const PasswordHasher hasher(PasswordHashCost::minimum());
  const std::string huge(1 << 20, 'p');
  EXPECT_FALSE(hasher.verify(hasher.hash("pw"), huge));
  hasher.verify_dummy(huge);  // must not throw or crash either
}

TEST(PasswordHasher, PasswordsWithNulAndUnicodeWork) {
  const PasswordHasher hasher(PasswordHashCost::minimum());
  const std::string pw = std::string("a\0b", 3) + "ünïcødé";
  const std::string h = hasher.hash(pw);
  EXPECT_TRUE(hasher.verify(h, pw));
  EXPECT_FALSE(hasher.verify(h, "a"));  // not cut at the NUL
}

}  // namespace
}  // namespace blender_bus::auth
