#include "nats/provisioner.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nats/nats_error.hpp"
#include "nats/provision_error.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using namespace std::chrono_literals;
using testing::NatsServers;

StreamSpec records_spec() {
  StreamSpec spec;
  spec.name = "RECORDS";
  spec.subjects = {"rec.>"};
  spec.max_msgs_per_subject = 100;
  spec.max_age = 1h;
  spec.duplicates = 2min;
  spec.allow_direct = true;
  spec.republish = StreamSpec::RePublish{"rec.>", "live.>", false};
  return spec;
}

// The message of the ProvisionError `fn` throws ("" when none).
template <class F>
std::string provision_error(F fn) {
  try {
    fn();
  } catch (const ProvisionError& error) {
    return error.what();
  }
  return "";
}

class ProvisionerTest : public testing::NatsServerTest {
 protected:
  void start(int servers) {
    if (!start_servers(servers)) return;
  }

  jsStreamInfo* info(const char* name) {
    jsStreamInfo* info = nullptr;
    check(js_GetStreamInfo(&info, connection_->jetstream(), name, nullptr, nullptr), "info");
    infos_.emplace_back(info, &jsStreamInfo_Destroy);
    return info;
  }

  std::vector<std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)>> infos_;
};

TEST_F(ProvisionerTest, CreatesAStreamThenFindsItUnchanged) {
  start(1);
  Provisioner provisioner(*connection_);
  auto created = provisioner.ensure_stream(records_spec());
  EXPECT_EQ(created.action, Provisioner::Outcome::Action::created);
  EXPECT_EQ(created.replicas, 1);
  auto again = provisioner.ensure_stream(records_spec());
  EXPECT_EQ(again.action, Provisioner::Outcome::Action::unchanged);

  auto* stream = info("RECORDS");
  EXPECT_EQ(stream->Config->MaxMsgsPerSubject, 100);
  EXPECT_EQ(stream->Config->MaxAge, std::chrono::nanoseconds(1h).count());
  EXPECT_TRUE(stream->Config->AllowDirect);
  ASSERT_NE(stream->Config->RePublish, nullptr);
  EXPECT_STREQ(stream->Config->RePublish->Destination, "live.>");
}

TEST_F(ProvisionerTest, DefaultsCompareEqualToWhatTheServerStores) {
  start(1);
  StreamSpec spec;
  spec.name = "PLAIN";
  spec.subjects = {"plain.b", "plain.a"};
  spec.max_msgs = 0;  // the server writes "no limit" as -1
  Provisioner provisioner(*connection_);
  EXPECT_EQ(provisioner.ensure_stream(spec).action, Provisioner::Outcome::Action::created);
  EXPECT_EQ(provisioner.ensure_stream(spec).action, Provisioner::Outcome::Action::unchanged);
}

TEST_F(ProvisionerTest, UpdatesTheLimitsALiveStreamCanChange) {
  start(1);
  Provisioner provisioner(*connection_);
  provisioner.ensure_stream(records_spec());
  auto spec = records_spec();
  spec.max_msgs_per_subject = 500;
  spec.max_age = 2h;
  auto updated = provisioner.ensure_stream(spec);
  EXPECT_EQ(updated.action, Provisioner::Outcome::Action::updated);
  ASSERT_EQ(updated.changes.size(), 2u);
  EXPECT_EQ(updated.changes[0], "max_msgs_per_subject: 100 in the stream, 500 wanted");
  EXPECT_EQ(updated.changes[1], "max_age: 3600000 ms in the stream, 7200000 ms wanted");
  EXPECT_EQ(info("RECORDS")->Config->MaxMsgsPerSubject, 500);
  EXPECT_EQ(provisioner.ensure_stream(spec).action, Provisioner::Outcome::Action::unchanged);
}

TEST_F(ProvisionerTest, RefusesLoudlyWhatALiveStreamCannotChange) {
  start(1);
  Provisioner provisioner(*connection_);
  provisioner.ensure_stream(records_spec());

  auto republish = records_spec();
  republish.republish->destination = "other.>";
  republish.max_msgs_per_subject = 7;
  EXPECT_EQ(provision_error([&] { provisioner.ensure_stream(republish); }),
            "stream 'RECORDS' exists with a configuration that cannot be changed: republish: "
            "rec.> -> live.> in the stream, rec.> -> other.> wanted (a new stream would restart "
            "its sequence numbers; remove it by hand if that is intended)");

  auto storage = records_spec();
  storage.storage = StreamSpec::Storage::memory;
  EXPECT_NE(provision_error([&] {
              provisioner.ensure_stream(storage);
            }).find("storage: file in the stream, memory wanted"),
            std::string::npos);
  // Nothing was changed by the refused attempts.
  EXPECT_EQ(info("RECORDS")->Config->MaxMsgsPerSubject, 100);
}

