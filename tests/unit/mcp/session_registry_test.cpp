#include "mcp/session_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "mcp/random_id.hpp"

namespace blender_bus::mcp {
namespace {

SessionRegistry registry(std::size_t per_user = 256) {
  SessionLimits limits;
  limits.max_per_user = per_user;
  return SessionRegistry(limits);
}

// The guard McpEndpoint::find_session relies on: a session belongs to the
// user who opened it, and another user's id is answered like an unknown one.
TEST(SessionRegistry, AnotherUsersSessionIsNotFound) {
  SessionRegistry sessions = registry();
  const SessionPtr alice = sessions.create("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(sessions.find_for_user(alice->id(), "alice"), alice);
  EXPECT_EQ(sessions.find_for_user(alice->id(), "bob"), nullptr);
  EXPECT_EQ(sessions.find_for_user(alice->id(), ""), nullptr);
  EXPECT_EQ(sessions.find_for_user("no-such-session", "alice"), nullptr);
  // The session itself is untouched by the failed lookup.
  EXPECT_FALSE(alice->ended());
  EXPECT_EQ(sessions.find(alice->id()), alice);
}

TEST(SessionRegistry, AnEndedSessionIsNotFoundEvenByItsOwner) {
  SessionRegistry sessions = registry();
  const SessionPtr alice = sessions.create("alice");
  sessions.end(alice->id());
  EXPECT_EQ(sessions.find_for_user(alice->id(), "alice"), nullptr);
}

TEST(SessionRegistry, ASessionPastTheUsersCapIsRefusedAndOthersAreNotCounted) {
  SessionRegistry sessions = registry(2);
  const SessionPtr first = sessions.create("alice");
  ASSERT_TRUE(sessions.create("alice"));
  EXPECT_EQ(sessions.create("alice"), nullptr);
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_TRUE(sessions.create("bob")) << "one user's sessions do not count against another";
  sessions.end(first->id());
  EXPECT_TRUE(sessions.create("alice")) << "an ended session makes room";
  EXPECT_EQ(sessions.create("alice"), nullptr);
}

TEST(SessionRegistry, ExpiredAndAllEndedSessionsGiveTheirPlacesBack) {
  SessionRegistry sessions = registry(1);
  ASSERT_TRUE(sessions.create("alice"));
  EXPECT_EQ(sessions.expire_idle(std::chrono::steady_clock::now() + std::chrono::hours(1)), 1u);
  ASSERT_TRUE(sessions.create("alice"));
  sessions.end_all();
  EXPECT_TRUE(sessions.create("alice"));
}

TEST(SessionRegistryTest, OnlyTheExactIdFindsASession) {
  SessionRegistry sessions{SessionLimits{}};
  const SessionPtr session = sessions.create("alice");
  EXPECT_EQ(sessions.find(session->id()), session);
  std::string upper = session->id();
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper != session->id()) {  // (an id of digits only has no capitals)
    EXPECT_EQ(sessions.find(upper), nullptr);
  }
  EXPECT_EQ(sessions.find(session->id() + "0"), nullptr);
  EXPECT_EQ(sessions.find(session->id().substr(1)), nullptr);
  EXPECT_EQ(sessions.find(""), nullptr);
}

TEST(RandomIdTest, IdsHaveTheFormIsHexIdAccepts) {
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(is_hex_id(random_hex_id()));
  EXPECT_TRUE(is_hex_id("0123456789abcdef0123456789abcdef"));
  for (const char* text :
       {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef 123456789abcdef"}) {
    EXPECT_FALSE(is_hex_id(text)) << text;
  }
}

}  // namespace
}  // namespace blender_bus::mcp
