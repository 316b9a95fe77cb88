#include "bus/job_tracker.hpp"

#include <gtest/gtest.h>

namespace blender_bus::bus {
namespace {

TEST(JobTracker, UnknownJobHasNoOriginator) {
  JobTracker jobs;
  EXPECT_EQ(jobs.correlate("job-1", "running"), std::nullopt);
  EXPECT_EQ(jobs.size(), 0u);
}

TEST(JobTracker, LastWriterWins) {
  JobTracker jobs;
  jobs.remember("job-1", "llm-a");
  jobs.remember("job-1", "llm-b");
  EXPECT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.originator("job-1"), "llm-b");
}

TEST(JobTracker, NonTerminalStatusKeepsTheJob) {
  JobTracker jobs;
  jobs.remember("job-1", "llm-a");
  EXPECT_EQ(jobs.correlate("job-1", "running"), "llm-a");
  EXPECT_EQ(jobs.correlate("job-1", "queued"), "llm-a");
  EXPECT_EQ(jobs.correlate("job-1", "COMPLETED"), "llm-a");  // statuses are case-sensitive
  EXPECT_EQ(jobs.size(), 1u);
}

class TerminalStatus : public ::testing::TestWithParam<const char*> {};

TEST_P(TerminalStatus, AnswersThenForgets) {
  JobTracker jobs;
  jobs.remember("job-1", "llm-a");
  jobs.remember("job-2", "llm-b");
  EXPECT_EQ(jobs.correlate("job-1", GetParam()), "llm-a");
  EXPECT_EQ(jobs.originator("job-1"), std::nullopt);
  EXPECT_EQ(jobs.correlate("job-1", "running"), std::nullopt);
  EXPECT_EQ(jobs.originator("job-2"), "llm-b");
  EXPECT_EQ(jobs.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Statuses, TerminalStatus,
                         ::testing::Values("completed", "failed", "cancelled"));

TEST(JobTracker, IsTerminal) {
  EXPECT_TRUE(JobTracker::is_terminal("completed"));
  EXPECT_TRUE(JobTracker::is_terminal("failed"));
  EXPECT_TRUE(JobTracker::is_terminal("cancelled"));
  EXPECT_FALSE(JobTracker::is_terminal("running"));
  EXPECT_FALSE(JobTracker::is_terminal("canceled"));
  EXPECT_FALSE(JobTracker::is_terminal(""));
}

}  // namespace
}  // namespace blender_bus::bus
