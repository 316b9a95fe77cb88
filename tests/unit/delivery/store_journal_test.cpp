// The journal between the buses and the real SQLite store (SPEC §9): which
// outcomes are durable (their answer waits for a ticket). What a failed
// commit leaves behind is tested through the tools (tools/store_failure_test).
#include "delivery/store_journal.hpp"

#include <gtest/gtest.h>

#include <future>

#include "journaled_buses.hpp"
#include "store/bus_store.hpp"

namespace blender_bus::delivery {
namespace {

class StoreJournalTest : public ::testing::Test, protected test::JournaledBuses {
 protected:
  bool durable(std::uint64_t ticket) {
    std::promise<bool> done;
    journal_.when_durable(ticket, [&](bool ok) { done.set_value(ok); });
    journal_.commit_soon();
    return done.get_future().get();
  }
};

TEST_F(StoreJournalTest, ADeliveryToAPersistentClientGetsATicketThatCommitsIt) {
  auto bus = buses_.bus("alice");
  ASSERT_NE(journal_.record("alice", bus->register_client({"p", "blender", true, {}, {}, "s"})),
            0u);
  const delivery::embedded::Outcome sent = bus->send({{"n", 1}}, {.target_uuid = "p"});
  ASSERT_EQ(sent.deliveries.size(), 1u);
  ASSERT_TRUE(sent.deliveries[0].persistent);
  const std::uint64_t ticket = journal_.record("alice", sent);
  EXPECT_NE(ticket, 0u) << "the answer must wait for the record's commit";
  EXPECT_TRUE(durable(ticket));
  EXPECT_EQ(stored_records(), 1u);
}

TEST_F(StoreJournalTest, NothingDurableNeedsNoTicket) {
  auto bus = buses_.bus("alice");
  EXPECT_EQ(journal_.record("alice", bus->register_client({"e", "llm", false, {}, {}, "s"})), 0u);
  const delivery::embedded::Outcome sent = bus->send({{"n", 1}}, {.target_uuid = "e"});
  ASSERT_EQ(sent.deliveries.size(), 1u);
  EXPECT_EQ(journal_.record("alice", sent), 0u);
  commit_.flush();
  EXPECT_EQ(stored_records(), 0u);
}

TEST_F(StoreJournalTest, OpeningAJobIsDurableEvenWithoutPersistentTargets) {
  auto bus = buses_.bus("alice");
  bus->register_client({"e", "llm", false, {}, {}, "s"});
  const delivery::embedded::Outcome sent =
      bus->send({{"job_id", "j"}}, {.target_uuid = "e", .from_uuid = "e"});
  const std::uint64_t ticket = journal_.record("alice", sent);
  EXPECT_NE(ticket, 0u);
  EXPECT_TRUE(durable(ticket));
  store::BusStore reader(db_);
  EXPECT_EQ(reader.load().jobs.size(), 1u);
}

}  // namespace
}  // namespace blender_bus::delivery
