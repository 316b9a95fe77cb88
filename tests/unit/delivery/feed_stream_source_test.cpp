// FeedStreamSource (a session's stream over the ports alone), here over the
// embedded ports handed to BusService: the records of the session's clients
// merged by seq, resume and its errors, presence while it pulls, and the
// session's end giving its holds back. The cluster's own run of it is
// tests/integration/cluster-delivery.test.mjs.
#include "delivery/feed_stream_source.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "../bus/test_support.hpp"
#include "bus/shared_bus_id.hpp"
#include "delivery/bus_service.hpp"
#include "delivery/embedded/bus_manager.hpp"
#include "delivery/embedded/client_directory.hpp"
#include "delivery/embedded/inbox_log.hpp"
#include "run_awaitable.hpp"

namespace blender_bus::delivery {
namespace {

class FeedStreamSourceTest : public ::testing::Test {
 protected:
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return test::run_awaitable(io_, std::move(task));
  }

  void bind(const std::string& uuid, bool persistent = false) {
    run(directory_.register_client(
        "alice", {uuid, "blender", persistent, {}, std::nullopt, session_->id()}));
  }
  void send(const std::string& target, int n) {
    const Settled sent = run(service_.send("alice", boost::json::object{{"n", n}},
                                           {target, {}, {}, "info", std::nullopt}));
    ASSERT_TRUE(sent.stored);
  }
  // The payloads' n of a batch, in order.
  static std::vector<std::int64_t> payloads(const mcp::StreamBatch& batch) {
    std::vector<std::int64_t> out;
    for (const auto& e : batch.events) {
      out.push_back(bus::test::parse_object(*e.data)
                        .at("params")
                        .at("data")
                        .at("payload")
                        .at("n")
                        .as_int64());
    }
    return out;
  }

  bus::test::ManualClock clock_;
  embedded::BusManager engine_{clock_.clock(), bus::test::counting_random()};
  embedded::BusManager unused_{clock_.clock(), bus::test::counting_random()};
  embedded::InboxLog log_{engine_, nullptr, nullptr};
  // No session counts as online by itself: online here is the holds alone.
  embedded::ClientDirectory directory_{engine_, nullptr, [](std::string_view) {
                                         return std::optional<embedded::SessionPresence>{};
                                       }};
  mcp::SessionRegistry sessions_{mcp::SessionLimits{}};
  BusService service_{unused_, sessions_, log_, directory_};
  FeedStreamSource source_{service_};
  mcp::SessionPtr session_ = sessions_.create("alice");
  boost::asio::io_context io_;
};

TEST_F(FeedStreamSourceTest, MergesTheSessionsClientsBySeqAndHoldsThemWhileItPulls) {
  bind("a");
  bind("b");
  send("a", 1);
  send("b", 2);
  send("a", 3);
  EXPECT_FALSE(directory_.online("alice", "a"));
  mcp::StreamBatch first = source_.next(*session_, 2);
  EXPECT_EQ(payloads(first), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(first.more);
  EXPECT_TRUE(directory_.online("alice", "a"));
  EXPECT_TRUE(directory_.online("alice", "b"));
  source_.delivered(*session_, first);
  mcp::StreamBatch second = source_.next(*session_, 10);
  EXPECT_EQ(payloads(second), (std::vector<std::int64_t>{3}));
  EXPECT_FALSE(second.more);
  EXPECT_LT(first.events.back().id, second.events.front().id);
  source_.delivered(*session_, second);
  EXPECT_TRUE(source_.next(*session_, 10).empty());
  EXPECT_EQ(unused_.bus_count(), 0u);  // ports only

  // A client bound later joins the merge; the session's end gives the holds back.
  bind("c");
  send("c", 4);
  EXPECT_EQ(payloads(source_.next(*session_, 10)), (std::vector<std::int64_t>{4}));
  sessions_.end(session_->id());
  EXPECT_FALSE(directory_.online("alice", "a"));
  EXPECT_FALSE(directory_.online("alice", "c"));
}

TEST_F(FeedStreamSourceTest, ResumeStartsAfterTheIdAndRefusesOneNeverIssued) {
  bind("a", true);
  send("a", 1);
  send("a", 2);
  send("a", 3);
  const mcp::StreamBatch all = source_.next(*session_, 10);
  ASSERT_EQ(all.events.size(), 3u);
  EXPECT_EQ(source_.resume(*session_, all.events.back().id + 100),
            mcp::StreamSource::ResumeError::not_issued);
  EXPECT_EQ(source_.resume(*session_, all.events[0].id), std::nullopt);
  EXPECT_EQ(payloads(source_.next(*session_, 10)), (std::vector<std::int64_t>{2, 3}));
}

TEST_F(FeedStreamSourceTest, ASweepReleasesTheHoldsOfASessionWithNoStreamOpen) {
  bind("a");
  send("a", 1);
  source_.next(*session_, 10);
  EXPECT_TRUE(directory_.online("alice", "a"));
  EXPECT_EQ(source_.sweep(), 1u);  // no stream attached to the session's signal
  EXPECT_FALSE(directory_.online("alice", "a"));
  // Undelivered, so a stream that pulls again gets it again.
  EXPECT_EQ(payloads(source_.next(*session_, 10)), (std::vector<std::int64_t>{1}));
}

TEST_F(FeedStreamSourceTest, ASessionsClientsOnASharedBusAreMergedInWithoutAnEventId) {
  const BusId shared = bus::shared_bus_key("bus_farm");
  bind("own");
  bus::Registration worker{"worker", "blender", false, {}, std::nullopt, session_->id()};
  ASSERT_TRUE(run(service_.register_client(shared, session_, worker)).stored);
  send("own", 1);
  bus::SendRequest to_worker{"worker", {}, {}, "info", std::nullopt, "olivia"};
  ASSERT_TRUE(run(service_.send(shared, boost::json::object{{"n", 2}}, to_worker)).stored);
  send("own", 3);
  const mcp::StreamBatch batch = source_.next(*session_, 10);
  // (Seqs order one bus; the embedded engine counts each bus apart, so the
  // order across the two buses is the cluster's alone.)
  std::vector<std::int64_t> got = payloads(batch);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::int64_t>{1, 2, 3}));
  ASSERT_EQ(batch.events.size(), 3u);
  // A Last-Event-ID names the personal bus's position: the shared bus's
  // record has none, and its progress key names the bus.
  const std::vector<std::int64_t> order = payloads(batch);
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(batch.events[i].id == 0, order[i] == 2) << "n=" << order[i];
  }
  std::vector<std::string> keys;
  for (const auto& p : batch.progress) keys.push_back(p.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{shared + "\nworker", "own"}));
  EXPECT_TRUE(directory_.online(shared, "worker"));
  source_.delivered(*session_, batch);
  EXPECT_TRUE(source_.next(*session_, 10).empty());
  // Taken off the shared bus (its member removed): its feed goes, the
  // personal bus's stays.
  run(service_.remove_clients(shared, {"worker"}));
  send("own", 5);
  EXPECT_EQ(payloads(source_.next(*session_, 10)), (std::vector<std::int64_t>{5}));
}

}  // namespace
}  // namespace blender_bus::delivery
