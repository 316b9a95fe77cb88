#include "delivery/embedded/user_message_bus.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "json/serializer.hpp"

namespace blender_bus::delivery::embedded {
namespace {

// The wire text of a result, as the tools write it.
std::string wire(const boost::json::value& value) {
  return blender_bus::json::to_text(value);
}
using bus::test::kFirstUuid;
using bus::test::kSecondUuid;
using bus::test::parse_object;

class UserMessageBusTest : public ::testing::Test {
 protected:
  explicit UserMessageBusTest(bus::Limits limits = {})
      : bus_("alice", clock_.clock(), bus::test::counting_random(), limits) {}

  Outcome reg(const std::string& uuid, const std::string& type, bool persistent,
              std::optional<std::string> group = std::nullopt, std::string session = "s-1",
              std::vector<std::string> caps = {}) {
    return bus_.register_client(bus::Registration{uuid, type, persistent, std::move(caps),
                                                  std::move(group), std::move(session)});
  }

  // The three clients of the issue's integration scenario, plus nothing else.
  void populate() {
    reg("llm-1", "llm", false, std::nullopt, "s-llm");
    reg("b-1", "blender", true, "render-cluster", "s-b1");
    reg("b-2", "blender", true, std::nullopt, "s-b2");
  }

  static std::vector<std::string> targets_of(const Outcome& out) {
    std::vector<std::string> uuids;
    for (const auto& t : out.result.at("targets").as_array()) {
      uuids.emplace_back(t.as_string());
    }
    return uuids;
  }

  static std::vector<std::string> delivered_to(const Outcome& out) {
    std::vector<std::string> uuids;
    for (const auto& d : out.deliveries) uuids.push_back(d.target_uuid);
    return uuids;
  }

  static boost::json::object data_of(const Delivery& d) {
    return parse_object((*d.text)).at("params").at("data").as_object();
  }

  Outcome send(boost::json::object payload, bus::SendRequest request) {
    return bus_.send(payload, request);
  }

