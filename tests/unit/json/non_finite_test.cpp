#include "json/non_finite.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace blender_bus::json {
namespace {

namespace bj = boost::json;

TEST(NonFinite, FiniteValuesHaveNone) {
  EXPECT_EQ(find_non_finite(bj::parse(R"({"a":[1,2.5,{"b":-1e300}],"c":"1e400"})")), std::nullopt);
}

TEST(NonFinite, ALiteralBeyondTheDoubleRangeIsFoundWithItsPath) {
  // Boost.JSON reads 1e400 as an infinity; JSON cannot write it back.
  EXPECT_EQ(find_non_finite(bj::parse(R"({"progress":1e400})")), "progress");
  EXPECT_EQ(find_non_finite(bj::parse(R"({"payload":{"frames":[1,2,-1e400]}})")),
            "payload.frames[2]");
  EXPECT_EQ(find_non_finite(bj::parse(R"({"m":[[0,[1e999]]]})")), "m[0][1][0]");
  EXPECT_EQ(find_non_finite(bj::parse("1e400")), "");
}

}  // namespace
}  // namespace blender_bus::json
