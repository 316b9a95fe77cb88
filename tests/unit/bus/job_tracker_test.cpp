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

TEST(JobTracker, LatestListsOpenJobsThenFinishedOnesNewestFirstWithTheirSend) {
  JobTracker jobs;
  jobs.remember("job-1", "llm-a", "uuid:w1", 100);
  jobs.remember("job-2", "llm-a", "group:render", 101);
  jobs.remember("job-3", "llm-b", "broadcast", 102);
  jobs.correlate("job-1", "completed");
  jobs.note(JobUpdate{"job-1", "completed", "ok", ""}, 105);
  jobs.note(JobUpdate{"job-2", "running", "", ""}, 106);
  jobs.remember("job-3", "llm-c", "type:blender", 107);  // taken over: listed once, as new

  const auto latest = jobs.latest(10);
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest[0].job_id, "job-3");
  EXPECT_EQ(latest[0].originator, "llm-c");
  EXPECT_EQ(latest[0].target, "type:blender");
  EXPECT_EQ(latest[1].job_id, "job-2");
  EXPECT_EQ(latest[1].status, "running");
  EXPECT_EQ(latest[1].opened_at, 101);
  EXPECT_EQ(latest[1].updated_at, 106);
  EXPECT_EQ(latest[2].job_id, "job-1");
  EXPECT_EQ(latest[2].status, "completed");
  EXPECT_EQ(latest[2].target, "uuid:w1");
  EXPECT_EQ(latest[2].result, "ok");
  EXPECT_EQ(latest[2].opened_at, 100);
  EXPECT_EQ(latest[2].updated_at, 105);

  EXPECT_EQ(jobs.latest(1).size(), 2u);  // one open, one finished
}

}  // namespace
}  // namespace blender_bus::bus
