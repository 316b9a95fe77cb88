#include "server/config_file.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "server/option_sources.hpp"

namespace blender_bus::server {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bb-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text) {
    const auto path = dir_ / "bus.toml";
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, ScalarsAndArraysAreSpelledAsOnTheCommandLine) {
  const auto settings = read_config_file(
      write("# comment\nport = 8080\nhost = \"::\"\nno-durable = true\ninbox-max-age = 0.5\n"
            "allow-origin = [\"https://a\", \"https://b\"]\n"));
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& s : settings) by_key[s.key] = s.values;
  EXPECT_EQ(by_key.at("port"), std::vector<std::string>{"8080"});
  EXPECT_EQ(by_key.at("host"), std::vector<std::string>{"::"});
  EXPECT_EQ(by_key.at("no-durable"), std::vector<std::string>{"true"});
  EXPECT_EQ(by_key.at("inbox-max-age"), std::vector<std::string>{"0.5"});
  EXPECT_EQ(by_key.at("allow-origin"), (std::vector<std::string>{"https://a", "https://b"}));
  for (const auto& s : settings) {
    if (s.key == "port") {
      EXPECT_EQ(s.line, 2u);
    }
  }
}

TEST_F(ConfigFileTest, BadTomlTablesAndMissingFilesNameTheFile) {
  const auto path = write("port = \n");
  try {
    read_config_file(path);
    FAIL() << "accepted bad TOML";
  } catch (const ConfigFileError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":1:", 0), 0u) << e.what();
  }
  EXPECT_THROW(read_config_file(write("[serve]\nport = 1\n")), ConfigFileError);
  EXPECT_THROW(read_config_file(write("origins = [[\"a\"]]\n")), ConfigFileError);
  EXPECT_THROW(read_config_file(dir_ / "missing.toml"), ConfigFileError);
}

// A `serve`-like command: --port (file key and environment), --host (file only).
struct Command {
  CLI::App app{"test"};
  int port = 1;
  std::string host = "default";
  Command() {
    app.add_option("--port", port)->check(CLI::Range(0, 65535));
    app.add_option("--host", host);
  }
  void parse(std::vector<std::string> args, const std::vector<ConfigSetting>& file) {
    std::reverse(args.begin(), args.end());
    app.parse(args);
    apply_option_sources(app, "bus.toml", file, {{"--port", "BB_TEST_PORT"}});
  }
};

TEST(OptionSources, FlagsWinOverTheFileWhichWinsOverTheEnvironment) {
  ::setenv("BB_TEST_PORT", "3", 1);
  {
    Command c;
    c.parse({"--port", "2"}, {{"port", {"5"}, 1}});
    EXPECT_EQ(c.port, 2);
  }
  {
    Command c;
    c.parse({}, {{"port", {"5"}, 1}, {"host", {"h"}, 2}});
    EXPECT_EQ(c.port, 5);
    EXPECT_EQ(c.host, "h");
  }
  {
    Command c;
    c.parse({}, {});
    EXPECT_EQ(c.port, 3);
    EXPECT_EQ(c.host, "default");
  }
  ::unsetenv("BB_TEST_PORT");
}

TEST(OptionSources, UnknownKeysAndBadValuesAreUsageErrorsNamingTheLine) {
  Command unknown;
  try {
    unknown.parse({}, {{"bogus", {"1"}, 4}});
    FAIL();
  } catch (const CLI::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("bus.toml:4: bogus: unknown setting"), std::string::npos);
  }
  Command out_of_range;
  try {
    out_of_range.parse({}, {{"port", {"70000"}, 2}});
    FAIL();
  } catch (const CLI::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("bus.toml:2: port: "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace blender_bus::server
