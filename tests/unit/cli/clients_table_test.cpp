#include "cli/clients_table.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

TEST(ClientsTable, AlignsColumnsPersistentFirst) {
  auto listing = boost::json::parse(R"({"status":"ok","user_id":"ann",
      "persistent":[{"uuid":"w1","client_type":"blender","is_persistent":true,
                     "capabilities":["python_execution","rendering"],"group_id":"farm",
                     "connected_at":0,"last_seen":95,"label":"Studio PC","online":false}],
      "ephemeral":[{"uuid":"cli-7","client_type":"llm","is_persistent":false,"capabilities":[],
                    "group_id":null,"connected_at":0,"last_seen":99.5}]})")
                     .as_object();
  EXPECT_EQ(
      format_clients_table(listing, 100.0),
      "UUID   LABEL      TYPE     BUCKET      GROUP  ONLINE  CAPABILITIES                LAST "
      "SEEN\n"
      "w1     Studio PC  blender  persistent  farm   no      python_execution,rendering  5s ago\n"
      "cli-7  -          llm      ephemeral   -      -       -                           0s ago\n");
}

TEST(ClientsTable, EmptyBus) {
  auto listing = boost::json::parse(R"({"persistent":[],"ephemeral":[]})").as_object();
  EXPECT_EQ(format_clients_table(listing, 0), "no clients on this bus\n");
}

TEST(ClientsTable, ALastSeenFarInThePastIsManyDaysAgo) {
  // The server's numbers, read by the CLI: a cast of 1e300 seconds to an
  // integer was undefined.
  auto listing = boost::json::parse(R"({"persistent":[],
      "ephemeral":[{"uuid":"e","client_type":"llm","is_persistent":false,"capabilities":[],
                    "group_id":null,"connected_at":0,"last_seen":-1e300}]})")
                     .as_object();
  const std::string table = format_clients_table(listing, 100.0);
  EXPECT_NE(table.find("d ago\n"), std::string::npos) << table;
  EXPECT_EQ(table.find('-' + std::string("9")), std::string::npos) << table;
}

}  // namespace
}  // namespace blender_bus::cli
