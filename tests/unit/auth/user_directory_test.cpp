#include "auth/user_directory.hpp"
#include "auth/sqlite_user_store.hpp"

#include <gtest/gtest.h>

#include "store/database.hpp"

namespace blender_bus::auth {
namespace {

using Kind = UserChange::Kind;

class UserDirectoryTest : public ::testing::Test {
 protected:
  UserDirectoryTest() {
    users_.add("alice", "pw", {}, {});
    users_.add("bob", "pw", {}, {});
    directory_.emplace(users_);
    directory_->on_change([this](const UserChange& c) { changes_.push_back(c); });
  }
  std::vector<std::pair<std::string, Kind>> changes() const {
    std::vector<std::pair<std::string, Kind>> out;
    for (const auto& c : changes_) out.emplace_back(c.username, c.kind);
    return out;
  }

  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_};
  std::optional<UserDirectory> directory_;
  std::vector<UserChange> changes_;
};

TEST_F(UserDirectoryTest, AdmitsTheCurrentGenerationOfAKnownUserOnly) {
  EXPECT_TRUE(directory_->admits("alice", 0));
  EXPECT_FALSE(directory_->admits("alice", 1));
  EXPECT_FALSE(directory_->admits("carol", 0));
}

TEST_F(UserDirectoryTest, SyncReportsRevokedRemovedAndReplacedUsersInOrder) {
  users_.set_password("alice", "new");  // revoked
  users_.remove("bob");                 // removed
  users_.add("carol", "pw", {}, {});    // new: nothing to act on
  directory_->sync();
  EXPECT_EQ(changes(), (std::vector<std::pair<std::string, Kind>>{{"alice", Kind::revoked},
                                                                  {"bob", Kind::removed}}));
  EXPECT_TRUE(directory_->admits("alice", 1));
  EXPECT_FALSE(directory_->admits("bob", 0));
  EXPECT_TRUE(directory_->admits("carol", 0));
  changes_.clear();
  directory_->sync();
  EXPECT_TRUE(changes_.empty());  // nothing new
}

TEST_F(UserDirectoryTest, ANamesakeBetweenTwoSyncsIsARemoval) {
  users_.remove("alice");
  users_.add("alice", "other", {}, {});
  directory_->sync("alice");
  EXPECT_EQ(changes(), (std::vector<std::pair<std::string, Kind>>{{"alice", Kind::removed}}));
  EXPECT_TRUE(directory_->admits("alice", 1));
}

TEST_F(UserDirectoryTest, ObserveSyncsOnlyWhenTheRecordIsNews) {
  directory_->observe(*users_.find("alice"));
  EXPECT_TRUE(changes_.empty());
  users_.revoke_access_tokens("alice");
  directory_->observe(*users_.find("alice"));
  EXPECT_EQ(changes(), (std::vector<std::pair<std::string, Kind>>{{"alice", Kind::revoked}}));
}

}  // namespace
}  // namespace blender_bus::auth
