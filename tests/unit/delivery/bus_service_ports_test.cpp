// BusService over ports handed in (its second constructor): a send and a job
// update go through those ports and through nothing else.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "delivery/bus_service.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/client_directory.hpp"
#include "delivery/embedded/inbox_log.hpp"
#include "run_awaitable.hpp"

namespace blender_bus::delivery {
namespace {

class BusServicePortsTest : public ::testing::Test {
 protected:
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return test::run_awaitable(io_, std::move(task));
  }

  bus::test::ManualClock clock_;
  // The engine behind the ports, and an empty one the service is also given
  // (what reads the embedded engine directly): nothing may land there.
  embedded::BusManager engine_{clock_.clock(), bus::test::counting_random()};
  embedded::BusManager unused_{clock_.clock(), bus::test::counting_random()};
  embedded::InboxLog log_{engine_, nullptr, nullptr};
  embedded::ClientDirectory directory_{engine_, nullptr, nullptr};
  mcp::SessionRegistry sessions_{mcp::SessionLimits{}};
  BusService service_{unused_, sessions_, log_, directory_};
  boost::asio::io_context io_;
};

TEST_F(BusServicePortsTest, ASendAndItsJobUpdateGoThroughTheGivenPorts) {
  run(directory_.register_client("alice", {"worker", "blender", false, {}, std::nullopt, ""}));
  run(directory_.register_client("alice", {"llm", "llm", false, {}, std::nullopt, ""}));
  const Settled sent =
      run(service_.send("alice", boost::json::object{{"n", 1}}, {"worker", {}, {}, "info", "llm"}));
  ASSERT_TRUE(sent.stored);
  EXPECT_EQ(sent.result.at("targets"), (boost::json::array{"worker"}));
  const std::string job_id(sent.result.at("job_id").as_string());
  EXPECT_EQ(directory_.job_originator("alice", job_id), "llm");

  const RecordRead worker = run(log_.read("alice", "worker", std::nullopt, 10));
  ASSERT_EQ(worker.records.size(), 1u);
  EXPECT_EQ(bus::test::parse_object(*worker.records[0].text)
                .at("params")
                .at("data")
                .at("payload")
                .at("n"),
            1);

  const Settled updated = run(service_.job_update("alice", {job_id, "completed", "done", ""}));
  ASSERT_TRUE(updated.stored);
  EXPECT_EQ(updated.result.at("delivered"), "direct");
  EXPECT_EQ(run(log_.read("alice", "llm", std::nullopt, 10)).records.size(), 1u);
  EXPECT_FALSE(directory_.job_originator("alice", job_id));
  EXPECT_EQ(unused_.bus_count(), 0u);
}

}  // namespace
}  // namespace blender_bus::delivery
