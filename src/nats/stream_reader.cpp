#include "nats/stream_reader.hpp"

#include <algorithm>
#include <thread>

#include "nats/nats_error.hpp"
#include "nats/transient.hpp"

namespace blender_bus::nats {

namespace {
using Clock = std::chrono::steady_clock;
}

StreamReader::StreamReader(Connection& connection, std::string stream)
    : StreamReader(connection, std::move(stream), Options{}) {}

StreamReader::StreamReader(Connection& connection, std::string stream, Options options)
    : connection_(connection), stream_(std::move(stream)), options_(options) {}

std::optional<Message> StreamReader::last_message(std::string_view subject) {
  const std::string name(subject);
  return retry_transient(Clock::now() + options_.deadline, [&]() -> std::optional<Message> {
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status =
        js_GetLastMsg(&msg, connection_.jetstream(), stream_.c_str(), name.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
      clear_last_error();
      return std::nullopt;
    }
    check(status, "stream '" + stream_ + "': last message on '" + name + "'", code);
    return Message(msg);
  });
}

std::uint64_t StreamReader::last_sequence(std::string_view subject) {
  auto last = last_message(subject);
  return last ? last->sequence() : 0;
}

std::optional<Message> StreamReader::message(std::uint64_t sequence) {
  return retry_transient(Clock::now() + options_.deadline, [&]() -> std::optional<Message> {
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status =
        js_GetMsg(&msg, connection_.jetstream(), stream_.c_str(), sequence, nullptr, &code);
    if (status == NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
      clear_last_error();
      return std::nullopt;
    }
    check(status, "stream '" + stream_ + "': message " + std::to_string(sequence), code);
    return Message(msg);
  });
}

std::vector<Message> StreamReader::read_all(std::string_view subject, std::uint64_t after,
                                            std::size_t limit) {
  return read(subject, after, last_sequence(subject), limit);
}

std::vector<Message> StreamReader::read(std::string_view subject, std::uint64_t after,
                                        std::uint64_t bound, std::size_t limit) {
  const std::string name(subject);
  const auto deadline = Clock::now() + options_.deadline;
  std::vector<Message> out;
  std::uint64_t cursor = after;
  bool lagging = false;
  Clock::time_point lagging_since{};
  auto pause = std::chrono::milliseconds(1);
  while (out.size() < limit && cursor < bound) {
    jsDirectGetMsgOptions options;
    jsDirectGetMsgOptions_Init(&options);
    options.Sequence = cursor + 1;
    options.NextBySubject = name.c_str();
    natsMsg* msg = nullptr;
    natsStatus status =
        js_DirectGetMsg(&msg, connection_.jetstream(), stream_.c_str(), nullptr, &options);
    if (status == NATS_OK) {
      Message message(msg);
      const std::uint64_t sequence = message.sequence();
      if (sequence > bound) break;
      out.push_back(std::move(message));
      cursor = sequence;
      lagging = false;
      pause = std::chrono::milliseconds(1);
      continue;
    }
    if (status != NATS_NOT_FOUND) {
      NatsError error = make_error(status, "stream '" + stream_ + "': reading '" + name +
                                               "' after " + std::to_string(cursor));
      if (!is_transient(error) || Clock::now() + pause >= deadline) throw error;
    } else {
      clear_last_error();
      // Nothing at or after cursor+1 on this replica, though the leader had
      // `bound`: a lagging replica, or the messages were removed since (a
      // purge, limits). The leader says which.
      const auto now = Clock::now();
      if (!lagging) {
        lagging = true;
        lagging_since = now;
      } else if (now - lagging_since > options_.lag_wait) {
        throw NatsError(NATS_TIMEOUT, 0,
                        "stream '" + stream_ + "': reading '" + name + "': direct gets stayed at " +
                            std::to_string(cursor) + " below the leader's " +
                            std::to_string(bound) + " for " +
                            std::to_string(options_.lag_wait.count()) + " ms");
      }
      bound = std::min(bound, last_sequence(subject));
      if (cursor >= bound) break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return out;
}

}  // namespace blender_bus::nats
