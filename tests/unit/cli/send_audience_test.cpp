#include "cli/send_audience.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

using Strings = std::vector<std::string>;

// blender_list_available_clients' answer (SPEC §5) with a worker in a group,
// a desktop add-on without a group, and two clients that run no jobs.
const json::object kListing = json::parse(R"({"status":"ok","user_id":"ann",
  "persistent":[
    {"uuid":"w-1","client_type":"blender","is_persistent":true,
     "capabilities":["python_execution","rendering"],"group_id":"render","connected_at":1.0,"last_seen":1.0},
    {"uuid":"desk","client_type":"blender","is_persistent":true,
     "capabilities":["python_execution"],"group_id":null,"connected_at":1.0,"last_seen":1.0},
    {"uuid":"viewer","client_type":"blender","is_persistent":true,
     "capabilities":[],"group_id":"render","connected_at":1.0,"last_seen":1.0}],
  "ephemeral":[
    {"uuid":"listener","client_type":"llm","is_persistent":false,
     "capabilities":[],"group_id":null,"connected_at":1.0,"last_seen":1.0}]})")
                                  .as_object();

TEST(SendAudience, OnlyJobRunnersAreAwaitedWhenAsked) {
  SendAudience audience({"w-1", "desk", "viewer", "listener"}, kListing, true);
  EXPECT_EQ(audience.awaited(), (Strings{"w-1", "desk"}));
  EXPECT_EQ(audience.skipped(), 2u);
}

TEST(SendAudience, EveryTargetIsAwaitedOtherwise) {
  SendAudience audience({"w-1", "viewer", "listener"}, kListing, false);
  EXPECT_EQ(audience.awaited(), (Strings{"w-1", "viewer", "listener"}));
  EXPECT_EQ(audience.skipped(), 0u);
}

TEST(SendAudience, ATargetMissingFromTheListingIsAwaited) {
  // It left or joined between the send and the listing: better wait than miss it.
  SendAudience audience({"gone"}, kListing, true);
  EXPECT_EQ(audience.awaited(), Strings{"gone"});
}

TEST(SendAudience, LabelsNameTheUuidAndTheGroup) {
  SendAudience audience({"w-1", "desk"}, kListing, true);
  EXPECT_EQ(audience.label("w-1"), "w-1 (group render)");
  EXPECT_EQ(audience.label("desk"), "desk");
  EXPECT_EQ(audience.label("unknown"), "unknown");
}

}  // namespace
}  // namespace blender_bus::cli
