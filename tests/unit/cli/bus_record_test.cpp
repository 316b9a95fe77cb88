#include "cli/bus_record.hpp"

#include <gtest/gtest.h>

namespace blender_bus::cli {
namespace {

namespace json = boost::json;

std::optional<JobUpdate> update_of(std::string_view payload) {
  auto params = json::parse(std::string(R"({"level":"notice","logger":"_message_bus","data":{)") +
                            R"("job_id":"job-1","payload":)" + std::string(payload) + "}}")
                    .as_object();
  auto record = BusRecord::from_params(params);
  return record ? JobUpdate::from_record(*record) : std::nullopt;
}

TEST(JobUpdate, TheNewerAddOnsProgressAndItsText) {
  auto u = update_of(R"({"kind":"job_update","job_id":"job-1","status":"running","result":"",)"
                     R"("error":"","progress":0.4,"progress_message":"frame 4 of 10"})");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->progress, 0.4);
  EXPECT_EQ(u->progress_message, "frame 4 of 10");
  EXPECT_EQ(u->progress_text(), "40% frame 4 of 10");
  EXPECT_FALSE(u->is_final());

  JobUpdate only;
  only.progress = 0.125;
  EXPECT_EQ(only.progress_text(), "12.5%");
  only.progress = 1;
  EXPECT_EQ(only.progress_text(), "100%");
  only.progress = 0;
  EXPECT_EQ(only.progress_text(), "0%");
  only.progress.reset();
  only.progress_message = "baking";
  EXPECT_EQ(only.progress_text(), "baking");
}

}  // namespace
}  // namespace blender_bus::cli
