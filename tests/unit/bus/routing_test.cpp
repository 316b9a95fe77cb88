#include "bus/routing.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace blender_bus::bus {
namespace {

using std::nullopt;

TEST(Routing, TargetUuidWinsOverEverything) {
  auto r = resolve_routing("b-1", "render-cluster", "blender");
  EXPECT_EQ(r.mode, RoutingMode::direct);
  EXPECT_EQ(r.key, "b-1");
}

TEST(Routing, GroupWinsOverType) {
  auto r = resolve_routing(nullopt, "render-cluster", "blender");
  EXPECT_EQ(r.mode, RoutingMode::group);
  EXPECT_EQ(r.key, "render-cluster");
}

TEST(Routing, TypeAlone) {
  auto r = resolve_routing(nullopt, nullopt, "blender");
  EXPECT_EQ(r.mode, RoutingMode::type_filter);
  EXPECT_EQ(r.key, "blender");
}

TEST(Routing, NothingIsBroadcast) {
  auto r = resolve_routing(nullopt, nullopt, nullopt);
  EXPECT_EQ(r.mode, RoutingMode::broadcast);
  EXPECT_EQ(r.key, "");
}

TEST(Routing, EmptyStringsCountAsAbsent) {
  EXPECT_EQ(resolve_routing("", "g", nullopt).mode, RoutingMode::group);
  EXPECT_EQ(resolve_routing("", "", "llm").mode, RoutingMode::type_filter);
  EXPECT_EQ(resolve_routing("", "", "").mode, RoutingMode::broadcast);
}

TEST(Routing, WireShapes) {
  using boost::json::serialize;
  EXPECT_EQ(serialize(Routing{RoutingMode::direct, "b-1"}.to_json()),
            R"({"type":"direct","target_uuid":"b-1"})");
  EXPECT_EQ(serialize(Routing{RoutingMode::group, "g"}.to_json()),
            R"({"type":"group","group_id":"g"})");
  EXPECT_EQ(serialize(Routing{RoutingMode::type_filter, "llm"}.to_json()),
            R"({"type":"type_filter","client_type":"llm"})");
  EXPECT_EQ(serialize(Routing{RoutingMode::broadcast, ""}.to_json()), R"({"type":"broadcast"})");
}

TEST(Routing, OriginIsFromUuidElseServerUser) {
  EXPECT_EQ(origin_of(std::string("llm-1"), "alice"), "llm-1");
  EXPECT_EQ(origin_of(nullopt, "alice"), "server:alice");
  EXPECT_EQ(origin_of(std::string(""), "alice"), "server:alice");
}

}  // namespace
}  // namespace blender_bus::bus
