#include "nats/kv_bucket.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "nats/kv_spec.hpp"
#include "nats/nats_error.hpp"
#include "nats/transient.hpp"

namespace blender_bus::nats {

namespace asio = boost::asio;

void check_kv_key(std::string_view key) {
  auto allowed = [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '/' || c == '_' || c == '=' || c == '.';
  };
  if (key.empty() || key.front() == '.' || key.back() == '.' ||
      !std::all_of(key.begin(), key.end(), allowed)) {
    throw NatsError(NATS_INVALID_ARG, 0,
                    "KV key '" + std::string(key) +
                        "': a key is [-/_=.A-Za-z0-9]+, not starting or ending with '.'");
  }
}

KvEntry::Operation kv_operation_of(const Message& message) {
  auto operation = message.header("KV-Operation");
  if (operation == "DEL") return KvEntry::Operation::erase;
  if (operation == "PURGE") return KvEntry::Operation::purge;
  return KvEntry::Operation::put;
}

KvBucket::KvBucket(Connection& connection, Publisher& publisher, BlockingPool& pool,
                   std::string bucket)
    : KvBucket(connection, publisher, pool, std::move(bucket), Options{}) {}

KvBucket::KvBucket(Connection& connection, Publisher& publisher, BlockingPool& pool,
                   std::string bucket, Options options)
    : connection_(connection),
      publisher_(publisher),
      pool_(pool),
      bucket_(std::move(bucket)),
      stream_(kv_stream_name(bucket_)),
      options_(options) {}

std::string KvBucket::subject_of(std::string_view key) const {
  check_kv_key(key);
  return kv_subject(bucket_, key);
}

std::optional<Message> KvBucket::last_message(std::string_view key) {
  const std::string subject = subject_of(key);
  const auto deadline = std::chrono::steady_clock::now() + options_.read_deadline;
  return retry_transient(deadline, [&]() -> std::optional<Message> {
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetLastMsg(&msg, connection_.jetstream(), stream_.c_str(),
                                      subject.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
      clear_last_error();
      return std::nullopt;
    }
    check(status, "KV bucket '" + bucket_ + "': reading '" + std::string(key) + "'", code);
    return Message(msg);
  });
}

std::optional<KvEntry> KvBucket::get_now(std::string_view key) {
  auto message = last_message(key);
  if (!message) return std::nullopt;
  auto operation = kv_operation_of(*message);
  if (operation != KvEntry::Operation::put) return std::nullopt;
  return KvEntry{std::string(key), std::string(message->data()), message->sequence(),
                 message->time(), operation};
}

asio::awaitable<std::optional<KvEntry>> KvBucket::get(std::string key) {
  auto read = [this, key = std::move(key)] { return get_now(key); };
  co_return co_await pool_.run(std::move(read));
}

asio::awaitable<std::uint64_t> KvBucket::put(std::string key, std::string value) {
  const std::string subject = subject_of(key);
  PublishRequest request{subject, value, {}, std::nullopt, {}};
  PublishResult result = co_await publisher_.publish(request);
  result.check();
  co_return result.sequence;
}

asio::awaitable<KvWrite> KvBucket::write_if(const std::string& key, std::string_view value,
                                            std::uint64_t revision, std::string_view operation) {
  const std::string subject = subject_of(key);
  const std::string id = ids_.next();
  const std::array<Header, 1> headers{Header{"KV-Operation", operation}};
  PublishRequest request{subject, value, id, revision, {}};
  if (!operation.empty()) request.headers = headers;
  PublishResult result = co_await publisher_.publish(request);
  if (result.ok()) co_return KvWritten{result.sequence};
  if (!result.wrong_last_sequence()) throw *result.error;
  if (result.attempts > 1) {
    auto last = co_await pool_.run([this, &key] { return last_message(key); });
    if (last && last->header("Nats-Msg-Id") == id) co_return KvWritten{last->sequence()};
  }
  co_return KvConflict{result.actual_last_sequence};
}

asio::awaitable<KvWrite> KvBucket::create(std::string key, std::string value) {
  KvWrite first = co_await write_if(key, value, 0, {});
  const auto* conflict = std::get_if<KvConflict>(&first);
  if (conflict == nullptr || conflict->revision == 0) co_return first;
  // The subject has a message: if it is a delete marker the key is missing,
  // and the create is an update of that marker's revision.
  auto last = co_await pool_.run([this, &key] { return last_message(key); });
  if (!last) co_return co_await write_if(key, value, 0, {});
  if (kv_operation_of(*last) == KvEntry::Operation::put) co_return KvConflict{last->sequence()};
  co_return co_await write_if(key, value, last->sequence(), {});
}

asio::awaitable<KvWrite> KvBucket::update(std::string key, std::string value,
                                          std::uint64_t revision) {
  if (revision == 0) {
    throw NatsError(NATS_INVALID_ARG, 0, "KV update of '" + key + "': revision 0 (use create)");
  }
  co_return co_await write_if(key, value, revision, {});
}

asio::awaitable<KvWrite> KvBucket::erase(std::string key, std::uint64_t revision) {
  if (revision == 0) {
    throw NatsError(NATS_INVALID_ARG, 0, "KV delete of '" + key + "': revision 0");
  }
  co_return co_await write_if(key, {}, revision, "DEL");
}

asio::awaitable<void> KvBucket::erase(std::string key) {
  const std::string subject = subject_of(key);
  const std::array<Header, 1> headers{Header{"KV-Operation", "DEL"}};
  PublishRequest request{subject, {}, {}, std::nullopt, headers};
  (co_await publisher_.publish(request)).check();
}

asio::awaitable<void> KvBucket::purge(std::string key) {
  const std::string subject = subject_of(key);
  const std::array<Header, 2> headers{Header{"KV-Operation", "PURGE"},
                                      Header{"Nats-Rollup", "sub"}};
  PublishRequest request{subject, {}, {}, std::nullopt, headers};
  (co_await publisher_.publish(request)).check();
}

void KvBucket::put_later(std::string_view key, std::string_view value,
                         std::function<void(const PublishResult&)> on_result) {
  const std::string subject = subject_of(key);
  auto batch = publisher_.start(PublishRequest{subject, value, {}, std::nullopt, {}});
  if (on_result) {
    batch->on_settled(
        [on_result = std::move(on_result)](const std::vector<PublishResult>& results) {
          on_result(results.front());
        });
  }
}

}  // namespace blender_bus::nats
