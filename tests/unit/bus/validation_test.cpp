#include "bus/validation.hpp"

#include <gtest/gtest.h>

namespace blender_bus::bus {
namespace {

TEST(Validation, CountsCodePointsNotBytes) {
  EXPECT_EQ(code_points(""), 0u);
  EXPECT_EQ(code_points("abc"), 3u);
  EXPECT_EQ(code_points("\xC3\xA9t\xC3\xA9"), 3u);  // été
  EXPECT_EQ(code_points("\xF0\x9F\x8E\xA8"), 1u);   // one emoji, four bytes
}

TEST(Validation, LengthAtTheLimitFitsOneMoreDoesNot) {
  EXPECT_EQ(check_length("client_uuid", std::string(256, 'a'), 256), std::nullopt);
  EXPECT_EQ(check_length("client_uuid", std::string(257, 'a'), 256),
            "client_uuid exceeds 256 characters");
}

TEST(Validation, MultiByteCharactersCountOnce) {
  std::string accents;
  for (int i = 0; i < 64; ++i) accents += "\xC3\xA9";  // 64 characters, 128 bytes
  EXPECT_EQ(check_length("client_type", accents, 64), std::nullopt);
  EXPECT_EQ(check_length("client_type", accents + "x", 64), "client_type exceeds 64 characters");
}

TEST(Validation, OptionalAbsentAlwaysFits) {
  EXPECT_EQ(check_optional_length("group_id", std::nullopt, 0), std::nullopt);
  EXPECT_EQ(check_optional_length("group_id", std::string("ab"), 1),
            "group_id exceeds 1 characters");
}

TEST(Validation, Capabilities) {
  Limits limits;
  std::vector<std::string> caps(64, "python_execution");
  EXPECT_EQ(check_capabilities(caps, limits), std::nullopt);
  caps.push_back("one_too_many");
  EXPECT_EQ(check_capabilities(caps, limits), "capabilities exceeds 64 items");
  std::vector<std::string> long_one = {"ok", std::string(129, 'c')};
  EXPECT_EQ(check_capabilities(long_one, limits), "capabilities[1] exceeds 128 characters");
}

}  // namespace
}  // namespace blender_bus::bus