  bus::test::ManualClock clock_;
  UserMessageBus bus_;
};

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------- register

TEST_F(UserMessageBusTest, RegisterReturnsTheExactWireShape) {
  clock_.set(1.5);
  auto out = reg("blender-abc", "blender", true, "render-cluster", "s-1",
                 {"python_execution", "rendering"});
  EXPECT_FALSE(out.rejected);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(
      wire(out.result),
      R"({"status":"ok","client":{"uuid":"blender-abc","client_type":"blender",)"
      R"("is_persistent":true,"capabilities":["python_execution","rendering"],)"
      R"("group_id":"render-cluster","connected_at":1.5,"last_seen":1.5,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}})");
  EXPECT_EQ(bus_.last_activity(), 1.5);
}

TEST_F(UserMessageBusTest, BucketFollowsIsPersistent) {
  reg("b-1", "blender", true);
  reg("llm-1", "llm", false);
  const auto stats = bus_.stats();
  EXPECT_EQ(stats.persistent_count, 1u);
  EXPECT_EQ(stats.ephemeral_count, 1u);
  EXPECT_TRUE(bus_.find("b-1")->is_persistent);
  EXPECT_FALSE(bus_.find("llm-1")->is_persistent);
}

TEST_F(UserMessageBusTest, ReRegistrationKeepsUuidBucketConnectedAtAndUpdatesTheRest) {
  clock_.set(100);
  reg("b-1", "blender", true, "g1", "s-1", {"rendering"});
  clock_.set(200);
  auto out = reg("b-1", "worker", /*persistent=*/false, "g2", "s-2", {"x", "y"});
  EXPECT_EQ(
      wire(out.result),
      R"({"status":"ok","client":{"uuid":"b-1","client_type":"worker",)"
      R"("is_persistent":true,"capabilities":["x","y"],"group_id":"g2",)"
      R"("connected_at":100.0,"last_seen":200.0,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}})");
  // No duplicate in the other bucket.
  const auto stats = bus_.stats();
  EXPECT_EQ(stats.persistent_count, 1u);
  EXPECT_EQ(stats.ephemeral_count, 0u);
  EXPECT_EQ(bus_.find("b-1")->session_id, "s-2");
  EXPECT_EQ(bus_.last_activity(), 200);
  // The indexes follow the new values.
  EXPECT_EQ(bus_.clients_for_session("s-1"), Strings{});
  EXPECT_EQ(bus_.clients_for_session("s-2"), Strings{"b-1"});
  EXPECT_EQ(targets_of(send({}, {.group_id = "g1"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {.group_id = "g2"})), Strings{"b-1"});
  EXPECT_EQ(targets_of(send({}, {.client_type = "blender"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {.client_type = "worker"})), Strings{"b-1"});
}

TEST_F(UserMessageBusTest, EphemeralStaysEphemeralWhenReRegisteredAsPersistent) {
  reg("llm-1", "llm", false);
  reg("llm-1", "llm", true);
  EXPECT_FALSE(bus_.find("llm-1")->is_persistent);
  EXPECT_EQ(bus_.stats().ephemeral_count, 1u);
  EXPECT_EQ(bus_.stats().persistent_count, 0u);
}

TEST_F(UserMessageBusTest, ReRegistrationWithoutGroupClearsTheGroup) {
  reg("b-1", "blender", true, "g1");
  reg("b-1", "blender", true, std::nullopt);
  EXPECT_EQ(bus_.find("b-1")->group_id, std::nullopt);
  EXPECT_EQ(targets_of(send({}, {.group_id = "g1"})), Strings{});
}

TEST_F(UserMessageBusTest, ReRegistrationWithoutSessionKeepsTheBinding) {
  reg("b-1", "blender", true, std::nullopt, "s-1");
  reg("b-1", "blender", true, std::nullopt, "");
  EXPECT_EQ(bus_.find("b-1")->session_id, "s-1");
}

TEST_F(UserMessageBusTest, RegistrationOverALimitRegistersNothing) {
  struct Case {
    bus::Registration r;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"", "llm", false, {}, {}, "s"}, "client_uuid must not be empty"},
      {{std::string(257, 'u'), "llm", false, {}, {}, "s"}, "client_uuid exceeds 256 bytes"},
      {{"c", std::string(257, 't'), false, {}, {}, "s"}, "client_type exceeds 256 bytes"},
      {{"c", "llm", false, {}, std::string(257, 'g'), "s"}, "group_id exceeds 256 bytes"},
      {{"c", "llm", false, std::vector<std::string>(65, "cap"), {}, "s"},
       "capabilities exceeds 64 items"},
      {{"c", "llm", false, {"ok", std::string(257, 'c')}, {}, "s"},
       "capabilities[1] exceeds 256 bytes"},
  };
  for (const auto& c : cases) {
    auto out = bus_.register_client(c.r);
    EXPECT_TRUE(out.rejected) << c.error;
    EXPECT_EQ(wire(out.result), R"({"status":"error","error":")" + c.error + R"("})");
  }
  EXPECT_EQ(bus_.client_count(), 0u);
  EXPECT_EQ(bus_.last_activity(), 0);
}

TEST_F(UserMessageBusTest, LimitsAtTheBoundaryAreAccepted) {
  auto out = bus_.register_client(bus::Registration{
      std::string(256, 'u'), std::string(256, 't'), false,
      std::vector<std::string>(64, std::string(256, 'c')), std::string(256, 'g'), "s"});
  EXPECT_FALSE(out.rejected);
  EXPECT_EQ(bus_.client_count(), 1u);
}

TEST_F(UserMessageBusTest, RefusedReRegistrationLeavesTheClientUntouched) {
  reg("b-1", "blender", true, "g1");
  auto out = reg("b-1", std::string(257, 't'), true, "g2");
  EXPECT_TRUE(out.rejected);
  EXPECT_EQ(bus_.find("b-1")->client_type, "blender");
  EXPECT_EQ(bus_.find("b-1")->group_id, "g1");
}

// -------------------------------------------------------------- unregister

TEST_F(UserMessageBusTest, UnregisterIsIdempotent) {
  reg("b-1", "blender", true, "g1", "s-1");
  EXPECT_EQ(wire(bus_.unregister_client("b-1").result), R"({"status":"ok","client_uuid":"b-1"})");
  EXPECT_EQ(wire(bus_.unregister_client("b-1").result),
            R"({"status":"not_found","client_uuid":"b-1"})");
  EXPECT_EQ(bus_.client_count(), 0u);
  EXPECT_EQ(bus_.stats().persistent_count, 0u);
  EXPECT_EQ(bus_.clients_for_session("s-1"), Strings{});
  EXPECT_EQ(targets_of(send({}, {.target_uuid = "b-1"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {.group_id = "g1"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {.client_type = "blender"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {})), Strings{});
}

// -------------------------------------------------------------------- send

TEST_F(UserMessageBusTest, DirectSendExactResultAndRecord) {
  populate();
  clock_.set(1000.5);
  auto out = send({{"message_type", "job_dispatch"}, {"script", "import bpy"}},
                  {.target_uuid = "b-1", .from_uuid = "llm-1"});
  EXPECT_EQ(wire(out.result), std::string(R"({"status":"ok","message_id":")") + kFirstUuid +
                                  R"(","job_id":")" + kFirstUuid +
                                  R"(","targets":["b-1"],)"
                                  R"("routing":{"type":"direct","target_uuid":"b-1"}})");
  ASSERT_EQ(out.deliveries.size(), 1u);
  const Delivery& d = out.deliveries[0];
  EXPECT_EQ(d.target_uuid, "b-1");
  EXPECT_EQ(d.session_id, "s-b1");
  EXPECT_EQ(d.level, bus::Priority::info);
  EXPECT_EQ((*d.text),
            std::string(R"({"jsonrpc":"2.0","method":"notifications/message","params":{)"
                        R"("level":"info","logger":"_message_bus","data":{"user_id":"alice",)"
                        R"("from_uuid":"llm-1","target_uuid":"b-1",)"
                        R"("routing":{"type":"direct","target_uuid":"b-1"},)"
                        R"("payload":{"message_type":"job_dispatch","script":"import bpy"},)"
                        R"("job_id":")") +
                kFirstUuid + R"(","message_id":")" + kFirstUuid +
                R"(","priority":6,"timestamp":1000.5}}})");
  EXPECT_EQ(bus_.last_activity(), 1000.5);
}

TEST_F(UserMessageBusTest, TargetUuidWinsWhenEveryTargetingFieldIsSet) {
  populate();
  auto out = send({}, {.target_uuid = "b-2", .group_id = "render-cluster", .client_type = "llm"});
  EXPECT_EQ(targets_of(out), Strings{"b-2"});
  EXPECT_EQ(wire(out.result.at("routing")), R"({"type":"direct","target_uuid":"b-2"})");
}

TEST_F(UserMessageBusTest, GroupWinsOverClientType) {
  populate();
  auto out = send({}, {.group_id = "render-cluster", .client_type = "llm"});
  EXPECT_EQ(targets_of(out), Strings{"b-1"});
  EXPECT_EQ(wire(out.result.at("routing")), R"({"type":"group","group_id":"render-cluster"})");
}

TEST_F(UserMessageBusTest, TypeFilter) {
  populate();
  auto out = send({}, {.client_type = "blender"});
  EXPECT_EQ(targets_of(out), (Strings{"b-1", "b-2"}));
  EXPECT_EQ(delivered_to(out), (Strings{"b-1", "b-2"}));
  EXPECT_EQ(wire(out.result.at("routing")), R"({"type":"type_filter","client_type":"blender"})");
}

TEST_F(UserMessageBusTest, GroupIncludesTheSender) {
  populate();
  reg("b-3", "blender", true, "render-cluster", "s-b3");
  auto out = send({}, {.group_id = "render-cluster", .from_uuid = "b-1"});
  EXPECT_EQ(targets_of(out), (Strings{"b-1", "b-3"}));
}

TEST_F(UserMessageBusTest, TypeFilterIncludesTheSender) {
  populate();
  auto out = send({}, {.client_type = "blender", .from_uuid = "b-2"});
  EXPECT_EQ(targets_of(out), (Strings{"b-1", "b-2"}));
}

TEST_F(UserMessageBusTest, BroadcastExcludesFromUuid) {
  populate();
  auto out = send({}, {.from_uuid = "llm-1"});
  EXPECT_EQ(targets_of(out), (Strings{"b-1", "b-2"}));
  EXPECT_EQ(wire(out.result.at("routing")), R"({"type":"broadcast"})");
  for (const auto& d : out.deliveries) EXPECT_EQ(data_of(d).at("from_uuid"), "llm-1");
}

TEST_F(UserMessageBusTest, BroadcastWithoutFromUuidComesFromServerAndReachesEveryone) {
  populate();
  auto out = send({}, {});
  // Persistent before ephemeral, each in registration order.
  EXPECT_EQ(targets_of(out), (Strings{"b-1", "b-2", "llm-1"}));
  for (const auto& d : out.deliveries) EXPECT_EQ(data_of(d).at("from_uuid"), "server:alice");
}

TEST_F(UserMessageBusTest, BroadcastExcludesAClientNamedLikeTheServerOrigin) {
  reg("server:alice", "llm", false);
  reg("b-1", "blender", true);
  EXPECT_EQ(targets_of(send({}, {})), Strings{"b-1"});
}

TEST_F(UserMessageBusTest, UnknownTargetIsOkWithNoTargets) {
  populate();
  auto out = send({}, {.target_uuid = "nobody"});
  EXPECT_EQ(out.result.at("status"), "ok");
  EXPECT_EQ(wire(out.result.at("targets")), "[]");
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_FALSE(out.rejected);
  EXPECT_EQ(targets_of(send({}, {.group_id = "nobody"})), Strings{});
  EXPECT_EQ(targets_of(send({}, {.client_type = "nobody"})), Strings{});
}

TEST_F(UserMessageBusTest, EmptyBusBroadcastIsOk) {
  auto out = send({}, {});
  EXPECT_EQ(out.result.at("status"), "ok");
  EXPECT_EQ(wire(out.result.at("targets")), "[]");
}

TEST_F(UserMessageBusTest, JobIdComesFromThePayloadWhenPresent) {
  populate();
  auto out = send({{"job_id", "job-42"}}, {.target_uuid = "b-1"});
  EXPECT_EQ(out.result.at("job_id"), "job-42");
  EXPECT_EQ(out.result.at("message_id"), kFirstUuid);
  EXPECT_EQ(data_of(out.deliveries[0]).at("job_id"), "job-42");
  EXPECT_EQ(data_of(out.deliveries[0]).at("message_id"), kFirstUuid);
}

TEST_F(UserMessageBusTest, JobIdIsTheMessageIdOtherwise) {
  populate();
  EXPECT_EQ(send({}, {.target_uuid = "b-1"}).result.at("job_id"), kFirstUuid);
  // A job id that is not a non-empty string cannot be answered by job_update.
  EXPECT_EQ(send({{"job_id", 7}}, {.target_uuid = "b-1"}).result.at("job_id"), kSecondUuid);
  auto third = send({{"job_id", ""}}, {.target_uuid = "b-1"});
  EXPECT_EQ(third.result.at("job_id"), third.result.at("message_id"));
}

TEST_F(UserMessageBusTest, OneMessageIdPerSendSharedByItsRecords) {
  populate();
  auto first = send({}, {});
  ASSERT_EQ(first.deliveries.size(), 3u);
  for (const auto& d : first.deliveries) {
    EXPECT_EQ(data_of(d).at("message_id"), kFirstUuid);
    EXPECT_EQ(data_of(d).at("target_uuid"), d.target_uuid.c_str());
  }
  auto second = send({}, {});
  EXPECT_EQ(second.result.at("message_id"), kSecondUuid);
}

TEST_F(UserMessageBusTest, DeliveriesCarryEachTargetsSession) {
  populate();
  auto out = send({}, {});
  ASSERT_EQ(out.deliveries.size(), 3u);
  EXPECT_EQ(out.deliveries[0].session_id, "s-b1");
  EXPECT_EQ(out.deliveries[1].session_id, "s-b2");
  EXPECT_EQ(out.deliveries[2].session_id, "s-llm");
}

TEST_F(UserMessageBusTest, BadPriorityRoutesNothing) {
  populate();
  clock_.set(5);
  const double before = bus_.last_activity();
  auto out =
      send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .priority = "loud", .from_uuid = "llm-1"});
  EXPECT_EQ(wire(out.result), R"({"status":"error","error":"Unknown priority: 'loud'"})");
  EXPECT_FALSE(out.rejected);  // the original's answer: a normal result
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
  EXPECT_EQ(bus_.last_activity(), before);
}

