#include "nats/kv_bucket.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "nats/provisioner.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

class KvBucketTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    Provisioner(*connection_).ensure_bucket(KvSpec{"DIR", 5});
    publisher_ = std::make_unique<Publisher>(*connection_);
    bucket_ = std::make_unique<KvBucket>(*connection_, *publisher_, pool_, "DIR");
  }

  template <class T>
  T run(asio::awaitable<T> coroutine) {
    return run_coroutine(std::move(coroutine));
  }

  BlockingPool pool_{2};
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<KvBucket> bucket_;
};

TEST_F(KvBucketTest, PutThenGetReadsTheValueAndRevision) {
  EXPECT_EQ(run(bucket_->get("u1.c1")), std::nullopt);
  std::uint64_t revision = run(bucket_->put("u1.c1", "{\"name\":\"a\"}"));
  EXPECT_EQ(revision, 1u);
  auto entry = run(bucket_->get("u1.c1"));
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->key, "u1.c1");
  EXPECT_EQ(entry->value, "{\"name\":\"a\"}");
  EXPECT_EQ(entry->revision, 1u);
  EXPECT_GT(entry->created_ns, 0);
  EXPECT_EQ(run(bucket_->put("u1.c1", "b")), 2u);
  EXPECT_EQ(bucket_->get_now("u1.c1")->value, "b");
}

TEST_F(KvBucketTest, CreateOnlyWhenMissing) {
  auto first = run(bucket_->create("job", "origin-a"));
  ASSERT_TRUE(std::holds_alternative<KvWritten>(first));
  auto second = run(bucket_->create("job", "origin-b"));
  ASSERT_TRUE(std::holds_alternative<KvConflict>(second));
  EXPECT_EQ(std::get<KvConflict>(second).revision, std::get<KvWritten>(first).revision);
  EXPECT_EQ(run(bucket_->get("job"))->value, "origin-a");
}

TEST_F(KvBucketTest, UpdateAtTheRightRevisionOnly) {
  auto created = std::get<KvWritten>(run(bucket_->create("user.alice", "hash-1")));
  auto stale = run(bucket_->update("user.alice", "hash-x", created.revision + 3));
  ASSERT_TRUE(std::holds_alternative<KvConflict>(stale));
  EXPECT_EQ(std::get<KvConflict>(stale).revision, created.revision);
  auto updated = run(bucket_->update("user.alice", "hash-2", created.revision));
  ASSERT_TRUE(std::holds_alternative<KvWritten>(updated));
  EXPECT_GT(std::get<KvWritten>(updated).revision, created.revision);
  EXPECT_EQ(run(bucket_->get("user.alice"))->value, "hash-2");
  // The old revision lost.
  EXPECT_TRUE(std::holds_alternative<KvConflict>(
      run(bucket_->update("user.alice", "hash-3", created.revision))));
}

TEST_F(KvBucketTest, ConditionalDeleteAndCreateAfterIt) {
  auto written = std::get<KvWritten>(run(bucket_->create("presence.c1", "node-a")));
  auto wrong = run(bucket_->erase("presence.c1", written.revision + 1));
  ASSERT_TRUE(std::holds_alternative<KvConflict>(wrong));
  EXPECT_EQ(run(bucket_->get("presence.c1"))->value, "node-a");

  auto erased = run(bucket_->erase("presence.c1", written.revision));
  ASSERT_TRUE(std::holds_alternative<KvWritten>(erased));
  EXPECT_EQ(run(bucket_->get("presence.c1")), std::nullopt);

  // A deleted key counts as missing.
  auto again = run(bucket_->create("presence.c1", "node-b"));
  ASSERT_TRUE(std::holds_alternative<KvWritten>(again));
  EXPECT_GT(std::get<KvWritten>(again).revision, std::get<KvWritten>(erased).revision);
  EXPECT_EQ(run(bucket_->get("presence.c1"))->value, "node-b");
}

TEST_F(KvBucketTest, UnconditionalDeleteAndPurge) {
  run(bucket_->put("k", "1"));
  run(bucket_->put("k", "2"));
  run(bucket_->erase(std::string("k")));
  EXPECT_EQ(run(bucket_->get("k")), std::nullopt);
  run(bucket_->put("k", "3"));
  run(bucket_->purge("k"));
  EXPECT_EQ(run(bucket_->get("k")), std::nullopt);
  // The purge marker rolled up the key's history: one message left for it.
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, connection_->jetstream(), "KV_DIR", nullptr, nullptr), NATS_OK);
  EXPECT_EQ(info->State.Msgs, 1u);
  jsStreamInfo_Destroy(info);
}

