#include "cli/send_target.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

TEST(SendTarget, EachFormMapsToItsRoutingArgument) {
  EXPECT_EQ(SendTarget::parse("uuid:abc").routing_arguments(),
            (json::object{{"target_uuid", "abc"}}));
  EXPECT_EQ(SendTarget::parse("group:render-cluster").routing_arguments(),
            (json::object{{"group_id", "render-cluster"}}));
  EXPECT_EQ(SendTarget::parse("type:blender").routing_arguments(),
            (json::object{{"client_type", "blender"}}));
  EXPECT_TRUE(SendTarget::parse("broadcast").routing_arguments().empty());
}

TEST(SendTarget, ValueMayContainColons) {
  EXPECT_EQ(SendTarget::parse("uuid:a:b").value, "a:b");
}

TEST(SendTarget, RejectsUnknownOrEmpty) {
  EXPECT_THROW(SendTarget::parse("host:x"), std::invalid_argument);
  EXPECT_THROW(SendTarget::parse("uuid:"), std::invalid_argument);
  EXPECT_THROW(SendTarget::parse("group"), std::invalid_argument);
  EXPECT_THROW(SendTarget::parse(""), std::invalid_argument);
}

TEST(SendTarget, CheckIsEmptyOrParsesMessage) {
  EXPECT_EQ(SendTarget::check("type:blender"), "");
  EXPECT_EQ(SendTarget::check("host:x"),
            "unknown target 'host:x': use uuid:X, group:X, type:X or broadcast");
}

}  // namespace
}  // namespace blender_bus::cli
