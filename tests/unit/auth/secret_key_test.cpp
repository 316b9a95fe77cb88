#include "auth/secret_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

using testing::TempDir;

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST(SecretKey, ConfiguredSecretWinsAndTouchesNoFile) {
  TempDir dir;
  const std::string configured = "from-the-environment-32-bytes-or-more";
  EXPECT_EQ(load_or_create_secret_key(configured, dir.path()), configured);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "secret.key"));
}

TEST(SecretKey, AConfiguredSecretShorterThan32BytesIsRefusedSayingSo) {
  TempDir dir;
  try {
    load_or_create_secret_key(std::string(31, 's'), dir.path());
    ADD_FAILURE() << "a 31-byte secret was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "OAUTH_SECRET_KEY is 31 bytes; it needs at least 32 (e.g. `openssl rand -hex "
                 "32`), or unset it to use a generated one");
  }
  EXPECT_EQ(load_or_create_secret_key(std::string(32, 's'), dir.path()), std::string(32, 's'));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "secret.key"));
}

TEST(SecretKey, GeneratedOnceWithMode0600AndReused) {
  TempDir dir;
  const std::string first = load_or_create_secret_key(std::nullopt, dir.path());
  const auto file = dir.path() / "secret.key";
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(first.size(), 64u);  // 32 random bytes in hex
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  // A restart (also with OAUTH_SECRET_KEY set but empty) gets the same key.
  EXPECT_EQ(load_or_create_secret_key(std::nullopt, dir.path()), first);
  EXPECT_EQ(load_or_create_secret_key(std::string(), dir.path()), first);
}

TEST(SecretKey, DifferentDataDirsGetDifferentSecrets) {
  TempDir a, b;
  EXPECT_NE(load_or_create_secret_key(std::nullopt, a.path()),
            load_or_create_secret_key(std::nullopt, b.path()));
}

TEST(SecretKey, CreatesAMissingDataDirPrivately) {
  TempDir dir;
  const auto nested = dir.path() / "data" / "bus";
  load_or_create_secret_key(std::nullopt, nested);
  EXPECT_TRUE(std::filesystem::exists(nested / "secret.key"));
  EXPECT_EQ(mode_of(nested), 0700u);
}

TEST(SecretKey, AnExistingFileIsReadWithoutItsNewline) {
  TempDir dir;
  const std::string key(40, 'k');
  std::ofstream(dir.path() / "secret.key") << key << "\n";
  EXPECT_EQ(load_or_create_secret_key(std::nullopt, dir.path()), key);
}

TEST(SecretKey, ATruncatedFileIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() / "secret.key") << "short";
  EXPECT_THROW(load_or_create_secret_key(std::nullopt, dir.path()), std::runtime_error);
}

}  // namespace
}  // namespace blender_bus::auth
