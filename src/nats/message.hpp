#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace blender_bus::nats {

// Owns one natsMsg (a received or read message). Move-only; any thread may
// read or destroy it.
class Message {
 public:
  Message() = default;
  explicit Message(natsMsg* msg) noexcept : msg_(msg) {}
  Message(Message&& other) noexcept : msg_(std::exchange(other.msg_, nullptr)) {}
  Message& operator=(Message&& other) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message() { natsMsg_Destroy(msg_); }

  explicit operator bool() const noexcept { return msg_ != nullptr; }

  std::string_view subject() const;
  std::string_view data() const;
  // The first value of header `name`, if the message has it.
  std::optional<std::string_view> header(const char* name) const;
  // A header holding a decimal number (Nats-Sequence...); nullopt when the
  // header is missing or not a number.
  std::optional<std::uint64_t> header_number(const char* name) const;
  // The stream sequence of a message read from a stream (js_GetMsg, direct
  // get): 0 for a message that did not come from a stream read.
  std::uint64_t sequence() const;
  // The time the stream stored it, in nanoseconds since the epoch (0 when not
  // known).
  std::int64_t time() const;

  natsMsg* native() const noexcept { return msg_; }
  natsMsg* release() noexcept { return std::exchange(msg_, nullptr); }

 private:
  natsMsg* msg_ = nullptr;
};

// The stream sequence of a message that a JetStream consumer delivered (from
// its reply subject's metadata); nullopt for other messages.
std::optional<std::uint64_t> delivered_sequence(const Message& message);

}  // namespace blender_bus::nats
