#include "bus/client_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace blender_bus::bus {
namespace {

using Table = ClientTable<int>;

ClientInfo client(std::string uuid, std::string type, bool persistent,
                  std::optional<std::string> group = std::nullopt, std::string session = "") {
  ClientInfo info;
  info.uuid = std::move(uuid);
  info.client_type = std::move(type);
  info.is_persistent = persistent;
  info.group_id = std::move(group);
  info.session_id = std::move(session);
  return info;
}

std::vector<std::string> uuids(const std::vector<const Table::Slot*>& slots) {
  std::vector<std::string> out;
  for (const auto* slot : slots) out.push_back(slot->info.uuid);
  return out;
}

std::vector<std::string> uuids(const Table::Ordered* members) {
  std::vector<std::string> out;
  if (members) {
    for (const auto& [order, slot] : *members) out.push_back(slot->info.uuid);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(ClientTable, EveryListIsPersistentFirstThenEphemeralEachInRegistrationOrder) {
  Table table;
  table.insert(client("e1", "llm", false, "g"));
  table.insert(client("p1", "blender", true, "g"));
  table.insert(client("e2", "blender", false));
  table.insert(client("p2", "blender", true, "g"));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::broadcast, ""}, "nobody")),
            (Strings{"p1", "p2", "e1", "e2"}));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::group, "g"}, "e1")), (Strings{"p1", "p2", "e1"}))
      << "a group send includes its sender";
  EXPECT_EQ(uuids(table.resolve({RoutingMode::type_filter, "blender"}, "")),
            (Strings{"p1", "p2", "e2"}));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::broadcast, ""}, "p2")), (Strings{"p1", "e1", "e2"}))
      << "a broadcast leaves its sender out";
  EXPECT_EQ(uuids(table.resolve({RoutingMode::direct, "e2"}, "")), (Strings{"e2"}));
  EXPECT_TRUE(table.resolve({RoutingMode::direct, "nobody"}, "").empty());
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.persistent_count(), 2u);
}

TEST(ClientTable, AnUpdateMovesAClientBetweenIndexesAndKeepsItsPlace) {
  Table table;
  table.insert(client("a", "blender", true, "g1", "s1"));
  table.insert(client("b", "blender", true, "g1", "s1"));
  Table::Slot* a = table.find("a");
  ASSERT_NE(a, nullptr);
  table.update(*a, [](ClientInfo& info) {
    info.group_id = "g2";
    info.client_type = "llm";
    info.session_id = "s2";
  });
  EXPECT_EQ(uuids(table.resolve({RoutingMode::group, "g1"}, "")), (Strings{"b"}));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::group, "g2"}, "")), (Strings{"a"}));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::type_filter, "llm"}, "")), (Strings{"a"}));
  EXPECT_EQ(uuids(table.of_session("s1")), (Strings{"b"}));
  EXPECT_EQ(uuids(table.of_session("s2")), (Strings{"a"}));
  EXPECT_EQ(uuids(table.resolve({RoutingMode::broadcast, ""}, "")), (Strings{"a", "b"}));
}

TEST(ClientTable, ErasingTheLastMemberDropsTheIndexBucket) {
  Table table;
  Table::Slot& slot = table.insert(client("a", "llm", false, "g", "s"), 7);
  EXPECT_EQ(slot.entry, 7) << "the engine's entry travels with the client";
  table.erase(slot);
  EXPECT_EQ(table.find("a"), nullptr);
  EXPECT_EQ(table.of_session("s"), nullptr);
  EXPECT_TRUE(table.resolve({RoutingMode::group, "g"}, "").empty());
  EXPECT_TRUE(table.resolve({RoutingMode::type_filter, "llm"}, "").empty());
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace blender_bus::bus
