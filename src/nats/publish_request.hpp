#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace blender_bus::nats {

struct Header {
  std::string_view name;
  std::string_view value;
};

// One message to store in a JetStream stream. Views only: the Publisher
// copies them into a nats.c message before start() returns.
struct PublishRequest {
  std::string_view subject;
  std::string_view payload;
  // Nats-Msg-Id: within the stream's duplicate window (2 min by default) a
  // second message with the same id is not stored again; its ack carries the
  // first one's sequence with `duplicate`. Empty: the Publisher makes an id
  // unique to this publish, so that its own retries can never store a
  // message twice. (The server keeps every id for the window: ~100 bytes
  // each.)
  std::string_view msg_id;
  // Store only if the subject's last message has this sequence; 0: only if
  // the subject has no message. Otherwise the result is
  // wrong_last_sequence() (jerr 10071), with the subject's actual sequence.
  std::optional<std::uint64_t> expect_last_subject_seq;
  // More headers (e.g. KV-Operation for a KV delete marker).
  std::span<const Header> headers;
};

}  // namespace blender_bus::nats
