#include "cli/sse_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace blender_bus::cli {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The first CR or LF. Two memchr scans: find_first_of("\r\n") tests every
// byte against the set one call at a time, and showed up in profiles.
std::size_t find_line_end(std::string_view text) {
  const auto* lf = static_cast<const char*>(std::memchr(text.data(), '\n', text.size()));
  const std::size_t lf_at = lf ? static_cast<std::size_t>(lf - text.data()) : text.size();
  if (const auto* cr = static_cast<const char*>(std::memchr(text.data(), '\r', lf_at))) {
    return static_cast<std::size_t>(cr - text.data());
  }
  return lf ? lf_at : std::string_view::npos;
}

}  // namespace

void SseParser::reset_connection() {
  line_.clear();
  skip_lf_ = false;
  at_stream_start_ = true;
  data_.clear();
  has_data_ = false;
  event_.clear();
  id_buffer_ = last_event_id_;
}

void SseParser::feed(std::string_view bytes, const Handler& on_event) {
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes.front() == '\n') bytes.remove_prefix(1);
  }
  while (!bytes.empty()) {
    const auto end = find_line_end(bytes);
    check_size(line_.size() + std::min(end, bytes.size()));
    if (end == std::string_view::npos) {
      line_.append(bytes);
      break;
    }
    // Most lines arrive whole; only a line split across feeds is copied.
    std::string_view line = bytes.substr(0, end);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    if (at_stream_start_) {
      at_stream_start_ = false;
      if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
    }
    const bool cr = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
    if (cr) {
      if (bytes.empty()) {
        skip_lf_ = true;  // CRLF may straddle two feeds
      } else if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
      }
    }
    process_line(line, on_event);
    line_.clear();
  }
}

void SseParser::check_size(std::size_t line_bytes) const {
  if (data_.size() + line_bytes > max_event_bytes_) {
    throw AnswerTooLarge("an event of the server's stream is larger than " +
                         std::to_string(max_event_bytes_) + " bytes");
  }
}

void SseParser::process_line(std::string_view line, const Handler& on_event) {
  if (line.empty()) {
    dispatch(on_event);
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    // An id containing NUL is ignored (it could not be sent back in a header).
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (field == "retry") {
    std::uint64_t ms = 0;
    const auto* first = value.data();
    const auto* last = value.data() + value.size();
    if (!value.empty() && std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) {
      if (std::from_chars(first, last, ms).ec == std::errc{}) retry_ms_ = ms;
    }
  }
  // Any other field name is ignored, as the standard says.
}

void SseParser::dispatch(const Handler& on_event) {
  last_event_id_ = id_buffer_;
  // An event with no data is not dispatched, but its id counts.
  if (!has_data_) {
    event_.clear();
    return;
  }
  SseEvent event;
  event.id = last_event_id_;
  if (!event_.empty()) event.event = std::move(event_);
  event.data = std::move(data_);
  data_.clear();
  event_.clear();
  has_data_ = false;
  on_event(std::move(event));
}

}  // namespace blender_bus::cli
