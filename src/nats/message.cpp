#include "nats/message.hpp"

#include <charconv>
#include <utility>

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    natsMsg_Destroy(msg_);
    msg_ = std::exchange(other.msg_, nullptr);
  }
  return *this;
}

std::string_view Message::subject() const {
  const char* subject = natsMsg_GetSubject(msg_);
  return subject ? std::string_view(subject) : std::string_view();
}

std::string_view Message::data() const {
  const char* data = natsMsg_GetData(msg_);
  int length = natsMsg_GetDataLength(msg_);
  return data && length > 0 ? std::string_view(data, static_cast<std::size_t>(length))
                            : std::string_view();
}

std::optional<std::string_view> Message::header(const char* name) const {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg_, name, &value) != NATS_OK || value == nullptr) {
    // NATS_NOT_FOUND is the expected answer for a missing header.
    clear_last_error();
    return std::nullopt;
  }
  return std::string_view(value);
}

std::optional<std::uint64_t> Message::header_number(const char* name) const {
  auto text = header(name);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::uint64_t Message::sequence() const {
  return natsMsg_GetSequence(msg_);
}

std::int64_t Message::time() const {
  return natsMsg_GetTime(msg_);
}

std::optional<std::uint64_t> delivered_sequence(const Message& message) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, message.native()) != NATS_OK) {
    clear_last_error();
    return std::nullopt;
  }
  std::uint64_t sequence = meta->Sequence.Stream;
  jsMsgMetaData_Destroy(meta);
  return sequence;
}

}  // namespace blender_bus::nats
