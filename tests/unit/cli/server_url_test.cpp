#include "cli/server_url.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

TEST(ServerUrl, HostPortAndTargets) {
  auto url = ServerUrl::parse("http://127.0.0.1:8000");
  EXPECT_EQ(url.host(), "127.0.0.1");
  EXPECT_EQ(url.port(), "8000");
  EXPECT_EQ(url.authority(), "127.0.0.1:8000");
  EXPECT_EQ(url.target("/mcp"), "/mcp");
  EXPECT_EQ(url.base(), "http://127.0.0.1:8000");
}

TEST(ServerUrl, PathPrefixAndTrailingSlash) {
  auto url = ServerUrl::parse("http://example.org/bus/");
  EXPECT_EQ(url.port(), "80");
  EXPECT_EQ(url.authority(), "example.org");
  EXPECT_EQ(url.target("/auth/login"), "/bus/auth/login");
  EXPECT_EQ(url.base(), "http://example.org:80/bus");
}

TEST(ServerUrl, Ipv6) {
  auto url = ServerUrl::parse("http://[::1]:9000");
  EXPECT_EQ(url.host(), "::1");
  EXPECT_EQ(url.authority(), "[::1]:9000");
}

TEST(ServerUrl, Https) {
  auto url = ServerUrl::parse("https://bus.example.org/prefix");
  EXPECT_TRUE(url.secure());
  EXPECT_EQ(url.port(), "443");
  EXPECT_EQ(url.authority(), "bus.example.org");
  EXPECT_EQ(url.base(), "https://bus.example.org:443/prefix");
  EXPECT_EQ(url.ca_file(), "");
  EXPECT_FALSE(ServerUrl::parse("http://bus.example.org").secure());
}

TEST(ServerUrl, RejectsWhatItCannotSpeak) {
  EXPECT_THROW(ServerUrl::parse("127.0.0.1:8000"), std::invalid_argument);
  EXPECT_THROW(ServerUrl::parse("ftp://h"), std::invalid_argument);
  EXPECT_THROW(ServerUrl::parse("ws://h:8000"), std::invalid_argument);
  EXPECT_THROW(ServerUrl::parse("http://h/?q=1"), std::invalid_argument);
  EXPECT_THROW(ServerUrl::parse("not a url"), std::invalid_argument);
}

}  // namespace
}  // namespace blender_bus::cli
