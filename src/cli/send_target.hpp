#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace blender_bus::cli {

// Where `send --target` points: uuid:X, group:X, type:X or broadcast.
struct SendTarget {
  enum class Kind { uuid, group, type, broadcast };
  Kind kind = Kind::broadcast;
  std::string value;  // "" for broadcast

  // Throws std::invalid_argument naming the accepted forms.
  static SendTarget parse(std::string_view text);
  // "" when `text` parses, else parse's message: a CLI11 option check.
  static std::string check(const std::string& text);
  // blender_send_message's routing arguments (SPEC §5): target_uuid,
  // group_id or client_type; none for broadcast.
  boost::json::object routing_arguments() const;
  // For messages: "client X", "group X", "every X client", "every client".
  std::string describe() const;
};

}  // namespace blender_bus::cli
