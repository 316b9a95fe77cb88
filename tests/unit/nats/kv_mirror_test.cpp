#include "nats/kv_mirror.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "nats/kv_bucket.hpp"
#include "nats/provisioner.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

// The changes a mirror reported, awaited by count.
class Changes {
 public:
  KvMirror::Callbacks callbacks() {
    return {[this](const KvEntry& entry) {
              std::lock_guard lock(mutex_);
              seen_.push_back(entry);
              changed_.notify_all();
            },
            [this] {
              std::lock_guard lock(mutex_);
              ++loaded_calls_;
            }};
  }
  std::vector<KvEntry> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 20s, [&] { return seen_.size() >= count; });
    return seen_;
  }
  int loaded_calls() {
    std::lock_guard lock(mutex_);
    return loaded_calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<KvEntry> seen_;
  int loaded_calls_ = 0;
};

class KvMirrorTest : public testing::NatsServerTest {
 protected:
  void start(int servers, int replicas) {
    if (!start_servers(servers)) return;
    KvSpec spec{"DIR"};
    spec.replicas = replicas;
    Provisioner(*connection_).ensure_bucket(spec);
    publisher_ = std::make_unique<Publisher>(*connection_);
    bucket_ = std::make_unique<KvBucket>(*connection_, *publisher_, pool_, "DIR");
  }

  BlockingPool pool_{2};
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<KvBucket> bucket_;
};

TEST_F(KvMirrorTest, AnEmptyBucketIsLoadedAtOnce) {
  start(1, 1);
  Changes changes;
  KvMirror mirror(*connection_, "DIR", changes.callbacks());
  ASSERT_TRUE(mirror.loaded());  // (else the wait below would never end)
  EXPECT_TRUE(run_coroutine(mirror.wait_loaded()));
  EXPECT_EQ(mirror.size(), 0u);
  EXPECT_EQ(changes.loaded_calls(), 1);
}

TEST_F(KvMirrorTest, LoadsTheLatestRevisionOfEveryKey) {
  start(1, 1);
  for (int i = 0; i < 200; ++i) {
    run_coroutine(bucket_->put(numbered("c", i % 100), numbered("v", i)));
  }
  run_coroutine(bucket_->erase(std::string("c7")));
  KvMirror mirror(*connection_, "DIR");
  ASSERT_TRUE(mirror.wait_loaded_for(20s));
  EXPECT_EQ(mirror.size(), 99u);
  EXPECT_EQ(mirror.get("c7"), std::nullopt);
  auto entry = mirror.get("c42");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, "v142");
  EXPECT_EQ(entry->revision, 143u);
  EXPECT_EQ(mirror.revision("c42"), 143u);
  EXPECT_EQ(mirror.last_revision(), 201u);
}

TEST_F(KvMirrorTest, ReportsChangesAndDeletesInOrder) {
  start(1, 1);
  Changes changes;
  KvMirror mirror(*connection_, "DIR", changes.callbacks());
  ASSERT_TRUE(mirror.wait_loaded_for(5s));
  auto written = std::get<KvWritten>(run_coroutine(bucket_->create("presence.c1", "node-a")));
  run_coroutine(bucket_->put("presence.c2", "node-b"));
  run_coroutine(bucket_->erase("presence.c1", written.revision));
  run_coroutine(bucket_->purge("presence.c2"));

  auto seen = changes.wait_for(4);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].key, "presence.c1");
  EXPECT_EQ(seen[0].value, "node-a");
  EXPECT_EQ(seen[0].operation, KvEntry::Operation::put);
  EXPECT_EQ(seen[1].key, "presence.c2");
  EXPECT_EQ(seen[2].key, "presence.c1");
  EXPECT_EQ(seen[2].operation, KvEntry::Operation::erase);
  EXPECT_EQ(seen[2].value, "");
  EXPECT_EQ(seen[3].operation, KvEntry::Operation::purge);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].revision, seen[i - 1].revision);
  EXPECT_EQ(mirror.size(), 0u);
}

// The mirror's ordered consumer lives on one server (R1, placed at random):
// killing that server is the worst case for the mirror. nats.c notices the
// missed heartbeats and recreates the consumer from the next sequence.
TEST_F(KvMirrorTest, StaysExactThroughTheLossOfTheServerThatFeedsIt) {
  start(3, 3);
  KvMirror mirror(*connection_, "DIR");
  ASSERT_TRUE(mirror.wait_loaded_for(5s));
  for (int i = 0; i < 20; ++i) run_coroutine(bucket_->put(numbered("k", i), "before"));

  jsConsumerInfoList* consumers = nullptr;
  check(js_Consumers(&consumers, connection_->jetstream(), "KV_DIR", nullptr, nullptr),
        "consumers");
  ASSERT_EQ(consumers->Count, 1);  // the mirror's
  ASSERT_NE(consumers->List[0]->Cluster, nullptr);
  const std::string feeder = consumers->List[0]->Cluster->Leader;
  jsConsumerInfoList_Destroy(consumers);
  servers_->kill(feeder);

  // Written meanwhile (through an election when that server also led the
  // bucket: the Publisher retries until a new leader takes them). A chain of
  // conditional updates never sees a conflict, though a retried one may have
  // been stored before its ack was lost.
  std::uint64_t revision = run_coroutine(bucket_->put("chain", "0"));
  for (int i = 0; i < 20; ++i) {
    run_coroutine(bucket_->put(numbered("k", i), "after"));
    auto written = run_coroutine(bucket_->update("chain", numbered("", i + 1), revision));
    ASSERT_TRUE(std::holds_alternative<KvWritten>(written)) << "conflict at " << i;
    revision = std::get<KvWritten>(written).revision;
  }
  const std::uint64_t last = run_coroutine(bucket_->put("last", "done"));
  for (int wait = 0; wait < 300 && mirror.last_revision() < last; ++wait) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(mirror.last_revision(), last);
  EXPECT_EQ(mirror.size(), 22u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(mirror.get(numbered("k", i))->value, "after");
  EXPECT_EQ(mirror.get("chain")->value, "20");
  EXPECT_EQ(mirror.revision("chain"), revision);
}

}  // namespace
}  // namespace blender_bus::nats
