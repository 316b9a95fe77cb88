#include "delivery/jetstream/record_message.hpp"

#include <memory>

namespace blender_bus::delivery::jetstream {

std::array<nats::Header, 1> record_headers(bus::Priority level, std::string& storage) {
  storage = std::to_string(static_cast<int>(level));
  return {nats::Header{kLevelHeader, storage}};
}

LoggedRecord logged_record(const nats::Message& message, std::uint64_t sequence) {
  LoggedRecord item;
  item.seq = sequence;
  const auto level = message.header_number(kLevelHeader);
  item.level = level && *level <= static_cast<std::uint64_t>(bus::Priority::debug)
                   ? static_cast<bus::Priority>(*level)
                   : bus::Priority::info;
  item.text = std::make_shared<const std::string>(message.data());
  return item;
}

}  // namespace blender_bus::delivery::jetstream