TEST_F(UserMessageBusTest, PrioritySetsLevelAndInt) {
  populate();
  auto out = send({}, {.target_uuid = "b-1", .priority = " WARNING "});
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].level, bus::Priority::warning);
  const auto record = parse_object(*out.deliveries[0].text);
  EXPECT_EQ(record.at("params").at("level"), "warning");
  EXPECT_EQ(record.at("params").at("data").at("priority"), 4);
  auto numeric = send({}, {.target_uuid = "b-1", .priority = "2"});
  EXPECT_EQ(parse_object(*numeric.deliveries[0].text).at("params").at("level"), "critical");
}

TEST_F(UserMessageBusTest, FromUuidRemembersTheJobAndNoFromUuidDoesNot) {
  populate();
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1"});
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  EXPECT_EQ(bus_.stats().pending_jobs, 1u);
  EXPECT_EQ(bus_.job_originator("job-1"), "llm-1");
}

TEST_F(UserMessageBusTest, TargetingFieldsOverALimitRouteNothing) {
  populate();
  const std::string long_uuid(257, 'x');
  for (const auto& [req, error] : std::vector<std::pair<bus::SendRequest, std::string>>{
           {{.target_uuid = long_uuid}, "target_uuid exceeds 256 bytes"},
           {{.group_id = std::string(257, 'g')}, "group_id exceeds 256 bytes"},
           {{.client_type = std::string(257, 't')}, "client_type exceeds 256 bytes"},
           {{.from_uuid = long_uuid}, "from_uuid exceeds 256 bytes"},
       }) {
    auto out = send({{"job_id", "j"}}, req);
    EXPECT_TRUE(out.rejected);
    EXPECT_EQ(wire(out.result), R"({"status":"error","error":")" + error + R"("})");
    EXPECT_TRUE(out.deliveries.empty());
  }
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
}