TEST_F(ProvisionerTest, AStandaloneServerHasNoReplicas) {
  start(1);
  Provisioner provisioner(*connection_);
  auto three = records_spec();
  three.replicas = 3;
  EXPECT_EQ(provision_error([&] { provisioner.ensure_stream(three); }),
            "stream 'RECORDS': 3 replicas, but the NATS server is not part of a JetStream "
            "cluster");

  // nats-server 2.9 accepts an update of a standalone stream to 2 replicas
  // and reports it: refused before it is written.
  provisioner.ensure_stream(records_spec());
  auto two = records_spec();
  two.replicas = 2;
  EXPECT_NE(
      provision_error([&] { provisioner.ensure_stream(two); }).find("not part of a JetStream"),
      std::string::npos);
  EXPECT_EQ(info("RECORDS")->Config->Replicas, 1);
}

TEST_F(ProvisionerTest, BucketsAreStreamsNatsCsKvStoreCanUse) {
  start(1);
  Provisioner provisioner(*connection_);
  KvSpec spec{"CLIENTS", 3, 1, StreamSpec::Storage::file, 0ns, -1, 4096};
  EXPECT_EQ(provisioner.ensure_bucket(spec).action, Provisioner::Outcome::Action::created);
  EXPECT_EQ(provisioner.ensure_bucket(spec).action, Provisioner::Outcome::Action::unchanged);
  kvStore* kv = nullptr;
  ASSERT_EQ(js_KeyValue(&kv, connection_->jetstream(), "CLIENTS"), NATS_OK);
  kvStatus* status = nullptr;
  ASSERT_EQ(kvStore_Status(&status, kv), NATS_OK);
  EXPECT_EQ(kvStatus_History(status), 3);
  kvStatus_Destroy(status);
  // js_CreateKeyValue with the same configuration agrees that it is the same bucket.
  kvStore* again = nullptr;
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = "CLIENTS";
  config.History = 3;
  config.MaxValueSize = 4096;
  EXPECT_EQ(js_CreateKeyValue(&again, connection_->jetstream(), &config), NATS_OK)
      << nats_GetLastError(nullptr);
  kvStore_Destroy(again);
  kvStore_Destroy(kv);

  spec.history = 5;
  EXPECT_EQ(provisioner.ensure_bucket(spec).changes,
            std::vector<std::string>{"max_msgs_per_subject: 3 in the stream, 5 wanted"});
}

TEST_F(ProvisionerTest, RefusesBadBucketNamesAndHistories) {
  start(1);
  Provisioner provisioner(*connection_);
  EXPECT_EQ(provision_error([&] { provisioner.ensure_bucket(KvSpec{"bad.name"}); }),
            "KV bucket 'bad.name': a bucket name is letters, digits, '_' and '-'");
  EXPECT_EQ(provision_error([&] {
              provisioner.ensure_bucket(KvSpec{"B", 65});
            }),
            "KV bucket 'B': history must be 1..64, not 65");
}

TEST_F(ProvisionerTest, PlacesReplicasOnAClusterAndGrowsThem) {
  start(3);
  Provisioner provisioner(*connection_);
  auto three = records_spec();
  three.replicas = 3;
  auto created = provisioner.ensure_stream(three);
  EXPECT_EQ(created.action, Provisioner::Outcome::Action::created);
  EXPECT_EQ(created.replicas, 3);

  KvSpec bucket{"DIR"};
  EXPECT_EQ(provisioner.ensure_bucket(bucket).replicas, 1);
  bucket.replicas = 3;
  auto grown = provisioner.ensure_bucket(bucket);
  EXPECT_EQ(grown.action, Provisioner::Outcome::Action::updated);
  EXPECT_EQ(grown.changes, std::vector<std::string>{"replicas: 1 in the stream, 3 wanted"});
  EXPECT_EQ(grown.replicas, 3);

  auto five = records_spec();
  five.name = "FIVE";
  five.subjects = {"five.>"};
  five.replicas = 5;
  try {
    provisioner.ensure_stream(five);
    FAIL() << "5 replicas on 3 servers";
  } catch (const NatsError& error) {
    EXPECT_NE(std::string(error.what()).find("stream 'FIVE': creating it"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace blender_bus::nats
