#include "bus/client_info.hpp"

#include <gtest/gtest.h>

#include "json/serializer.hpp"

namespace blender_bus::bus {
namespace {

TEST(ClientInfo, WireShapeHasExactlyTheSpecKeysInOrder) {
  ClientInfo c;
  c.uuid = "blender-abc";
  c.client_type = "blender";
  c.is_persistent = true;
  c.capabilities = {"python_execution", "rendering"};
  c.group_id = "render-cluster";
  c.connected_at = 1.5;
  c.last_seen = 2.25;
  c.session_id = "secret-session";  // never on the wire
  c.label = "Studio PC";
  EXPECT_EQ(
      blender_bus::json::to_text(c.to_json()),
      R"({"uuid":"blender-abc","client_type":"blender","is_persistent":true,)"
      R"("capabilities":["python_execution","rendering"],"group_id":"render-cluster",)"
      R"("connected_at":1.5,"last_seen":2.25,"label":"Studio PC","online":false,)"
      R"("last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0})");
}

TEST(ClientInfo, TimestampsAreWrittenAsPythonWritesThem) {
  ClientInfo c;
  c.connected_at = 1796125004.967525;
  c.last_seen = 1796125010.0;
  const std::string text = blender_bus::json::to_text(c.to_json());
  EXPECT_NE(text.find(R"("connected_at":1796125004.967525,"last_seen":1796125010.0,)"),
            std::string::npos)
      << text;
}

TEST(ClientInfo, AbsentGroupIsNullAndNoCapabilitiesIsEmptyList) {
  ClientInfo c;
  c.uuid = "llm-1";
  c.client_type = "llm";
  c.connected_at = 1706200000.5;
  c.last_seen = 1706200000.5;
  const auto json = c.to_json();
  EXPECT_EQ(json.size(), 13u);
  EXPECT_TRUE(json.at("group_id").is_null());
  EXPECT_TRUE(json.at("label").is_null());
  EXPECT_TRUE(json.at("capabilities").as_array().empty());
  EXPECT_EQ(json.at("is_persistent").as_bool(), false);
  EXPECT_EQ(json.at("connected_at").as_double(), 1706200000.5);
  EXPECT_EQ(json.at("last_seen").as_double(), 1706200000.5);
}

}  // namespace
}  // namespace blender_bus::bus
