#include "cli/send_target.hpp"

#include <stdexcept>

namespace blender_bus::cli {

SendTarget SendTarget::parse(std::string_view text) {
  if (text == "broadcast") return {};
  const auto colon = text.find(':');
  const auto prefix = text.substr(0, colon);
  const auto value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  SendTarget target;
  if (prefix == "uuid") {
    target.kind = Kind::uuid;
  } else if (prefix == "group") {
    target.kind = Kind::group;
  } else if (prefix == "type") {
    target.kind = Kind::type;
  } else {
    throw std::invalid_argument("unknown target '" + std::string(text) +
                                "': use uuid:X, group:X, type:X or broadcast");
  }
  if (colon == std::string_view::npos || value.empty()) {
    throw std::invalid_argument("target '" + std::string(text) + "' names no " +
                                std::string(prefix));
  }
  target.value = std::string(value);
  return target;
}

std::string SendTarget::check(const std::string& text) {
  try {
    parse(text);
    return {};
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

boost::json::object SendTarget::routing_arguments() const {
  switch (kind) {
    case Kind::uuid:
      return {{"target_uuid", value}};
    case Kind::group:
      return {{"group_id", value}};
    case Kind::type:
      return {{"client_type", value}};
    case Kind::broadcast:
      break;
  }
  return {};
}

std::string SendTarget::describe() const {
  switch (kind) {
    case Kind::uuid:
      return "client " + value;
    case Kind::group:
      return "group " + value;
    case Kind::type:
      return "every " + value + " client";
    case Kind::broadcast:
      break;
  }
  return "every client";
}

}  // namespace blender_bus::cli
