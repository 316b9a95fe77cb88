#include "transport/sse_format.hpp"

namespace blender_bus::transport {

void append_sse_event(std::string& out, std::string_view data) {
  out.append("event: message\ndata: ");
  out.append(data);
  out.append("\n\n");
}

void append_sse_event(std::string& out, std::uint64_t id, std::string_view data) {
  out.append("id: ");
  out.append(std::to_string(id));
  out.push_back('\n');
  append_sse_event(out, data);
}

void append_sse_comment(std::string& out, std::string_view text) {
  out.append(": ");
  out.append(text);
  out.append("\n\n");
}

}  // namespace blender_bus::transport
