#include "transport/accept_header.hpp"

#include <cctype>

namespace blender_bus::transport {

namespace {

// Runs on every request: no allocation, ASCII case folding in place.
std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// True for a "q=0" (or "q=0.0…") parameter: that media range is refused.
bool refuses(std::string_view params) {
  while (!params.empty()) {
    const std::size_t semicolon = params.find(';');
    std::string_view param = trim(params.substr(0, semicolon));
    params =
        semicolon == std::string_view::npos ? std::string_view{} : params.substr(semicolon + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q') continue;
    param = trim(param.substr(1));
    if (param.empty() || param.front() != '=') continue;
    param = trim(param.substr(1));
    if (param.empty() || param.front() != '0') continue;
    bool zero = true;
    for (char c : param.substr(1)) {
      if (c != '.' && c != '0') zero = false;
    }
    if (zero) return true;
  }
  return false;
}

}  // namespace

AcceptedMedia parse_accept(std::string_view header) {
  if (trim(header).empty()) return {true, true};
  AcceptedMedia media;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    const std::string_view range = trim(item.substr(0, semicolon));
    if (semicolon != std::string_view::npos && refuses(item.substr(semicolon + 1))) continue;
    if (iequals(range, "*/*")) media = {true, true};
    if (iequals(range, "application/json") || iequals(range, "application/*")) media.json = true;
    if (iequals(range, "text/event-stream") || iequals(range, "text/*")) media.event_stream = true;
  }
  return media;
}

}  // namespace blender_bus::transport
