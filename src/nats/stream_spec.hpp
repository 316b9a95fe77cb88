#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace blender_bus::nats {

// What a JetStream stream must look like (retention is always "limits").
// -1 means "no limit", as the server writes it. Which fields a live stream
// can change (2.9): Provisioner.
struct StreamSpec {
  enum class Storage { file, memory };
  enum class Discard { old_messages, new_messages };

  struct RePublish {
    std::string source;       // e.g. "bus.rec.>"
    std::string destination;  // e.g. "bus.live.>"
    bool headers_only = false;
    bool operator==(const RePublish&) const = default;
  };

  std::string name;
  std::vector<std::string> subjects;
  int replicas = 1;
  Storage storage = Storage::file;
  std::int64_t max_msgs = -1;
  std::int64_t max_bytes = -1;
  std::int64_t max_msgs_per_subject = -1;
  std::int32_t max_msg_size = -1;
  std::chrono::nanoseconds max_age{0};  // 0: forever
  Discard discard = Discard::old_messages;
  // With Discard::new_messages: refuse a publish to a subject that holds
  // max_msgs_per_subject already, rather than to a full stream.
  bool discard_new_per_subject = false;
  // The Nats-Msg-Id window; 0: the server's default (2 min, or max_age when shorter).
  std::chrono::nanoseconds duplicates{0};
  bool allow_direct = false;
  bool allow_rollup = false;
  bool deny_delete = false;
  bool deny_purge = false;
  // Fixed at creation (2.9 cannot change it).
  std::optional<RePublish> republish;
};

}  // namespace blender_bus::nats
