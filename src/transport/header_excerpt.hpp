#pragma once

#include <string>
#include <string_view>

namespace blender_bus::transport {

// A header value as it may be echoed in an error message: printable ASCII
// kept, every other byte written as \xNN (header bytes need not be UTF-8,
// and a JSON body must be), at most `limit` bytes of the value, then "...".
std::string header_excerpt(std::string_view value, std::size_t limit = 64);

}  // namespace blender_bus::transport
