#include "tools/bus_access.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "tool_call_support.hpp"
#include "tools/bus_tools.hpp"
#include "tools/inbox_feed.hpp"

namespace blender_bus::tools {
namespace {

namespace json = boost::json;

// Every bus tool with shared buses registered, an owner's bus, and a
// member, a guest and an outsider (no store: memberships in memory).
class BusAccessTest : public ::testing::Test {
 protected:
  BusAccessTest() {
    register_bus_tools(tools_, resources_, prompts_, service_, access_, &channels_);
    bus_id_ = memberships_.create("olivia", "farm").bus_id;
    for (auto [user, role] :
         {std::pair{"mia", sharing::BusRole::member}, std::pair{"gus", sharing::BusRole::guest}}) {
      auto invited = memberships_.invite(bus_id_, "olivia", user, role);
      memberships_.join(user, std::get<sharing::InvitationView>(invited).code);
    }
  }

  // The smallest arguments the tool's schema accepts, with `bus_id`.
  static json::object arguments_for(const mcp::ToolDefinition& tool, const std::string& bus_id) {
    json::object args;
    const json::object& schema = tool.input_schema;
    if (const auto* required = schema.if_contains("required")) {
      const json::object& props = schema.at("properties").as_object();
      for (const auto& name : required->as_array()) {
        const json::object& prop = props.at(name.as_string()).as_object();
        if (const auto* allowed = prop.if_contains("enum")) {
          args[name.as_string()] = allowed->as_array().front();
        } else if (prop.at("type") == "object") {
          args[name.as_string()] = json::object{};
        } else {
          args[name.as_string()] = "x";
        }
      }
    }
    args["bus_id"] = bus_id;
    return args;
  }

  json::object call(std::string_view user, const mcp::ToolDefinition& tool,
                    const std::string& bus_id) {
    return call(user, tool.name, arguments_for(tool, bus_id));
  }
  json::object call(std::string_view user, std::string_view tool, json::object args) {
    return test::structured(
        test::call_tool(io_, tools_, sessions_.create(std::string(user)), tool, std::move(args)));
  }

  // The tools that name no bus: creating one, listing one's own, joining by code.
  const std::set<std::string> kNoBus{"blender_bus_create", "blender_bus_list", "blender_bus_join"};