class SmallPayloadBusTest : public UserMessageBusTest {
 protected:
  SmallPayloadBusTest() : UserMessageBusTest(bus::Limits{.max_payload_bytes = 16}) {}
};

TEST_F(SmallPayloadBusTest, PayloadOverTheLimitRoutesNothing) {
  populate();
  // {"k":"12345678"} is exactly 16 bytes.
  EXPECT_FALSE(send({{"k", "12345678"}}, {}).rejected);
  auto out = send({{"k", "123456789"}}, {.from_uuid = "llm-1"});
  EXPECT_TRUE(out.rejected);
  EXPECT_EQ(wire(out.result),
            R"({"status":"error","error":"payload exceeds 16 bytes serialized"})");
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
}

// -------------------------------------------------------------- job update

TEST_F(UserMessageBusTest, JobUpdateGoesDirectToTheOriginatorWithTheExactRecord) {
  populate();
  send({{"message_type", "job_dispatch"}, {"job_id", "job-1"}},
       {.target_uuid = "b-1", .from_uuid = "llm-1"});
  clock_.set(2.5);
  auto out = bus_.job_update({"job-1", "running", "", ""});
  EXPECT_EQ(wire(out.result), R"({"status":"ok","delivered":"direct","targets":["llm-1"]})");
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].level, bus::Priority::notice);
  EXPECT_EQ(out.deliveries[0].session_id, "s-llm");
  EXPECT_EQ(*out.deliveries[0].text,
            std::string(R"({"jsonrpc":"2.0","method":"notifications/message","params":{)"
                        R"("level":"notice","logger":"_message_bus","data":{"user_id":"alice",)"
                        R"("from_uuid":"server:alice","target_uuid":"llm-1",)"
                        R"("routing":{"type":"direct","target_uuid":"llm-1"},)"
                        R"("payload":{"kind":"job_update","job_id":"job-1","status":"running",)"
                        R"("result":"","error":""},"job_id":"job-1","message_id":")") +
                kSecondUuid + R"(","priority":5,"timestamp":2.5}}})");
  EXPECT_EQ(bus_.last_activity(), 2.5);
}

