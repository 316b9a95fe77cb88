#include "cli/job_status.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

TEST(JobStatus, ReadsBlenderJobStatusAnswers) {
  const auto running = JobStatus::from_answer(json::parse(
      R"({"status":"ok","job_id":"job-1","job_status":"running","result":"","error":"",)"
      R"("originator":"cli-1","open":true,"progress":0.5,"progress_message":"frame 5"})"));
  EXPECT_TRUE(running.found);
  EXPECT_EQ(running.status, "running");
  EXPECT_EQ(running.progress, 0.5);
  EXPECT_EQ(running.progress_message, "frame 5");
  EXPECT_FALSE(running.is_final());

  const auto cancelled = JobStatus::from_answer(json::parse(
      R"({"status":"ok","job_id":"job-1","job_status":"cancelled","result":"","error":"by request",)"
      R"("originator":null,"open":false,"progress":null,"progress_message":null})"));
  EXPECT_TRUE(cancelled.is_final());
  EXPECT_EQ(cancelled.error, "by request");
  EXPECT_FALSE(cancelled.progress);
  EXPECT_NE(running, cancelled);
}

TEST(JobStatus, AnUnknownJobIsNotFound) {
  const auto missing = JobStatus::from_answer(
      json::parse(R"({"status":"error","error":"job_not_found","job_id":"job-2"})"));
  EXPECT_FALSE(missing.found);
  EXPECT_EQ(missing, JobStatus{});
}

}  // namespace
}  // namespace blender_bus::cli
