#include "nats/stream_reader.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "nats/nats_error.hpp"
#include "nats/provisioner.hpp"
#include "nats/publisher.hpp"
#include "nats_server_test.hpp"
#include "nats_servers.hpp"

namespace blender_bus::nats {
namespace {

using testing::NatsServers;
using testing::numbered;
using testing::run_coroutine;

std::vector<std::string> data_of(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const auto& message : messages) out.emplace_back(message.data());
  return out;
}

class StreamReaderTest : public testing::NatsServerTest {
 protected:
  void SetUp() override {
    if (!start_servers(1)) return;
    StreamSpec spec;
    spec.name = "RECORDS";
    spec.subjects = {"rec.>"};
    spec.allow_direct = true;
    spec.max_msgs_per_subject = 5;
    Provisioner(*connection_).ensure_stream(spec);
    // Interleaved: a at 1, 3, 5, 7; b at 2, 4, 6.
    Publisher publisher(*connection_);
    for (int i = 1; i <= 7; ++i) {
      std::string payload = numbered("r", i);
      auto result =
          run_coroutine(publisher.publish({i % 2 ? "rec.u1.a" : "rec.u1.b", payload, {}, {}, {}}));
      ASSERT_EQ(result.sequence, static_cast<std::uint64_t>(i));
    }
  }
};

TEST_F(StreamReaderTest, ReadsOneSubjectAfterACursorUpToABound) {
  StreamReader reader(*connection_, "RECORDS");
  EXPECT_EQ(reader.last_sequence("rec.u1.a"), 7u);
  EXPECT_EQ(reader.last_sequence("rec.u1.b"), 6u);
  EXPECT_EQ(reader.last_sequence("rec.u1.none"), 0u);

  auto all = reader.read_all("rec.u1.a", 0, 100);
  EXPECT_EQ(data_of(all), (std::vector<std::string>{"r1", "r3", "r5", "r7"}));
  EXPECT_EQ(all[2].sequence(), 5u);
  EXPECT_EQ(data_of(reader.read("rec.u1.a", 1, 5, 100)), (std::vector<std::string>{"r3", "r5"}));
  // A bound between two of the subject's records (the hole before a live one).
  EXPECT_EQ(data_of(reader.read("rec.u1.a", 1, 6, 100)), (std::vector<std::string>{"r3", "r5"}));
  EXPECT_EQ(data_of(reader.read("rec.u1.a", 0, 7, 2)), (std::vector<std::string>{"r1", "r3"}));
  EXPECT_EQ(data_of(reader.read_all("rec.u1.b", 4, 100)), (std::vector<std::string>{"r6"}));
  EXPECT_TRUE(reader.read_all("rec.u1.b", 6, 100).empty());
  EXPECT_TRUE(reader.read_all("rec.u1.none", 0, 100).empty());
  // All of a user's clients at once.
  EXPECT_EQ(reader.read("rec.u1.*", 0, 7, 100).size(), 7u);
}

TEST_F(StreamReaderTest, SkipsWhatTheLimitsRemoved) {
  Publisher publisher(*connection_);
  for (int i = 0; i < 5; ++i) run_coroutine(publisher.publish({"rec.u1.b", "more", {}, {}, {}}));
  // max 5 per subject: b's 2, 4, 6 are gone.
  StreamReader reader(*connection_, "RECORDS");
  auto b = reader.read_all("rec.u1.b", 0, 100);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b.front().sequence(), 8u);
  EXPECT_EQ(reader.message(2), std::nullopt);
  auto third = reader.message(3);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->data(), "r3");
  EXPECT_EQ(third->subject(), "rec.u1.a");
}

TEST_F(StreamReaderTest, ARecordsBoundThatWasPurgedSinceEndsTheRead) {
  StreamReader reader(*connection_, "RECORDS");
  const std::uint64_t bound = reader.last_sequence("rec.u1.a");
  jsOptions options;
  jsOptions_Init(&options);
  options.Stream.Purge.Subject = "rec.u1.a";
  ASSERT_EQ(js_PurgeStream(connection_->jetstream(), "RECORDS", &options, nullptr), NATS_OK);
  // Nothing left below the bound: the leader says so, and the read ends
  // (where a lagging replica would be waited for).
  EXPECT_TRUE(reader.read("rec.u1.a", 0, bound, 100).empty());
  EXPECT_EQ(data_of(reader.read("rec.u1.b", 0, bound, 100)),
            (std::vector<std::string>{"r2", "r4", "r6"}));
}

TEST_F(StreamReaderTest, AMissingStreamIsAnError) {
  StreamReader reader(*connection_, "NOPE");
  try {
    reader.last_sequence("rec.u1.a");
    FAIL() << "a missing stream read as an empty subject";
  } catch (const NatsError& error) {
    EXPECT_EQ(error.js_code(), JSStreamNotFoundErr) << error.what();
  }
}

}  // namespace
}  // namespace blender_bus::nats
