#include <gtest/gtest.h>

#include "mcp/session_registry.hpp"

namespace blender_bus::mcp {
namespace {

TEST(SessionRegistry, EndUserEndsEverySessionOfThatUserAndTellsTheListeners) {
  SessionRegistry sessions({});
  auto a1 = sessions.create("alice");
  auto a2 = sessions.create("alice");
  auto b = sessions.create("bob");
  int woken = 0;
  a1->stream_signal().attach([&] { ++woken; });
  std::vector<std::string> ended;
  sessions.on_end([&](const Session& s) { ended.push_back(s.id()); });

  EXPECT_EQ(sessions.end_user("alice"), 2u);
  EXPECT_TRUE(a1->ended());
  EXPECT_TRUE(a2->ended());
  EXPECT_TRUE(a1->stream_signal().closed());
  EXPECT_EQ(woken, 1);  // its stream was woken to finish
  EXPECT_EQ(ended.size(), 2u);
  EXPECT_EQ(sessions.find(a1->id()), nullptr);
  EXPECT_FALSE(b->ended());
  EXPECT_EQ(sessions.find(b->id()), b);
  EXPECT_EQ(sessions.end_user("alice"), 0u);
}

}  // namespace
}  // namespace blender_bus::mcp
