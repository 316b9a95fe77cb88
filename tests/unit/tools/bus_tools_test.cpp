#include "tools/bus_tools.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "delivery/bus_stream_source.hpp"
#include "mcp/dispatcher.hpp"
#include "tool_call_support.hpp"

namespace blender_bus::tools {
namespace {

namespace json = boost::json;
using Strings = std::vector<std::string>;

class BusToolsTest : public ::testing::Test {
 protected:
  BusToolsTest() {
    register_bus_tools(tools_, resources_, prompts_, service_, access_);
    llm_ = sessions_.create("alice");
    blender_ = sessions_.create("alice");
  }

  json::object call(const mcp::SessionPtr& session, std::string_view name, json::object args) {
    return test::call_tool(io_, tools_, session, name, std::move(args));
  }
  static std::string text_of(const json::object& result) { return test::text_of(result); }
  static json::object structured(const json::object& result) { return test::structured(result); }

  std::string read(const mcp::SessionPtr& session, std::string_view uri) {
    const auto* resource = resources_.find(uri);
    EXPECT_NE(resource, nullptr) << uri;
    mcp::CallContext ctx{session, io_.get_executor()};
    auto future = boost::asio::co_spawn(io_, resource->read(ctx), boost::asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  // What the session's stream would write now (nothing is acknowledged, so
  // each call sees every undelivered record again).
  Strings pushed(const mcp::SessionPtr& session) {
    Strings out;
    for (const auto& e : source_.next(*session, 10000).events) out.push_back(*e.data);
    return out;
  }

  void register_pair() {
    call(llm_, "blender_register_client", {{"client_uuid", "llm-1"}, {"client_type", "llm"}});
    call(blender_, "blender_register_client",
         {{"client_uuid", "b-1"},
          {"client_type", "blender"},
          {"is_persistent", true},
          {"group_id", "render-cluster"}});
  }

  double now_ = 10.5;
  unsigned random_counter_ = 0;
  delivery::embedded::BusManager buses_{[this] { return now_; },
                                        [this](std::span<unsigned char> out) {
                                          for (auto& b : out)
                                            b = static_cast<unsigned char>(random_counter_++);
                                        }};
  mcp::SessionRegistry sessions_{mcp::SessionLimits{}};
  delivery::BusService service_{buses_, sessions_};
  delivery::BusStreamSource source_{service_};
  BusAccess access_{nullptr};  // personal buses only
  mcp::ToolRegistry tools_;
  mcp::ResourceRegistry resources_;
  mcp::PromptRegistry prompts_;
  boost::asio::io_context io_;
  mcp::SessionPtr llm_;
  mcp::SessionPtr blender_;
};

TEST_F(BusToolsTest, RegistersEverything) {
  EXPECT_EQ(tools_.size(), 7u);
  for (const char* name :
       {"blender_register_client", "blender_unregister_client", "blender_send_message",
        "blender_job_update", "blender_list_available_clients", "blender_receive_messages",
        "blender_job_status"}) {
    EXPECT_NE(tools_.find(name), nullptr) << name;
  }
  // FastMCP's prefixed URIs are the listed ones; the plain ones are aliases.
  for (const char* uri : {"blender+blender://bus/clients", "blender+blender://bus/stats"}) {
    EXPECT_NE(resources_.find(uri), nullptr) << uri;
  }
  EXPECT_EQ(resources_.find("blender://bus/clients"),
            resources_.find("blender+blender://bus/clients"));
  EXPECT_EQ(resources_.find("blender://bus/stats"), resources_.find("blender+blender://bus/stats"));
  EXPECT_EQ(json::serialize(resources_.list()),
            R"([{"uri":"blender+blender://bus/clients","name":"bus-clients",)"
            R"("description":"The clients on your bus: {\"user_id\",\"persistent\":[…],)"
            R"(\"ephemeral\":[…]}.","mimeType":"application/json"},)"
            R"({"uri":"blender+blender://bus/stats","name":"bus-stats",)"
            R"("description":"Counts for your bus: {\"user_id\",\"persistent_count\",)"
            R"(\"ephemeral_count\",\"pending_jobs_for_user\",\"dropped_records\",)"
            R"(\"pending_records\"}.","mimeType":"application/json"}])");
  for (const auto& tool : tools_.list()) {
    EXPECT_EQ(tool.at("outputSchema"), mcp::text_result_output_schema()) << tool.at("name");
  }
  EXPECT_NE(prompts_.find("blender_dispatch_script"), nullptr);
}

TEST_F(BusToolsTest, SchemasCarryTheLimits) {
  const auto& reg = tools_.find("blender_register_client")->input_schema;
  EXPECT_EQ(json::serialize(reg.at("required")), R"(["client_uuid","client_type"])");
  const auto& props = reg.at("properties").as_object();
  // Byte limits, checked by the bus (a schema's maxLength counts characters).
  for (const char* field : {"client_uuid", "client_type", "group_id"}) {
    EXPECT_EQ(props.at(field).as_object().if_contains("maxLength"), nullptr) << field;
    EXPECT_TRUE(
        std::string(props.at(field).at("description").as_string()).ends_with("At most 256 bytes."))
        << field;
  }
  EXPECT_TRUE(std::string(props.at("capabilities").at("description").as_string())
                  .ends_with("At most 64, each at most 256 bytes."));
  const auto& send = tools_.find("blender_send_message")->input_schema;
  EXPECT_EQ(json::serialize(send.at("required")), R"(["payload"])");
  EXPECT_EQ(json::serialize(tools_.find("blender_job_update")->input_schema.at("required")),
            R"(["job_id","status"])");
}

TEST_F(BusToolsTest, SchemaViolationsNameTheField) {
  auto missing = call(llm_, "blender_register_client", {{"client_type", "llm"}});
  EXPECT_EQ(missing.at("isError"), true);
  EXPECT_NE(json::serialize(missing).find("client_uuid"), std::string::npos);
  auto wrong = call(llm_, "blender_send_message", {{"payload", "not an object"}});
  EXPECT_EQ(wrong.at("isError"), true);
  EXPECT_NE(json::serialize(wrong).find("payload"), std::string::npos);
  auto too_long = call(llm_, "blender_register_client",
                       {{"client_uuid", std::string(257, 'u')}, {"client_type", "llm"}});
  EXPECT_EQ(too_long.at("isError"), true);
  EXPECT_EQ(json::serialize(structured(too_long)),
            R"({"status":"error","error":"client_uuid exceeds 256 bytes"})");
  EXPECT_EQ(buses_.client_count(), 0u);
}

TEST_F(BusToolsTest, RegisterResultIsTextAndStructured) {
  auto result = call(llm_, "blender_register_client",
                     {{"client_uuid", "llm-1"}, {"client_type", "llm"}, {"group_id", nullptr}});
  const std::string expected =
      R"({"status":"ok","client":{"uuid":"llm-1","client_type":"llm","is_persistent":false,)"
      R"("capabilities":[],"group_id":null,"connected_at":10.5,"last_seen":10.5,"label":null,)"
      R"("online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,)"
      R"("dropped_records":0}})";
  EXPECT_EQ(result.at("content").at(0).at("type"), "text");
  EXPECT_EQ(text_of(result), expected);
  EXPECT_EQ(result.if_contains("isError"), nullptr);
  EXPECT_EQ(buses_.find("alice")->find("llm-1")->session_id, llm_->id());
}

TEST_F(BusToolsTest, DirectSendPushesTheRecordToTheTargetSessionOnly) {
  register_pair();
  auto result = call(llm_, "blender_send_message",
                     {{"payload", {{"message_type", "job_dispatch"}, {"job_id", "job-1"}}},
                      {"target_uuid", "b-1"},
                      {"from_uuid", "llm-1"}});
  EXPECT_EQ(json::serialize(structured(result).at("targets")), R"(["b-1"])");
  const Strings got = pushed(blender_);
  ASSERT_EQ(got.size(), 1u);
  const auto record = json::parse(got[0]).as_object();
  EXPECT_EQ(record.at("method"), "notifications/message");
  EXPECT_EQ(record.at("params").at("logger"), "_message_bus");
  EXPECT_EQ(record.at("params").at("data").at("target_uuid"), "b-1");
  EXPECT_EQ(record.at("params").at("data").at("user_id"), "alice");
  EXPECT_TRUE(pushed(llm_).empty());

  // The reply comes back directly, at notice.
  auto reply = call(blender_, "blender_job_update",
                    {{"job_id", "job-1"}, {"status", "completed"}, {"result", "ok"}});
  EXPECT_EQ(text_of(reply), R"({"status":"ok","delivered":"direct","targets":["llm-1"]})");
  const Strings to_llm = pushed(llm_);
  ASSERT_EQ(to_llm.size(), 1u);
  EXPECT_EQ(json::parse(to_llm[0]).at("params").at("level"), "notice");
  EXPECT_EQ(pushed(blender_).size(), 1u);
}

TEST_F(BusToolsTest, ThresholdFiltersLowerPriorities) {
  register_pair();
  blender_->set_log_threshold(mcp::LogLevel::warning);
  call(llm_, "blender_send_message", {{"payload", json::object{}}, {"target_uuid", "b-1"}});
  EXPECT_TRUE(pushed(blender_).empty());
  call(llm_, "blender_send_message",
       {{"payload", json::object{}}, {"target_uuid", "b-1"}, {"priority", "warning"}});
  EXPECT_EQ(pushed(blender_).size(), 1u);
  call(llm_, "blender_send_message",
       {{"payload", json::object{}}, {"target_uuid", "b-1"}, {"priority", 3}});
  EXPECT_EQ(pushed(blender_).size(), 2u);
}

TEST_F(BusToolsTest, BadPriorityIsTheOriginalsErrorNotIsError) {
  register_pair();
  auto result = call(llm_, "blender_send_message",
                     {{"payload", json::object{}}, {"target_uuid", "b-1"}, {"priority", "loud"}});
  EXPECT_EQ(text_of(result), R"({"status":"error","error":"Unknown priority: 'loud'"})");
  EXPECT_EQ(result.if_contains("isError"), nullptr);
  EXPECT_TRUE(pushed(blender_).empty());
}

TEST_F(BusToolsTest, OversizedPayloadIsAnIsErrorResult) {
  register_pair();
  auto result =
      call(llm_, "blender_send_message",
           {{"payload", {{"blob", std::string(1024 * 1024, 'x')}}}, {"target_uuid", "b-1"}});
  EXPECT_EQ(result.at("isError"), true);
  EXPECT_EQ(text_of(result),
            R"({"status":"error","error":"payload exceeds 1048576 bytes serialized"})");
  EXPECT_TRUE(pushed(blender_).empty());
}

TEST_F(BusToolsTest, SessionEndDropsItsEphemeralClients) {
  register_pair();
  sessions_.end(llm_->id());
  auto list = structured(call(blender_, "blender_list_available_clients", {}));
  EXPECT_EQ(list.at("ephemeral").as_array().size(), 0u);
  EXPECT_EQ(list.at("persistent").as_array().size(), 1u);
}

TEST_F(BusToolsTest, UnregisterAndList) {
  register_pair();
  EXPECT_EQ(text_of(call(llm_, "blender_unregister_client", {{"client_uuid", "llm-1"}})),
            R"({"status":"ok","client_uuid":"llm-1"})");
  EXPECT_EQ(text_of(call(llm_, "blender_unregister_client", {{"client_uuid", "llm-1"}})),
            R"({"status":"not_found","client_uuid":"llm-1"})");
  auto list = structured(call(llm_, "blender_list_available_clients", {}));
  EXPECT_EQ(list.at("status"), "ok");
  EXPECT_EQ(list.at("user_id"), "alice");
}

TEST_F(BusToolsTest, UsersAreIsolated) {
  register_pair();
  auto bob = sessions_.create("bob");
  call(bob, "blender_register_client", {{"client_uuid", "b-1"}, {"client_type", "blender"}});
  call(bob, "blender_send_message", {{"payload", json::object{}}});
  EXPECT_TRUE(pushed(blender_).empty());
  EXPECT_TRUE(pushed(llm_).empty());
  // Without from_uuid the origin is server:bob, so bob's own b-1 hears it.
  const Strings to_bob = pushed(bob);
  ASSERT_EQ(to_bob.size(), 1u);
  EXPECT_EQ(json::parse(to_bob[0]).at("params").at("data").at("user_id"), "bob");
}

TEST_F(BusToolsTest, Resources) {
  register_pair();
  EXPECT_EQ(read(llm_, "blender://bus/stats"),
            R"({"user_id":"alice","persistent_count":1,"ephemeral_count":1,)"
            R"("pending_jobs_for_user":0,"dropped_records":0,"pending_records":0})");
  auto clients = json::parse(read(llm_, "blender://bus/clients")).as_object();
  EXPECT_EQ(clients.at("user_id"), "alice");
  EXPECT_EQ(clients.at("persistent").at(0).at("uuid"), "b-1");
  EXPECT_EQ(clients.at("ephemeral").at(0).at("uuid"), "llm-1");
}

TEST_F(BusToolsTest, DispatchPromptCarriesAnEscapedJobDispatch) {
  const auto* prompt = prompts_.find("blender_dispatch_script");
  ASSERT_NE(prompt, nullptr);
  mcp::CallContext ctx{llm_, io_.get_executor()};
  auto result = prompt->render(
      ctx,
      {{"target", "uuid:b-1"}, {"script", "import bpy\nprint(\"hi\")"}, {"priority", "NOTICE"}});
  const std::string text(result.at("messages").at(0).at("content").at("text").as_string());
  EXPECT_NE(text.find(R"x("script":"import bpy\nprint(\"hi\")")x"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("priority":"notice")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("message_type":"job_dispatch","job_id":"job-)"), std::string::npos);
  EXPECT_NE(text.find("blender_send_message"), std::string::npos);
  EXPECT_EQ(result.at("messages").at(0).at("role"), "user");
  EXPECT_NE(text.find(R"({"target_uuid":"b-1","payload":)"), std::string::npos) << text;
}

TEST_F(BusToolsTest, DispatchPromptTakesTheOriginalsTargetSpecs) {
  const auto* prompt = prompts_.find("blender_dispatch_script");
  mcp::CallContext ctx{llm_, io_.get_executor()};
  auto text_for = [&](std::string_view target) {
    auto result = prompt->render(ctx, {{"target", target}, {"script", "pass"}});
    return std::string(result.at("messages").at(0).at("content").at("text").as_string());
  };
  EXPECT_NE(text_for("group:render").find(R"({"group_id":"render","payload":)"), std::string::npos);
  EXPECT_NE(text_for("type:blender").find(R"({"client_type":"blender","payload":)"),
            std::string::npos);
  const std::string broadcast = text_for("broadcast");
  EXPECT_NE(broadcast.find(R"({"payload":{"message_type":"job_dispatch")"), std::string::npos)
      << broadcast;
  for (const char* bad : {"b-1", "uuid:", "group:", "host:x", ""}) {
    try {
      text_for(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const mcp::InvalidParams& e) {
      EXPECT_EQ(std::string(e.what()), "Invalid target spec: '" + std::string(bad) +
                                           "' (use uuid:<client_uuid>, group:<group_id>, "
                                           "type:<client_type> or broadcast)");
    }
  }
}

}  // namespace
}  // namespace blender_bus::tools