  delivery::embedded::BusManager buses_{[] { return 10.0; },
                                        [this](std::span<unsigned char> out) {
                                          for (auto& b : out)
                                            b = static_cast<unsigned char>(counter_++);
                                        }};
  unsigned counter_ = 0;
  mcp::SessionRegistry sessions_{mcp::SessionLimits{}};
  delivery::BusService service_{buses_, sessions_};
  sharing::BusMemberships memberships_{nullptr, [] { return 10.0; },
                                       [this](std::span<unsigned char> out) {
                                         for (auto& b : out)
                                           b = static_cast<unsigned char>(counter_++);
                                       }};
  BusAccess access_{&memberships_};
  delivery::ModernChannels channels_{service_};
  InboxFeed inbox_feed_{channels_, access_};
  mcp::ToolRegistry tools_;
  mcp::ResourceRegistry resources_;
  mcp::PromptRegistry prompts_;
  boost::asio::io_context io_;
  std::string bus_id_;
};

// Every registered tool that acts on a bus runs the one check exactly once,
// and an outsider gets the same answer as for a bus that does not exist. A
// tool added later without the check fails here.
TEST_F(BusAccessTest, EveryBusToolGoesThroughTheOneCheck) {
  std::size_t bus_tools = 0;
  for (const std::string& name : tools_.names()) {
    if (kNoBus.contains(name)) continue;
    SCOPED_TRACE(name);
    const mcp::ToolDefinition& tool = *tools_.find(name);
    ASSERT_TRUE(tool.input_schema.at("properties").as_object().contains("bus_id"));
    for (const std::string& bus : {bus_id_, std::string("bus_never_created")}) {
      const std::uint64_t before = access_.checks();
      const json::object answer = call("oscar", tool, bus);
      EXPECT_EQ(access_.checks(), before + 1);
      EXPECT_EQ(answer, (json::object{{"status", "error"}, {"error", "bus not found"}}));
    }
    ++bus_tools;
  }
  EXPECT_GE(bus_tools, 12u);  // the seven bus tools and five of blender_bus_*
}

// subscriptions/listen's inbox uris go through the same check: an outsider
// naming a shared bus is told "bus not found", as for one that does not exist.
TEST_F(BusAccessTest, AListenOnAnInboxGoesThroughTheOneCheck) {
  for (const std::string& bus : {bus_id_, std::string("bus_never_created")}) {
    SCOPED_TRACE(bus);
    const std::uint64_t before = access_.checks();
    mcp::WatchAnswer answer =
        inbox_feed_.watch("oscar", "blender://bus/inbox/x?bus_id=" + bus, [] {});
    EXPECT_EQ(access_.checks(), before + 1);
    EXPECT_EQ(answer.watch, nullptr);
    EXPECT_EQ(answer.refusal, "bus not found");
  }
  // Not an inbox uri, or no uuid in it: refused, with nothing said.
  for (const char* uri : {"blender://bus/clients", "blender://bus/inbox/"}) {
    const mcp::WatchAnswer answer = inbox_feed_.watch("mia", uri, [] {});
    EXPECT_EQ(answer.watch, nullptr);
    EXPECT_EQ(answer.refusal, "");
  }
}

// A watch on a shared bus checks again on every wake: once its member is
// removed it tells nothing more, though records keep arriving for the uuid.
TEST_F(BusAccessTest, AListenOnASharedBusStopsTellingOnceItsMemberIsRemoved) {
  const json::object registration{
      {"bus_id", bus_id_}, {"client_uuid", "mia-llm"}, {"client_type", "llm"}};
  ASSERT_EQ(call("mia", "blender_register_client", registration).at("status"), "ok");
  mcp::WatchAnswer answer =
      inbox_feed_.watch("mia", "blender://bus/inbox/mia-llm?bus_id=" + bus_id_, [] {});
  ASSERT_NE(answer.watch, nullptr);
  EXPECT_FALSE(answer.watch->take_update());
  const json::object send{
      {"bus_id", bus_id_}, {"target_uuid", "mia-llm"}, {"payload", json::object{}}};
  ASSERT_EQ(call("olivia", "blender_send_message", send).at("status"), "ok");
  std::uint64_t before = access_.checks();
  EXPECT_TRUE(answer.watch->take_update());
  EXPECT_EQ(access_.checks(), before + 1);
  // Read: the next record would be told again.
  const json::object pull{{"bus_id", bus_id_}, {"client_uuid", "mia-llm"}};
  ASSERT_EQ(call("mia", "blender_receive_messages", pull).at("messages").as_array().size(), 1u);

  ASSERT_TRUE(
      std::holds_alternative<std::vector<std::string>>(memberships_.remove_member(bus_id_, "mia")));
  // The owner takes the uuid over; its records are not the removed member's.
  json::object taken = registration;
  taken["client_type"] = "blender";
  ASSERT_EQ(call("olivia", "blender_register_client", taken).at("status"), "ok");
  ASSERT_EQ(call("olivia", "blender_send_message", send).at("status"), "ok");
  before = access_.checks();
  EXPECT_FALSE(answer.watch->take_update());
  EXPECT_EQ(access_.checks(), before + 1);
  EXPECT_FALSE(answer.watch->take_update());
  EXPECT_EQ(access_.checks(), before + 1);  // refused once, it stays silent unchecked
}

// Another member's client on the bus: refused with the tools' answer.
TEST_F(BusAccessTest, AListenOnAnotherMembersClientIsRefused) {
  const json::object registration{
      {"bus_id", bus_id_}, {"client_uuid", "gus-blender"}, {"client_type", "blender"}};
  ASSERT_EQ(call("gus", "blender_register_client", registration).at("status"), "ok");
  const mcp::WatchAnswer answer =
      inbox_feed_.watch("mia", "blender://bus/inbox/gus-blender?bus_id=" + bus_id_, [] {});
  EXPECT_EQ(answer.watch, nullptr);
  EXPECT_EQ(answer.refusal, "client_uuid belongs to another member of this bus");
  EXPECT_NE(
      inbox_feed_.watch("gus", "blender://bus/inbox/gus-blender?bus_id=" + bus_id_, [] {}).watch,
      nullptr);
}

TEST_F(BusAccessTest, ARoleTheTableRefusesIsForbidden) {
  const auto& send = *tools_.find("blender_send_message");
  EXPECT_EQ(call("gus", send, bus_id_).at("error"), "forbidden: guest cannot send_message");
  EXPECT_EQ(call("mia", send, bus_id_).at("status"), "ok");
  const auto& invite = *tools_.find("blender_bus_invite");
  EXPECT_EQ(call("mia", invite, bus_id_).at("error"), "forbidden: member cannot invite");
  EXPECT_EQ(call("gus", *tools_.find("blender_bus_members"), bus_id_).at("error"),
            "forbidden: guest cannot list_members");
}

TEST_F(BusAccessTest, NoBusIdOrOnesOwnIdIsThePersonalBus) {
  const auto& list = *tools_.find("blender_list_available_clients");
  const json::object own = call("oscar", list, "oscar");
  EXPECT_EQ(own.at("user_id"), "oscar");
  EXPECT_FALSE(own.contains("bus_id"));
  EXPECT_EQ(call("oscar", list, "olivia").at("error"), "bus not found");
  const json::object shared = call("gus", list, bus_id_);
  EXPECT_EQ(shared.at("user_id"), "gus");
  EXPECT_EQ(shared.at("bus_id"), json::value(bus_id_));
}

}  // namespace
}  // namespace blender_bus::tools
