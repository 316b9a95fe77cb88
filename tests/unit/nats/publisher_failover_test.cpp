// The Publisher on a 3-server cluster while the stream's leader dies: every
// acked message is stored exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"
#include "nats/stream_reader.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

class PublisherFailoverTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(3)) return;
    StreamSpec spec;
    spec.name = "REC";
    spec.subjects = {"rec.>"};
    spec.replicas = 3;
    spec.allow_direct = true;
    Provisioner(*connection_).ensure_stream(spec);
  }

  std::string leader() {
    jsStreamInfo* info = nullptr;
    check(js_GetStreamInfo(&info, connection_->jetstream(), "REC", nullptr, nullptr), "info");
    std::string name = info->Cluster->Leader ? info->Cluster->Leader : "";
    jsStreamInfo_Destroy(info);
    return name;
  }

  std::uint64_t stored() {
    jsStreamInfo* info = nullptr;
    check(js_GetStreamInfo(&info, connection_->jetstream(), "REC", nullptr, nullptr), "info");
    std::uint64_t count = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return count;
  }
};

TEST_F(PublisherFailoverTest, EveryAckedMessageIsStoredOnceThroughALeaderKill) {
  constexpr int kMessages = 2000;
  constexpr int kWindow = 50;
  constexpr int kSubjects = 10;
  // Acks later than 5 ms are common on a replicated stream under load: many
  // messages are stored, then retried, and the retry must be recognised by
  // its Nats-Msg-Id as the same message.
  Publisher::Options options;
  options.ack_wait = 5ms;
  Publisher publisher(*connection_, options);
  const std::string victim = leader();
  ASSERT_FALSE(victim.empty());

  std::vector<std::string> payloads;
  for (int i = 0; i < kMessages; ++i) payloads.push_back(numbered("m", i));
  std::vector<std::string> subjects;
  for (int i = 0; i < kSubjects; ++i) subjects.push_back(numbered("rec.u1.c", i));

  std::vector<PublishResult> results;
  std::thread sender([&] {
    for (int start = 0; start < kMessages; start += kWindow) {
      std::vector<PublishRequest> requests;
      for (int i = start; i < start + kWindow; ++i) {
        requests.push_back({subjects[i % kSubjects], payloads[i], {}, {}, {}});
      }
      auto batch = run_coroutine(publisher.publish_all(requests));
      results.insert(results.end(), batch.begin(), batch.end());
    }
  });
  while (publisher.stats().acked < kMessages / 4) std::this_thread::sleep_for(1ms);
  servers_->kill(victim);
  sender.join();

  ASSERT_EQ(results.size(), static_cast<std::size_t>(kMessages));
  std::set<std::uint64_t> sequences;
  std::size_t duplicates = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.error->what();
    sequences.insert(result.sequence);
    if (result.duplicate) ++duplicates;
  }
  EXPECT_EQ(sequences.size(), static_cast<std::size_t>(kMessages));
  EXPECT_GT(publisher.stats().retries, 0u) << "the kill came too late to test anything";
  EXPECT_GT(duplicates, 0u) << "no stored message was retried: deduplication was not tested";
  EXPECT_NE(leader(), victim);
  EXPECT_EQ(stored(), static_cast<std::uint64_t>(kMessages));

  // Read back from the survivors (direct gets, a replica may lag): each
  // payload once, at the sequence its ack named.
  std::map<std::string, std::uint64_t> acked_at;
  for (int i = 0; i < kMessages; ++i) acked_at[payloads[i]] = results[i].sequence;
  StreamReader reader(*connection_, "REC");
  std::size_t read = 0;
  for (const auto& subject : subjects) {
    for (const auto& message : reader.read_all(subject, 0, kMessages)) {
      auto it = acked_at.find(std::string(message.data()));
      ASSERT_NE(it, acked_at.end()) << "stored twice or never sent: " << message.data();
      EXPECT_EQ(it->second, message.sequence());
      acked_at.erase(it);
      ++read;
    }
  }
  EXPECT_EQ(read, static_cast<std::size_t>(kMessages));
  EXPECT_TRUE(acked_at.empty());
}

// Why KvBucket confirms a conflict after a retry: a replicated stream checks
// Nats-Expected-Last-Subject-Sequence before its duplicate window, so the
// retry of a stored message whose ack was lost reads as a conflict.
TEST_F(PublisherFailoverTest, AReplicatedStreamChecksTheExpectationBeforeDuplicates) {
  Publisher publisher(*connection_);
  auto first = run_coroutine(publisher.publish({"rec.cas", "v1", "write-1", {}, {}}));
  ASSERT_TRUE(first.ok());
  auto second = run_coroutine(publisher.publish({"rec.cas", "v2", "write-2", first.sequence, {}}));
  ASSERT_TRUE(second.ok());
  auto resent = run_coroutine(publisher.publish({"rec.cas", "v2", "write-2", first.sequence, {}}));
  EXPECT_TRUE(resent.wrong_last_sequence());
  EXPECT_EQ(resent.actual_last_sequence, second.sequence);
  // Without an expectation the duplicate window answers.
  auto plain = run_coroutine(publisher.publish({"rec.cas", "v2", "write-2", {}, {}}));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain.duplicate);
  EXPECT_EQ(plain.sequence, second.sequence);
}

}  // namespace
}  // namespace blender_bus::nats
