#pragma once

#include <string>
#include <vector>

namespace blender_bus::auth {

// How the store keeps a list of strings (roles, scopes): a JSON array.
std::string to_json_text(const std::vector<std::string>& items);

// Reads what to_json_text wrote; anything else reads as empty rather than
// failing a request over a hand-edited row.
std::vector<std::string> from_json_text(const std::string& text);

}  // namespace blender_bus::auth