TEST_F(KvBucketTest, NatsCsKvStoreReadsWhatWasWritten) {
  run(bucket_->put("shared.key", "from-publisher"));
  kvStore* kv = nullptr;
  ASSERT_EQ(js_KeyValue(&kv, connection_->jetstream(), "DIR"), NATS_OK);
  kvEntry* entry = nullptr;
  ASSERT_EQ(kvStore_Get(&entry, kv, "shared.key"), NATS_OK);
  EXPECT_STREQ(kvEntry_ValueString(entry), "from-publisher");
  kvEntry_Destroy(entry);
  kvStore_Destroy(kv);
}

TEST_F(KvBucketTest, PutLaterReportsItsResult) {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<PublishResult> got;
  bucket_->put_later("cursor.c1", "42", [&](const PublishResult& result) {
    std::lock_guard lock(mutex);
    got = result;
    done.notify_all();
  });
  std::unique_lock lock(mutex);
  ASSERT_TRUE(done.wait_for(lock, 10s, [&] { return got.has_value(); }));
  EXPECT_TRUE(got->ok());
  EXPECT_EQ(bucket_->get_now("cursor.c1")->value, "42");
  bucket_->put_later("cursor.c2", "fire and forget");
  EXPECT_TRUE(publisher_->drain(10s));
  EXPECT_EQ(bucket_->get_now("cursor.c2")->value, "fire and forget");
}

TEST_F(KvBucketTest, BadKeysAreRefused) {
  for (std::string key : {"", ".a", "a.", "has space", "a*b", "a>b"}) {
    try {
      run(bucket_->put(key, "x"));
      ADD_FAILURE() << "accepted '" << key << "'";
    } catch (const NatsError& error) {
      EXPECT_EQ(error.status(), NATS_INVALID_ARG);
    }
  }
  EXPECT_THROW(bucket_->get_now("a b"), NatsError);
}

TEST_F(KvBucketTest, AMissingBucketIsAnErrorNotAMissingKey) {
  KvBucket missing(*connection_, *publisher_, pool_, "NOPE");
  try {
    missing.get_now("k");
    FAIL() << "read a key of a missing bucket";
  } catch (const NatsError& error) {
    EXPECT_EQ(error.js_code(), JSStreamNotFoundErr) << error.what();
  }
}

// On a replicated bucket the stream checks the expected revision before its
// duplicate window, so the retry of an update that was stored but whose ack
// came too late reads as a conflict. An ack wait of 1 ms makes that the
// common case (a replicated write takes longer); every update must still
// be reported written, and stored once.
TEST(KvBucketClusterTest, AnUpdateStoredBeforeItsAckTimedOutIsNotAConflict) {
  if (!NatsServers::available()) {
    GTEST_SKIP() << "nats-server is not installed (apt-get install nats-server; scripts/test "
                    "installs it)";
  }
  NatsServers servers(3);
  Connection connection(servers.options());
  Provisioner(connection).ensure_bucket(KvSpec{"DIR", 64, 3});
  Publisher::Options options;
  options.ack_wait = 1ms;
  Publisher publisher(connection, options);
  BlockingPool pool(2);
  KvBucket bucket(connection, publisher, pool, "DIR");

  std::uint64_t revision = std::get<KvWritten>(run_coroutine(bucket.create("chain", "0"))).revision;
  for (int i = 1; i <= 30; ++i) {
    auto written = run_coroutine(bucket.update("chain", numbered("", i), revision));
    ASSERT_TRUE(std::holds_alternative<KvWritten>(written)) << "a conflict at update " << i;
    EXPECT_GT(std::get<KvWritten>(written).revision, revision);
    revision = std::get<KvWritten>(written).revision;
  }
  EXPECT_GT(publisher.stats().retries, 0u) << "no ack was late: nothing was tested";
  EXPECT_EQ(bucket.get_now("chain")->value, "30");
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, connection.jetstream(), "KV_DIR", nullptr, nullptr), NATS_OK);
  EXPECT_EQ(info->State.Msgs, 31u);  // one per write: none stored twice
  jsStreamInfo_Destroy(info);
}

}  // namespace
}  // namespace blender_bus::nats
