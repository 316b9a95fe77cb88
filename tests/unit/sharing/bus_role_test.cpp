#include "sharing/bus_role.hpp"

#include <gtest/gtest.h>

namespace blender_bus::sharing {
namespace {

// The issue's table, row by row: what each role may do.
TEST(BusRoleTest, TheTableIsTheIssuesTable) {
  struct Row {
    std::string_view action;
    bool owner, member, guest;
  };
  const Row expected[] = {
      {"register_client", true, true, true}, {"unregister_client", true, true, true},
      {"receive", true, true, true},         {"job_update", true, true, true},
      {"list_clients", true, true, true},    {"send_message", true, true, false},
      {"invite", true, false, false},        {"remove_member", true, false, false},
      {"set_role", true, false, false},      {"list_members", true, false, false},
      {"leave", true, true, true},
  };
  ASSERT_EQ(std::size(expected), kRoleTable.size());
  for (std::size_t i = 0; i < kRoleTable.size(); ++i) {
    const RolePermission& row = kRoleTable[i];
    SCOPED_TRACE(row.name);
    EXPECT_EQ(static_cast<std::size_t>(row.action), i) << "rows follow the enum's order";
    EXPECT_EQ(row.name, expected[i].action);
    EXPECT_EQ(permits(BusRole::owner, row.action), expected[i].owner);
    EXPECT_EQ(permits(BusRole::member, row.action), expected[i].member);
    EXPECT_EQ(permits(BusRole::guest, row.action), expected[i].guest);
    EXPECT_EQ(action_name(row.action), row.name);
  }
}

TEST(BusRoleTest, RoleNamesRoundTrip) {
  for (BusRole role : {BusRole::owner, BusRole::member, BusRole::guest}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  EXPECT_EQ(parse_role("admin"), std::nullopt);
  EXPECT_EQ(parse_role("Owner"), std::nullopt);
}

}  // namespace
}  // namespace blender_bus::sharing
