#include "tools/tool_arguments.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>

namespace blender_bus::tools {
namespace {

namespace json = boost::json;

// The schemas accept integral numbers of any size as integers; the readers
// must then take them without an undefined cast (found by the
// tool_arguments fuzzer).
TEST(ToolArgumentsTest, APriorityBeyond64BitsKeepsItsSpelling) {
  EXPECT_EQ(priority_arg(json::object{{"priority", 5.0}}, "priority"), "5");
  EXPECT_EQ(priority_arg(json::object{{"priority", -2.0}}, "priority"), "-2");
  const json::value huge = json::parse("1e30");
  EXPECT_EQ(priority_arg(json::object{{"priority", huge}}, "priority"), json::serialize(huge));
}

TEST(ToolArgumentsTest, ACursorBeyond64BitsIsTheLargestCursor) {
  EXPECT_EQ(uint_arg(json::object{{"after", 7.0}}, "after"), 7u);
  EXPECT_EQ(uint_arg(json::object{{"after", json::parse("1e30")}}, "after"), UINT64_MAX);
  EXPECT_EQ(uint_arg(json::object{{"after", json::parse("18446744073709551616.0")}}, "after"),
            UINT64_MAX);
}

}  // namespace
}  // namespace blender_bus::tools
