#include "bus/validation.hpp"

#include <gtest/gtest.h>

namespace blender_bus::bus {
namespace {

TEST(Validation, LengthAtTheLimitFitsOneMoreByteDoesNot) {
  EXPECT_EQ(check_length("client_uuid", std::string(256, 'a'), 256), std::nullopt);
  EXPECT_EQ(check_length("client_uuid", std::string(257, 'a'), 256),
            "client_uuid exceeds 256 bytes");
}

TEST(Validation, MultiByteCharactersCountTheirBytes) {
  std::string accents;
  for (int i = 0; i < 128; ++i) accents += "\xC3\xA9";  // 128 characters, 256 bytes
  EXPECT_EQ(check_length("client_type", accents, 256), std::nullopt);
  EXPECT_EQ(check_length("client_type", accents + "x", 256), "client_type exceeds 256 bytes");
}

TEST(Validation, OptionalAbsentAlwaysFits) {
  EXPECT_EQ(check_optional_length("group_id", std::nullopt, 0), std::nullopt);
  EXPECT_EQ(check_optional_length("group_id", std::string("ab"), 1), "group_id exceeds 1 bytes");
}

TEST(Validation, Capabilities) {
  Limits limits;
  std::vector<std::string> caps(64, "python_execution");
  EXPECT_EQ(check_capabilities(caps, limits), std::nullopt);
  caps.push_back("one_too_many");
  EXPECT_EQ(check_capabilities(caps, limits), "capabilities exceeds 64 items");
  std::vector<std::string> long_one = {"ok", std::string(257, 'c')};
  EXPECT_EQ(check_capabilities(long_one, limits), "capabilities[1] exceeds 256 bytes");
  EXPECT_EQ(check_capabilities({std::string(256, 'c')}, limits), std::nullopt);
}

}  // namespace
}  // namespace blender_bus::bus
