#include "transport/last_event_id.hpp"

#include <charconv>

namespace blender_bus::transport {

std::optional<std::uint64_t> parse_last_event_id(std::string_view header) {
  std::uint64_t id = 0;
  const char* end = header.data() + header.size();
  auto [stop, ec] = std::from_chars(header.data(), end, id);
  if (header.empty() || ec != std::errc{} || stop != end) return std::nullopt;
  return id;
}

}  // namespace blender_bus::transport