TEST_F(UserMessageBusTest, JobUpdateNamesTheClientOfTheUpdatingSession) {
  populate();
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  auto out = bus_.job_update({.job_id = "job-1",
                              .status = "completed",
                              .result = "42",
                              .error = "",
                              .session_id = "s-b1"});
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(boost::json::serialize(data_of(out.deliveries[0]).at("payload")),
            R"({"kind":"job_update","job_id":"job-1","status":"completed","result":"42",)"
            R"("error":"","client_uuid":"b-1"})");
  // A session with no client on this bus names none.
  send({{"job_id", "job-2"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  auto anonymous = bus_.job_update({.job_id = "job-2",
                                    .status = "completed",
                                    .result = "",
                                    .error = "",
                                    .session_id = "s-unknown"});
  EXPECT_FALSE(data_of(anonymous.deliveries[0]).at("payload").as_object().contains("client_uuid"));
}

TEST_F(UserMessageBusTest, NonTerminalKeepsTerminalForgets) {
  populate();
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  EXPECT_EQ(bus_.job_update({"job-1", "running", "", ""}).result.at("delivered"), "direct");
  EXPECT_EQ(bus_.stats().pending_jobs, 1u);
  auto done = bus_.job_update({"job-1", "completed", "42", ""});
  EXPECT_EQ(done.result.at("delivered"), "direct");
  EXPECT_EQ(
      wire(data_of(done.deliveries[0]).at("payload")),
      R"({"kind":"job_update","job_id":"job-1","status":"completed","result":"42","error":""})");
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
  // Forgotten: a late update is broadcast.
  EXPECT_EQ(bus_.job_update({"job-1", "running", "", ""}).result.at("delivered"), "broadcast");
}

TEST_F(UserMessageBusTest, FailedAndCancelledAreTerminalToo) {
  populate();
  send({{"job_id", "a"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  send({{"job_id", "b"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  bus_.job_update({"a", "failed", "", "boom"});
  EXPECT_EQ(bus_.stats().pending_jobs, 1u);
  bus_.job_update({"b", "cancelled", "", ""});
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
}

TEST_F(UserMessageBusTest, UnknownJobIsBroadcastToEveryClientOfTheBus) {
  populate();
  auto out = bus_.job_update({"job-x", "completed", "r", "e"});
  EXPECT_EQ(wire(out.result),
            R"({"status":"ok","delivered":"broadcast","targets":["b-1","b-2","llm-1"]})");
  ASSERT_EQ(out.deliveries.size(), 3u);
  for (const auto& d : out.deliveries) {
    const auto data = data_of(d);
    EXPECT_EQ(data.at("job_id"), "job-x");
    EXPECT_EQ(data.at("from_uuid"), "server:alice");
    EXPECT_EQ(wire(data.at("routing")), R"({"type":"broadcast"})");
    EXPECT_EQ(d.level, bus::Priority::notice);
  }
}

TEST_F(UserMessageBusTest, AServerOriginOpensNoJobAndItsUpdateBroadcasts) {
  populate();
  auto sent = send({{"job_id", "job-s"}}, {.target_uuid = "b-1", .from_uuid = "server:alice"});
  EXPECT_TRUE(sent.jobs.empty());  // nothing for the store to remember either
  EXPECT_EQ(bus_.stats().pending_jobs, 0u);
  EXPECT_EQ(data_of(sent.deliveries[0]).at("from_uuid"), "server:alice");
  auto out = bus_.job_update({"job-s", "completed", "", ""});
  EXPECT_EQ(wire(out.result),
            R"({"status":"ok","delivered":"broadcast","targets":["b-1","b-2","llm-1"]})");
}

TEST_F(UserMessageBusTest, ProgressAndItsMessageFollowTheOriginalFiveKeys) {
  populate();
  send({{"job_id", "job-p"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  auto out = bus_.job_update({"job-p", "running", "", "", 0.25, "frame 1 of 4"});
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(wire(data_of(out.deliveries[0]).at("payload")),
            R"({"kind":"job_update","job_id":"job-p","status":"running","result":"",)"
            R"("error":"","progress":0.25,"progress_message":"frame 1 of 4"})");
  const auto state = bus_.job_state("job-p");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->progress, 0.25);
  EXPECT_EQ(state->progress_message, "frame 1 of 4");
  // The next update without them clears them: the state is the last update's.
  bus_.job_update({"job-p", "running", "", ""});
  EXPECT_EQ(bus_.job_state("job-p")->progress, std::nullopt);
  EXPECT_EQ(bus_.job_state("job-p")->progress_message, std::nullopt);
}

TEST_F(UserMessageBusTest, ProgressOutsideZeroToOneIsRefused) {
  populate();
  for (double bad : {-0.01, 1.01, std::nan("")}) {
    auto out = bus_.job_update({"job-q", "running", "", "", bad, std::nullopt});
    EXPECT_TRUE(out.rejected);
    EXPECT_EQ(wire(out.result),
              R"({"status":"error","error":"progress must be a number from 0 to 1"})");
    EXPECT_TRUE(out.deliveries.empty());
  }
  EXPECT_FALSE(bus_.job_state("job-q"));
}

TEST_F(UserMessageBusTest, ALabelIsKeptUpdatedInPlaceAndBounded) {
  bus::Registration r{"b-1", "blender", true, {}, std::nullopt, "s-1", std::string("Studio PC")};
  auto out = bus_.register_client(r);
  EXPECT_EQ(out.result.at("client").at("label"), "Studio PC");
  EXPECT_EQ(out.client->label, "Studio PC");  // what the store keeps
  r.label = std::string("Render node");
  bus_.register_client(r);
  EXPECT_EQ(bus_.find("b-1")->label, "Render node");
  r.label = std::string(257, 'x');
  auto refused = bus_.register_client(r);
  EXPECT_TRUE(refused.rejected);
  EXPECT_EQ(wire(refused.result), R"({"status":"error","error":"label exceeds 256 bytes"})");
  EXPECT_EQ(bus_.find("b-1")->label, "Render node");
}

TEST_F(UserMessageBusTest, LastWriterWinsOnAJobId) {
  populate();
  reg("llm-2", "llm", false, std::nullopt, "s-llm2");
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-2"});
  auto out = bus_.job_update({"job-1", "completed", "", ""});
  EXPECT_EQ(targets_of(out), Strings{"llm-2"});
  EXPECT_EQ(out.deliveries[0].session_id, "s-llm2");
}

TEST_F(UserMessageBusTest, OriginatorGoneStillDirectWithNoTargets) {
  populate();
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  bus_.unregister_client("llm-1");
  auto out = bus_.job_update({"job-1", "completed", "", ""});
  EXPECT_EQ(wire(out.result), R"({"status":"ok","delivered":"direct","targets":[]})");
  EXPECT_TRUE(out.deliveries.empty());
}

// ------------------------------------------------------------ session end

TEST_F(UserMessageBusTest, SessionEndDropsEphemeralAndUnbindsPersistent) {
  reg("llm-1", "llm", false, std::nullopt, "s-1");
  reg("b-1", "blender", true, std::nullopt, "s-1");
  reg("llm-2", "llm", false, std::nullopt, "s-2");
  EXPECT_EQ(bus_.clients_for_session("s-1"), (Strings{"b-1", "llm-1"}));
  EXPECT_EQ(bus_.on_session_end("s-1"), Strings{"llm-1"});
  EXPECT_EQ(bus_.find("llm-1"), std::nullopt);
  ASSERT_TRUE(bus_.find("b-1").has_value());
  EXPECT_EQ(bus_.find("b-1")->session_id, "");
  EXPECT_EQ(bus_.clients_for_session("s-1"), Strings{});
  EXPECT_EQ(bus_.clients_for_session("s-2"), Strings{"llm-2"});
  EXPECT_EQ(bus_.on_session_end("s-1"), Strings{});
  EXPECT_EQ(bus_.on_session_end("unknown"), Strings{});
  // Re-registering from a new session rebinds the persistent client.
  reg("b-1", "blender", true, std::nullopt, "s-3");
  EXPECT_EQ(bus_.clients_for_session("s-3"), Strings{"b-1"});
}

// -------------------------------------------------------------- snapshots

TEST_F(UserMessageBusTest, ListClientsExactShape) {
  clock_.set(1);
  reg("llm-1", "llm", false, std::nullopt, "s-llm");
  reg("b-1", "blender", true, "g", "s-b1", {"rendering"});
  EXPECT_EQ(
      wire(bus_.list_clients()),
      R"({"status":"ok","user_id":"alice",)"
      R"("persistent":[{"uuid":"b-1","client_type":"blender","is_persistent":true,)"
      R"("capabilities":["rendering"],"group_id":"g","connected_at":1.0,"last_seen":1.0,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}],)"
      R"("ephemeral":[{"uuid":"llm-1","client_type":"llm","is_persistent":false,)"
      R"("capabilities":[],"group_id":null,"connected_at":1.0,"last_seen":1.0,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}]})");
  EXPECT_EQ(
      wire(bus_.clients_resource()),
      R"({"user_id":"alice",)"
      R"("persistent":[{"uuid":"b-1","client_type":"blender","is_persistent":true,)"
      R"("capabilities":["rendering"],"group_id":"g","connected_at":1.0,"last_seen":1.0,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}],)"
      R"("ephemeral":[{"uuid":"llm-1","client_type":"llm","is_persistent":false,)"
      R"("capabilities":[],"group_id":null,"connected_at":1.0,"last_seen":1.0,"label":null,"online":true,"last_seen_seconds_ago":0.0,"stale":false,"pending_records":0,"dropped_records":0}]})");
}

TEST_F(UserMessageBusTest, EmptyListShape) {
  EXPECT_EQ(wire(bus_.list_clients()),
            R"({"status":"ok","user_id":"alice","persistent":[],"ephemeral":[]})");
}

TEST_F(UserMessageBusTest, StatsResourceExactShape) {
  populate();
  send({{"job_id", "job-1"}}, {.target_uuid = "b-1", .from_uuid = "llm-1"});
  EXPECT_EQ(wire(bus_.stats_resource()),
            R"({"user_id":"alice","persistent_count":2,"ephemeral_count":1,)"
            R"("pending_jobs_for_user":1,"dropped_records":0,"pending_records":1})");
}

TEST_F(UserMessageBusTest, ListingDoesNotBumpLastActivity) {
  clock_.set(1);
  reg("b-1", "blender", true);
  clock_.set(2);
  bus_.list_clients();
  bus_.stats_resource();
  bus_.unregister_client("nobody");
  EXPECT_EQ(bus_.last_activity(), 1);
}

}  // namespace
}  // namespace blender_bus::delivery::embedded
