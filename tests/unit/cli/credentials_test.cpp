#include "cli/credentials.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace blender_bus::cli {
namespace {

namespace fs = std::filesystem;

class CredentialsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bb-cli-credentials-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(Credentials, PathPrefersAbsoluteXdgConfigHome) {
  EXPECT_EQ(credentials_path("/x/conf", "/home/u"),
            fs::path("/x/conf/blender-bus/credentials.json"));
  EXPECT_EQ(credentials_path(nullptr, "/home/u"),
            fs::path("/home/u/.config/blender-bus/credentials.json"));
  // A relative XDG_CONFIG_HOME is invalid per the XDG spec.
  EXPECT_EQ(credentials_path("rel", "/home/u"),
            fs::path("/home/u/.config/blender-bus/credentials.json"));
  EXPECT_THROW(credentials_path(nullptr, nullptr), std::runtime_error);
}

TEST(Credentials, ParsesJsonAndBareTokens) {
  auto json = parse_credentials(
      R"({"server":"http://h:1","username":"ann","access_token":"a.b.c","refresh_token":"r","extra":1})");
  EXPECT_FALSE(json.bare);
  EXPECT_EQ(json.server, "http://h:1");
  EXPECT_EQ(json.username, "ann");
  EXPECT_EQ(json.access_token, "a.b.c");
  EXPECT_EQ(json.refresh_token, "r");
  auto bare = parse_credentials("  a.b.c\n");
  EXPECT_TRUE(bare.bare);
  EXPECT_EQ(bare.access_token, "a.b.c");
  EXPECT_THROW(parse_credentials(""), std::invalid_argument);
  EXPECT_THROW(parse_credentials("{\"refresh_token\":\"r\"}"), std::invalid_argument);
  EXPECT_THROW(parse_credentials("{oops"), std::invalid_argument);
  EXPECT_THROW(parse_credentials("two tokens"), std::invalid_argument);
}

TEST_F(CredentialsFile, MissingFileIsNullopt) {
  EXPECT_FALSE(load_credentials(dir_ / "none.json").has_value());
}

TEST_F(CredentialsFile, SaveCreates0600FileIn0700DirAndRoundTrips) {
  const auto path = dir_ / "blender-bus" / "credentials.json";
  Credentials credentials;
  credentials.server = "http://127.0.0.1:8000";
  credentials.username = "ann";
  credentials.access_token = "access";
  credentials.refresh_token = "refresh";
  save_credentials(path, credentials);
  struct stat file {};
  ASSERT_EQ(::stat(path.c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  struct stat dir {};
  ASSERT_EQ(::stat(path.parent_path().c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0777, 0700u);
  auto loaded = load_credentials(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->server, credentials.server);
  EXPECT_EQ(loaded->username, "ann");
  EXPECT_EQ(loaded->access_token, "access");
  EXPECT_EQ(loaded->refresh_token, "refresh");
  // No temporary left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(CredentialsFile, ReplacingAWiderFileLeavesIt0600) {
  fs::create_directories(dir_);
  const auto path = dir_ / "token";
  std::ofstream(path) << "old\n";
  fs::permissions(path, fs::perms::all);
  Credentials bare;
  bare.bare = true;
  bare.access_token = "new";
  save_credentials(path, bare);
  struct stat file {};
  ASSERT_EQ(::stat(path.c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  auto loaded = load_credentials(path);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->bare);  // a bare token file stays bare
  EXPECT_EQ(loaded->access_token, "new");
}

TEST_F(CredentialsFile, ALinkPlantedWhereATemporaryCouldBeIsNotFollowed) {
  // Another local user who can write the directory plants links at the names
  // a temporary would get if it were predictable (`.tmp-<pid>`): the tokens
  // must not end up in (or truncate) the file they point at.
  fs::create_directories(dir_);
  const auto victim = dir_ / "victim";
  std::ofstream(victim) << "victim\n";
  const auto path = dir_ / "credentials.json";
  fs::create_symlink(victim, path.string() + ".tmp-" + std::to_string(::getpid()));
  Credentials credentials;
  credentials.access_token = "secret-access";
  save_credentials(path, credentials);
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "victim\n");
  EXPECT_EQ(load_credentials(path)->access_token, "secret-access");
}

}  // namespace
}  // namespace blender_bus::cli
