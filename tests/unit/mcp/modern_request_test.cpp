#include "mcp/modern_request.hpp"

#include <gtest/gtest.h>

namespace blender_bus::mcp {
namespace {

namespace json = boost::json;

json::object envelope(std::string_view version = "2026-07-28") {
  return json::object{{"io.modelcontextprotocol/protocolVersion", version},
                      {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
}

RpcMessage request(std::string method, json::object params) {
  RpcMessage m;
  m.kind = MessageKind::request;
  m.id = 7;
  m.method = std::move(method);
  m.params = std::move(params);
  return m;
}

RpcMessage with_meta(std::string method, json::object meta, json::object params = {}) {
  params["_meta"] = std::move(meta);
  return request(std::move(method), std::move(params));
}

ModernHeaders headers(std::string_view method, std::optional<std::string_view> name = {}) {
  return ModernHeaders{std::string_view("2026-07-28"), method, name};
}

int code_of(const std::variant<RequestMeta, ModernRejection>& outcome) {
  const auto* rejection = std::get_if<ModernRejection>(&outcome);
  if (!rejection) return 0;
  EXPECT_EQ(rejection->http_status, 400);
  return rejection->error.code;
}

TEST(ModernRequestTest, TheClaimIsTheMetaProtocolVersionKeyOnly) {
  EXPECT_NE(modern_claim(with_meta("tools/list", envelope())), nullptr);
  EXPECT_EQ(modern_claim(request("tools/list", {})), nullptr);
  EXPECT_EQ(modern_claim(request("tools/list", {{"_meta", {{"progressToken", 1}}}})), nullptr);
  // A legacy initialize carries its version in params, never in _meta.
  EXPECT_EQ(modern_claim(request("initialize", {{"protocolVersion", "2026-07-28"}})), nullptr);
}

TEST(ModernRequestTest, AWholeRequestPasses) {
  auto meta = envelope();
  meta["io.modelcontextprotocol/logLevel"] = "info";
  auto outcome = validate_modern_request(with_meta("tools/list", meta), headers("tools/list"));
  ASSERT_TRUE(std::holds_alternative<RequestMeta>(outcome));
  const auto& read = std::get<RequestMeta>(outcome);
  EXPECT_EQ(read.protocol_version, "2026-07-28");
  EXPECT_EQ(read.log_level, LogLevel::info);
}

TEST(ModernRequestTest, MissingOrMalformedMetaIsInvalidParams) {
  EXPECT_EQ(
      code_of(validate_modern_request(request("server/discover", {}), headers("server/discover"))),
      error_code::invalid_params);
  auto no_caps = envelope();
  no_caps.erase("io.modelcontextprotocol/clientCapabilities");
  EXPECT_EQ(
      code_of(validate_modern_request(with_meta("tools/list", no_caps), headers("tools/list"))),
      error_code::invalid_params);
  auto bad_level = envelope();
  bad_level["io.modelcontextprotocol/logLevel"] = "loud";
  EXPECT_EQ(
      code_of(validate_modern_request(with_meta("tools/list", bad_level), headers("tools/list"))),
      error_code::invalid_params);
  auto bad_info = envelope();
  bad_info["io.modelcontextprotocol/clientInfo"] = "me";
  EXPECT_EQ(
      code_of(validate_modern_request(with_meta("tools/list", bad_info), headers("tools/list"))),
      error_code::invalid_params);
}

TEST(ModernRequestTest, HeadersMustRepeatTheBody) {
  const auto list = with_meta("tools/list", envelope());
  EXPECT_EQ(code_of(validate_modern_request(
                list, ModernHeaders{std::string_view("2025-11-25"), "tools/list", {}})),
            error_code::header_mismatch);
  EXPECT_EQ(code_of(validate_modern_request(list, headers("prompts/list"))),
            error_code::header_mismatch);
  EXPECT_EQ(code_of(validate_modern_request(list, headers("TOOLS/LIST"))),
            error_code::header_mismatch);
  EXPECT_EQ(code_of(validate_modern_request(list, ModernHeaders{{}, "tools/list", {}})),
            error_code::header_mismatch);
  EXPECT_EQ(
      code_of(validate_modern_request(list, ModernHeaders{std::string_view("2026-07-28"), {}, {}})),
      error_code::header_mismatch);
  // Outer whitespace is no part of a value.
  EXPECT_EQ(code_of(validate_modern_request(list, headers("  tools/list\t"))), 0);
}

TEST(ModernRequestTest, McpNameRepeatsTheToolNameOrUri) {
  const auto call = with_meta("tools/call", envelope(), {{"name", "blender_job_status"}});
  EXPECT_EQ(code_of(validate_modern_request(call, headers("tools/call"))),
            error_code::header_mismatch);
  EXPECT_EQ(code_of(validate_modern_request(call, headers("tools/call", "other"))),
            error_code::header_mismatch);
  EXPECT_EQ(code_of(validate_modern_request(call, headers("tools/call", " blender_job_status "))),
            0);
  const auto read = with_meta("resources/read", envelope(), {{"uri", "blender://bus/ü"}});
  // "blender://bus/ü" in UTF-8, base64.
  EXPECT_EQ(code_of(validate_modern_request(
                read, headers("resources/read", "=?base64?YmxlbmRlcjovL2J1cy/DvA==?="))),
            0);
  EXPECT_EQ(code_of(validate_modern_request(read, headers("resources/read", "=?base64?%%%?="))),
            error_code::header_mismatch);
}

TEST(ModernRequestTest, AnUnservedVersionNamesTheServedOnes) {
  auto outcome =
      validate_modern_request(with_meta("server/discover", envelope("v999.0.0")),
                              ModernHeaders{std::string_view("v999.0.0"), "server/discover", {}});
  ASSERT_EQ(code_of(outcome), error_code::unsupported_protocol_version);
  const auto& data = std::get<ModernRejection>(outcome).error.data;
  EXPECT_EQ(data.at("requested"), "v999.0.0");
  EXPECT_EQ(data.at("supported"), (json::array{"2026-07-28"}));
}

TEST(ModernRequestTest, ANotificationNeedsNoMethodHeader) {
  RpcMessage cancelled = with_meta("notifications/cancelled", envelope());
  cancelled.kind = MessageKind::notification;
  cancelled.id = nullptr;
  EXPECT_EQ(code_of(validate_modern_request(cancelled,
                                            ModernHeaders{std::string_view("2026-07-28"), {}, {}})),
            0);
}

}  // namespace
}  // namespace blender_bus::mcp
