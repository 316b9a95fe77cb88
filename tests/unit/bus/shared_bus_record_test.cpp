// A send's plan on a shared bus: its records name the caller and the bus;
// on a personal bus they stay as they were.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bus/send_plan.hpp"
#include "bus/shared_bus_id.hpp"

namespace blender_bus::bus {
namespace {

const RandomSource kZeros = [](std::span<unsigned char> out) {
  for (auto& b : out) b = 0;
};

boost::json::object data_of(const ForwardedRecord& record) {
  return boost::json::parse(record.for_target("t")).at("params").at("data").as_object();
}

TEST(SharedBusRecord, NamesTheCallerAndTheBus) {
  const std::string bus = shared_bus_key("bus_0a");
  EXPECT_TRUE(is_shared_bus(bus));
  EXPECT_EQ(wire_bus_id(bus), "bus_0a");
  SendRequest request;
  request.user_id = "mia";
  auto planned = plan_send({}, request, bus, Limits{}, kZeros, 2.0);
  const auto& plan = std::get<SendPlan>(planned);
  EXPECT_EQ(plan.origin, "server:mia");
  const auto data = data_of(plan.record(bus));
  EXPECT_EQ(data.at("user_id"), "mia");
  EXPECT_EQ(data.at("bus_id"), "bus_0a");
}

TEST(SharedBusRecord, APersonalBusRecordHasNoBusId) {
  EXPECT_FALSE(is_shared_bus("alice"));
  EXPECT_EQ(wire_bus_id("alice"), "alice");
  auto planned = plan_send({}, SendRequest{}, "alice", Limits{}, kZeros, 2.0);
  const auto& plan = std::get<SendPlan>(planned);
  EXPECT_EQ(plan.origin, "server:alice");
  const auto data = data_of(plan.record("alice"));
  EXPECT_EQ(data.at("user_id"), "alice");
  EXPECT_FALSE(data.contains("bus_id"));
}

}  // namespace
}  // namespace blender_bus::bus
