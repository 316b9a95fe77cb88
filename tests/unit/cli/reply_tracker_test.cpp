#include "cli/reply_tracker.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

JobUpdate update(std::string job, std::string status, std::string client = "") {
  return JobUpdate{.job_id = std::move(job),
                   .status = std::move(status),
                   .result = "out",
                   .error = "",
                   .client_uuid = std::move(client)};
}

using Strings = std::vector<std::string>;

TEST(ReplyTracker, CountsOneFinalUpdatePerAwaitedClient) {
  ReplyTracker tracker("job-1", {"w-1", "w-2"});
  EXPECT_EQ(tracker.observe(update("job-2", "completed", "w-1")), ReplyTracker::Seen::other_job);
  EXPECT_EQ(tracker.observe(update("job-1", "running", "w-1")), ReplyTracker::Seen::progress);
  EXPECT_EQ(tracker.observe(update("job-1", "completed", "w-1")), ReplyTracker::Seen::reply);
  // The same client again, or one not awaited (a listener that answered anyway):
  // shown, not counted.
  EXPECT_EQ(tracker.observe(update("job-1", "completed", "w-1")), ReplyTracker::Seen::extra);
  EXPECT_EQ(tracker.observe(update("job-1", "failed", "listener")), ReplyTracker::Seen::extra);
  EXPECT_FALSE(tracker.complete());
  EXPECT_EQ(tracker.unanswered(), Strings{"w-2"});
  EXPECT_EQ(tracker.exit_code(), 2);
  EXPECT_EQ(tracker.observe(update("job-1", "completed", "w-2")), ReplyTracker::Seen::reply);
  EXPECT_TRUE(tracker.complete());
  EXPECT_EQ(tracker.unanswered(), Strings{});
  EXPECT_EQ(tracker.exit_code(), 0);
  EXPECT_EQ(tracker.replies(), 2u);
}

TEST(ReplyTracker, UpdatesThatNameNoClientAreCounted) {
  ReplyTracker tracker("job-1", {"w-1", "w-2"});
  EXPECT_EQ(tracker.observe(update("job-1", "completed")), ReplyTracker::Seen::reply);
  EXPECT_EQ(tracker.observe(update("job-1", "completed")), ReplyTracker::Seen::reply);
  EXPECT_TRUE(tracker.complete());
  EXPECT_EQ(tracker.observe(update("job-1", "completed")), ReplyTracker::Seen::extra);
}

TEST(ReplyTracker, AnyFailureOrCancelIsExitOne) {
  ReplyTracker failed("j", {"a", "b"});
  failed.observe(update("j", "completed", "a"));
  failed.observe(update("j", "failed", "b"));
  EXPECT_EQ(failed.exit_code(), 1);
  ReplyTracker cancelled("j", {"a"});
  cancelled.observe(update("j", "cancelled", "a"));
  EXPECT_EQ(cancelled.exit_code(), 1);
}

TEST(ReplyTracker, NoneAwaitedNeverCompletes) {
  ReplyTracker tracker("j", {});
  EXPECT_FALSE(tracker.complete());
  EXPECT_EQ(tracker.exit_code(), 2);
}

TEST(BusRecord, ReadsAJobUpdateRecord) {
  // The record SPEC §7/§8 describe for a job update routed back direct.
  auto params = json::parse(R"({"level":"notice","logger":"_message_bus","data":{
      "user_id":"ann","from_uuid":"server:ann","target_uuid":"cli-1",
      "routing":{"type":"direct","target_uuid":"cli-1"},
      "payload":{"kind":"job_update","job_id":"job-9","status":"failed","result":"partial",
                 "error":"Traceback ...","client_uuid":"blender-7"},
      "job_id":"job-9","message_id":"m","priority":5,"timestamp":1.5}})")
                    .as_object();
  auto record = BusRecord::from_params(params);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->level, "notice");
  auto job = JobUpdate::from_record(*record);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->job_id, "job-9");
  EXPECT_EQ(job->status, "failed");
  EXPECT_EQ(job->result, "partial");
  EXPECT_EQ(job->error, "Traceback ...");
  EXPECT_EQ(job->client_uuid, "blender-7");
  EXPECT_TRUE(job->is_final());
}

TEST(BusRecord, OtherLoggersAndPayloadsAreNotJobUpdates) {
  EXPECT_FALSE(BusRecord::from_params(json::parse(R"({"logger":"other","data":{}})").as_object()));
  auto dispatch = BusRecord::from_params(
      json::parse(R"({"logger":"_message_bus","data":{"payload":{"message_type":"job_dispatch"}}})")
          .as_object());
  ASSERT_TRUE(dispatch);
  EXPECT_FALSE(JobUpdate::from_record(*dispatch));
}

}  // namespace
}  // namespace blender_bus::cli
