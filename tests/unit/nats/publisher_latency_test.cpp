#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::numbered;
using testing::run_coroutine;

class PublisherLatencyTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    StreamSpec spec;
    spec.name = "LAT";
    spec.subjects = {"lat.>"};
    Provisioner(*connection_).ensure_stream(spec);
  }
};

// Options::on_acked hears of every acked message, with its time to the ack
// (what blender_bus_nats_publish_seconds observes), and of no failed one.
TEST_F(PublisherLatencyTest, EveryAckIsToldItsTimeFromThePublish) {
  std::atomic<int> acks{0};
  std::atomic<std::int64_t> longest_ns{0};
  std::atomic<bool> negative{false};
  Publisher::Options options;
  options.deadline = 500ms;
  options.on_acked = [&](std::chrono::nanoseconds elapsed) {
    ++acks;
    if (elapsed < 0ns) negative = true;
    if (elapsed.count() > longest_ns) longest_ns = elapsed.count();
  };
  Publisher publisher(*connection_, options);
  std::vector<std::string> payloads;
  for (int i = 0; i < 100; ++i) payloads.push_back(numbered("record ", i));
  std::vector<PublishRequest> requests;
  for (const auto& payload : payloads) requests.push_back({"lat.a", payload, {}, {}, {}});
  // No stream takes this subject: it fails (no responders), never acked.
  requests.push_back({"nowhere.a", "lost", {}, {}, {}});

  const auto started = std::chrono::steady_clock::now();
  auto results = run_coroutine(publisher.publish_all(requests));
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(results.size(), 101u);
  for (std::size_t i = 0; i < 100; ++i) ASSERT_TRUE(results[i].ok());
  EXPECT_FALSE(results[100].ok());
  EXPECT_EQ(acks.load(), 100);
  EXPECT_FALSE(negative.load());
  EXPECT_GT(longest_ns.load(), 0);
  EXPECT_LE(longest_ns.load(),
            std::chrono::duration_cast<std::chrono::nanoseconds>(waited).count());
}

}  // namespace
}  // namespace blender_bus::nats
