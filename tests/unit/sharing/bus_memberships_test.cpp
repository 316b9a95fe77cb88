#include "sharing/bus_memberships.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "../store/temp_dir.hpp"
#include "sharing/shared_bus_store.hpp"
#include "store/database.hpp"

namespace blender_bus::sharing {
namespace {

class BusMembershipsTest : public ::testing::Test {
 protected:
  BusMembershipsTest() { open(); }

  void open() {
    memberships_.reset();
    store_.reset();
    db_.reset();
    db_ = std::make_unique<store::Database>(store::Database::file_in(dir_.path()));
    store_ = std::make_unique<SharedBusStore>(*db_);
    memberships_ = std::make_unique<BusMemberships>(
        store_.get(), [this] { return now_; },
        [this](std::span<unsigned char> out) {
          for (auto& b : out) b = static_cast<unsigned char>(counter_++);
        },
        std::chrono::seconds(100));
  }

  BusMemberships& m() { return *memberships_; }

  std::string invite(const std::string& bus, const std::string& user, BusRole role) {
    auto invited = m().invite(bus, "olivia", user, role);
    EXPECT_TRUE(std::holds_alternative<InvitationView>(invited));
    return std::get<InvitationView>(invited).code;
  }

  std::string error_of(const auto& answer) {
    return std::holds_alternative<std::string>(answer) ? std::get<std::string>(answer) : "";
  }

