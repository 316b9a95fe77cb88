#include "transport/mcp_cors.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

HttpRequest preflight_request(std::string origin,
                              std::string headers = "authorization, mcp-session-id") {
  HttpRequest request{http::verb::options, "/mcp", 11};
  request.set("Origin", origin);
  request.set("Access-Control-Request-Method", "POST");
  if (!headers.empty()) request.set("Access-Control-Request-Headers", headers);
  return request;
}

TEST(McpCors, NoOriginGetsCorsWithoutConfiguration) {
  const McpCors cors({});
  EXPECT_FALSE(cors.preflight(preflight_request("http://127.0.0.1:3000")));
  EXPECT_TRUE(cors.response_fields(preflight_request("http://127.0.0.1:3000")).empty());
}

TEST(McpCors, OnlyAListedOriginIsAnsweredAndEchoed) {
  const McpCors cors({"https://App.example/"});
  const auto answer = cors.preflight(preflight_request("https://app.example"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->result(), http::status::no_content);
  EXPECT_EQ((*answer)[http::field::access_control_allow_origin], "https://app.example");
  EXPECT_EQ((*answer)[http::field::access_control_allow_methods], "GET, POST, DELETE");
  EXPECT_EQ((*answer)[http::field::access_control_allow_headers], "authorization, mcp-session-id");
  EXPECT_EQ(answer->count(http::field::access_control_allow_credentials), 0u);
  EXPECT_FALSE(cors.preflight(preflight_request("https://evil.example")));
  EXPECT_FALSE(cors.preflight(preflight_request("https://app.example.evil.example")));
  HttpRequest post{http::verb::post, "/mcp", 11};
  post.set("Origin", "https://app.example");
  EXPECT_FALSE(cors.preflight(post)) << "not a preflight";
  const auto fields = cors.response_fields(post);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].second, "https://app.example");
  EXPECT_NE(fields[1].second.find("Mcp-Session-Id"), std::string::npos);
}

TEST(McpCors, AStarLetsAnyOriginInAndOnlyHeaderNamesAreEchoed) {
  const McpCors cors({"*"});
  const auto answer =
      cors.preflight(preflight_request("https://any.example", "authorization, bad header, x\r\ny"));
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)[http::field::access_control_allow_headers], "authorization");
  const auto plain = cors.preflight(preflight_request("https://any.example", ""));
  ASSERT_TRUE(plain);
  EXPECT_NE(std::string((*plain)[http::field::access_control_allow_headers]).find("Authorization"),
            std::string::npos);
}

}  // namespace
}  // namespace blender_bus::transport
