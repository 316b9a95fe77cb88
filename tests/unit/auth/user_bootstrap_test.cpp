#include "auth/user_bootstrap.hpp"
#include "auth/sqlite_refresh_token_store.hpp"
#include "auth/sqlite_user_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "auth/token_service.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

class UserBootstrapTest : public ::testing::Test {
 protected:
  BootstrapResult run(BootstrapConfig config) {
    out_.str("");
    return bootstrap_users(users_, refresh_, dir_.path(), config, out_);
  }
  std::filesystem::path password_file() const { return dir_.path() / "initial-admin-password"; }
  // A stored refresh token of `user`, to see whether a bootstrap revoked it.
  IssuedToken refresh_token_of(const std::string& user) {
    IssuedToken t = tokens_.issue_refresh(user);
    refresh_.add(t, user, std::chrono::system_clock::now());
    return t;
  }
  bool usable(const IssuedToken& t) const {
    return refresh_.is_usable(t.jti, t.token, std::chrono::system_clock::now());
  }

  testing::TempDir dir_;
  store::Database db_{store::Database::file_in(dir_.path())};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_};
  SqliteRefreshTokenStore refresh_{db_};
  TokenService tokens_{{"bootstrap-secret-bootstrap-secret", "iss"}};
  std::ostringstream out_;
};

TEST_F(UserBootstrapTest, FirstStartCreatesAdminWithARandomPasswordShownOnce) {
  const BootstrapResult r = run({});
  ASSERT_TRUE(r.admin_created);
  ASSERT_TRUE(r.generated_admin_password);
  const std::string password = *r.generated_admin_password;
  EXPECT_GE(password.size(), 20u);
  EXPECT_NE(out_.str().find(password), std::string::npos) << out_.str();
  EXPECT_TRUE(users_.verify_credentials("admin", password));
  EXPECT_EQ(users_.find("admin")->roles, (std::vector<std::string>{"admin", "user"}));

  struct stat st {};
  ASSERT_EQ(::stat(password_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(password_file());
  std::string from_file;
  std::getline(in, from_file);
  EXPECT_EQ(from_file, password);

  // The next start prints nothing and changes nothing.
  const BootstrapResult again = run({});
  EXPECT_FALSE(again.admin_created);
  EXPECT_FALSE(again.generated_admin_password);
  EXPECT_EQ(out_.str(), "");
  EXPECT_TRUE(users_.verify_credentials("admin", password));
}

TEST_F(UserBootstrapTest, TwoFirstStartsGiveDifferentPasswords) {
  testing::TempDir other_dir;
  store::Database other_db(":memory:");
  SqliteUserStore other_users(other_db, hasher_);
  SqliteRefreshTokenStore other_refresh(other_db);
  std::ostringstream sink;
  const auto mine = run({}).generated_admin_password;
  const auto theirs = bootstrap_users(other_users, other_refresh, other_dir.path(), {}, sink)
                          .generated_admin_password;
  ASSERT_TRUE(mine && theirs);
  EXPECT_NE(*mine, *theirs);
}

TEST_F(UserBootstrapTest, NoRandomAdminWhenUsersExist) {
  users_.add("alice", "pw", {}, {});
  const BootstrapResult r = run({});
  EXPECT_FALSE(r.admin_created);
  EXPECT_FALSE(users_.find("admin"));
  EXPECT_FALSE(std::filesystem::exists(password_file()));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(UserBootstrapTest, AdminPasswordCreatesAdminAndNothingIsPrinted) {
  const BootstrapResult r = run({std::string("admin-secret"), std::nullopt});
  EXPECT_TRUE(r.admin_created);
  EXPECT_FALSE(r.generated_admin_password);
  EXPECT_TRUE(users_.verify_credentials("admin", "admin-secret"));
  EXPECT_FALSE(std::filesystem::exists(password_file()));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(UserBootstrapTest, DemoPasswordAloneCreatesOnlyDemo) {
  const BootstrapResult r = run({std::nullopt, std::string("demo-secret")});
  EXPECT_TRUE(r.demo_created);
  EXPECT_FALSE(r.admin_created);
  EXPECT_TRUE(users_.verify_credentials("demo", "demo-secret"));
  EXPECT_EQ(users_.find("demo")->roles, std::vector<std::string>{"user"});
  EXPECT_FALSE(users_.find("admin"));
}

TEST_F(UserBootstrapTest, EmptyVariablesCountAsUnset) {
  const BootstrapResult r = run({std::string(), std::string()});
  EXPECT_TRUE(r.generated_admin_password);
  EXPECT_FALSE(users_.find("demo"));
}

TEST_F(UserBootstrapTest, AChangedPasswordResetsTheUserAndRevokesTheirTokens) {
  run({std::string("first"), std::string("demo-1")});
  const IssuedToken admin_token = refresh_token_of("admin");
  const IssuedToken demo_token = refresh_token_of("demo");

  const BootstrapResult r = run({std::string("second"), std::string("demo-1")});
  EXPECT_TRUE(r.admin_reset);
  EXPECT_FALSE(r.demo_reset);
  EXPECT_FALSE(users_.verify_credentials("admin", "first"));
  EXPECT_TRUE(users_.verify_credentials("admin", "second"));
  EXPECT_FALSE(usable(admin_token));
  EXPECT_TRUE(usable(demo_token));  // an unchanged password logs no one out
}

TEST_F(UserBootstrapTest, AnUnusablePasswordNamesItsVariable) {
  try {
    run({std::string(2000, 'x'), std::nullopt});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("ADMIN_PASSWORD"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blender_bus::auth