  double now_ = 1000;
  unsigned counter_ = 0;
  store::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<SharedBusStore> store_;
  std::unique_ptr<BusMemberships> memberships_;
};

TEST_F(BusMembershipsTest, TheCreatorOwnsTheBus) {
  const BusView bus = m().create("olivia", "farm");
  EXPECT_TRUE(bus.bus_id.starts_with("bus_"));
  EXPECT_EQ(bus.role, BusRole::owner);
  EXPECT_EQ(m().role_of(bus.bus_id, "olivia"), BusRole::owner);
  EXPECT_EQ(m().role_of(bus.bus_id, "mallory"), std::nullopt);
  EXPECT_EQ(m().role_of("bus_nonexistent", "olivia"), std::nullopt);
}

TEST_F(BusMembershipsTest, AnInvitationIsForOneUserOnceBeforeItExpires) {
  const BusView bus = m().create("olivia", "farm");
  const std::string code = invite(bus.bus_id, "gus", BusRole::guest);
  EXPECT_EQ(error_of(m().join("mallory", code)), "invitation is for another user");
  EXPECT_EQ(error_of(m().join("gus", "inv_wrong")), "invitation not found");
  auto joined = m().join("gus", code);
  ASSERT_TRUE(std::holds_alternative<BusView>(joined));
  EXPECT_EQ(std::get<BusView>(joined).role, BusRole::guest);
  EXPECT_EQ(error_of(m().join("gus", code)), "invitation already used");

  const std::string late = invite(bus.bus_id, "mia", BusRole::member);
  now_ += 100;
  EXPECT_EQ(error_of(m().join("mia", late)), "invitation expired");
  EXPECT_EQ(m().role_of(bus.bus_id, "mia"), std::nullopt);
}

// The table only grows when an invitation is made, so that is when the ones
// expired a day or more ago leave it (a day: a late joiner is still told
// "invitation expired" rather than "not found").
TEST_F(BusMembershipsTest, AnInvitationExpiredADayAgoLeavesTheStoreWhenTheNextIsMade) {
  const auto stored = [this] {
    store::Connection c = db_->lock();
    store::Statement count = c.prepare("SELECT COUNT(*) FROM bus_invitations");
    count.step();
    return count.column_int64(0);
  };
  const BusView bus = m().create("olivia", "farm");
  const std::string early = invite(bus.bus_id, "gus", BusRole::guest);  // expires at 1100
  now_ = 1100 + 86400 - 1;
  invite(bus.bus_id, "mia", BusRole::member);
  EXPECT_EQ(stored(), 2);
  EXPECT_EQ(error_of(m().join("gus", early)), "invitation expired");
  now_ = 1100 + 86400;
  invite(bus.bus_id, "oscar", BusRole::member);
  EXPECT_EQ(stored(), 2);
  EXPECT_EQ(error_of(m().join("gus", early)), "invitation not found");
}

TEST_F(BusMembershipsTest, TheLastOwnerStaysUntilOwnershipIsPassedOn) {
  const BusView bus = m().create("olivia", "farm");
  ASSERT_TRUE(
      std::holds_alternative<BusView>(m().join("mia", invite(bus.bus_id, "mia", BusRole::member))));
  const std::string last = "the last owner cannot leave until ownership is passed on";
  EXPECT_EQ(error_of(m().leave(bus.bus_id, "olivia")), last);
  EXPECT_EQ(error_of(m().set_role(bus.bus_id, "olivia", BusRole::member)), last);
  ASSERT_EQ(error_of(m().set_role(bus.bus_id, "mia", BusRole::owner)), "");
  EXPECT_EQ(error_of(m().leave(bus.bus_id, "olivia")), "");
  EXPECT_EQ(m().role_of(bus.bus_id, "olivia"), std::nullopt);
  EXPECT_EQ(m().role_of(bus.bus_id, "mia"), BusRole::owner);
}

TEST_F(BusMembershipsTest, RemovingAMemberAnswersTheirClients) {
  const BusView bus = m().create("olivia", "farm");
  ASSERT_TRUE(
      std::holds_alternative<BusView>(m().join("gus", invite(bus.bus_id, "gus", BusRole::guest))));
  EXPECT_TRUE(m().claim_client(bus.bus_id, "gus-blender", "gus"));
  EXPECT_FALSE(m().claim_client(bus.bus_id, "gus-blender", "olivia"));
  EXPECT_TRUE(m().claim_client(bus.bus_id, "olivia-llm", "olivia"));
  auto removed = m().remove_member(bus.bus_id, "gus");
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(removed));
  EXPECT_EQ(std::get<std::vector<std::string>>(removed), std::vector<std::string>{"gus-blender"});
  EXPECT_EQ(m().client_owner(bus.bus_id, "gus-blender"), std::nullopt);
  EXPECT_EQ(m().client_owner(bus.bus_id, "olivia-llm"), "olivia");
}

TEST_F(BusMembershipsTest, ADeletedOwnerPassesTheBusOnOrArchivesIt) {
  const BusView shared = m().create("olivia", "shared");
  ASSERT_TRUE(std::holds_alternative<BusView>(
      m().join("mia", invite(shared.bus_id, "mia", BusRole::member))));
  ASSERT_EQ(error_of(m().set_role(shared.bus_id, "mia", BusRole::owner)), "");
  const BusView alone = m().create("olivia", "alone");
  ASSERT_TRUE(std::holds_alternative<BusView>(
      m().join("gus", invite(alone.bus_id, "gus", BusRole::guest))));
  const auto left = m().remove_user("olivia");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(m().role_of(shared.bus_id, "mia"), BusRole::owner);
  // No owner left: nobody reads it, its guest included.
  EXPECT_EQ(m().role_of(alone.bus_id, "gus"), std::nullopt);
  EXPECT_TRUE(m().buses_of("gus").empty());
}

TEST_F(BusMembershipsTest, EverythingSurvivesAReopen) {
  const BusView bus = m().create("olivia", "farm");
  const std::string code = invite(bus.bus_id, "gus", BusRole::guest);
  const std::string pending = invite(bus.bus_id, "mia", BusRole::member);
  ASSERT_TRUE(std::holds_alternative<BusView>(m().join("gus", code)));
  ASSERT_TRUE(m().claim_client(bus.bus_id, "gus-blender", "gus"));
  open();
  EXPECT_EQ(m().role_of(bus.bus_id, "gus"), BusRole::guest);
  EXPECT_EQ(m().client_owner(bus.bus_id, "gus-blender"), "gus");
  EXPECT_EQ(error_of(m().join("gus", code)), "invitation already used");
  EXPECT_TRUE(std::holds_alternative<BusView>(m().join("mia", pending)));
  ASSERT_EQ(m().buses_of("olivia").size(), 1u);
  EXPECT_EQ(m().buses_of("olivia")[0].name, "farm");
}

TEST_F(BusMembershipsTest, AReloadAnswersTheClientsOfMembersRemovedElsewhere) {
  const BusView bus = m().create("olivia", "farm");
  ASSERT_TRUE(
      std::holds_alternative<BusView>(m().join("gus", invite(bus.bus_id, "gus", BusRole::guest))));
  ASSERT_TRUE(m().claim_client(bus.bus_id, "gus-blender", "gus"));
  // Another process (the CLI) removes gus.
  store_->delete_membership(bus.bus_id, "gus");
  const auto left = m().reload();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].client_uuids, std::vector<std::string>{"gus-blender"});
  EXPECT_EQ(m().role_of(bus.bus_id, "gus"), std::nullopt);
}

}  // namespace
}  // namespace blender_bus::sharing
