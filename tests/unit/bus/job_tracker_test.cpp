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

TEST(JobTracker, OpenJobsAreBoundedOldestFirst) {
  JobTracker jobs(/*recent_capacity=*/4, /*open_capacity=*/3);
  EXPECT_TRUE(jobs.remember("a", "x").empty());
  EXPECT_TRUE(jobs.remember("b", "x").empty());
  EXPECT_TRUE(jobs.remember("c", "x").empty());
  EXPECT_EQ(jobs.remember("d", "x"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs.originator("a"), std::nullopt);
  EXPECT_EQ(jobs.correlate("a", "completed"), std::nullopt);  // forgotten: broadcasts
  EXPECT_EQ(jobs.originator("d"), "x");
}

TEST(JobTracker, TheBoundCountsOpeningsNotUpdates) {
  JobTracker jobs(4, 2);
  jobs.remember("a", "x");
  jobs.remember("b", "y");
  jobs.note(JobUpdate{"a", "running", "", ""});  // an update does not make "a" newer
  EXPECT_EQ(jobs.remember("c", "z"), (std::vector<std::string>{"a"}));
  // A reopened job moves to the back of the order.
  jobs.remember("b", "y2");
  EXPECT_EQ(jobs.remember("d", "w"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(jobs.originator("b"), "y2");
}

TEST(JobTracker, ClosedJobsFreeTheirPlaceAndTheOrderStaysSmall) {
  JobTracker jobs(4, 2);
  for (int i = 0; i < 10000; ++i) {
    const std::string id = "job-" + std::to_string(i);
    EXPECT_TRUE(jobs.remember(id, "x").empty());
    EXPECT_EQ(jobs.correlate(id, "completed"), "x");
  }
  EXPECT_EQ(jobs.size(), 0u);
  jobs.remember("p", "x");
  jobs.remember("q", "x");
  EXPECT_TRUE(jobs.originator("p") && jobs.originator("q"));
}

}  // namespace
}  // namespace blender_bus::bus
