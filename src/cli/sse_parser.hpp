#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cli/http_message.hpp"

namespace blender_bus::cli {

// One dispatched Server-Sent Event (WHATWG HTML §9.2 "event stream
// interpretation").
struct SseEvent {
  std::string id;  // the stream's last event id at dispatch (sticky across events)
  std::string event = "message";
  std::string data;  // data lines joined with '\n'
};

// Incremental SSE parser: feed it bytes as they arrive, in pieces of any size,
// and it calls back once per complete event. Comments (": keep-alive") are
// counted and otherwise dropped, as the standard says.
class SseParser {
 public:
  using Handler = std::function<void(SseEvent&&)>;

  // An event (its data and the line being read) longer than
  // `max_event_bytes` makes feed() throw AnswerTooLarge.
  explicit SseParser(std::size_t max_event_bytes = kMaxAnswerBytes)
      : max_event_bytes_(max_event_bytes) {}

  void feed(std::string_view bytes, const Handler& on_event);

  // The id a reconnecting client sends as Last-Event-ID ("" before any id):
  // the id in force at the last complete event, never that of an event cut
  // off mid-way (its record was not read, so it must be replayed).
  const std::string& last_event_id() const { return last_event_id_; }
  std::uint64_t comments() const { return comments_; }
  // The server's requested reconnection delay (ms), once a `retry:` field set it.
  std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }
  // Resets the per-event state for a new connection; keeps last_event_id()
  // and forgets an id read after it.
  void reset_connection();

 private:
  void process_line(std::string_view line, const Handler& on_event);
  void dispatch(const Handler& on_event);
  // Throws AnswerTooLarge once the event held so far passes the limit.
  void check_size(std::size_t line_bytes) const;

  std::size_t max_event_bytes_;
  std::string line_;             // an incomplete line carried between feeds
  bool skip_lf_ = false;         // the previous feed ended on CR: a leading LF belongs to it
  bool at_stream_start_ = true;  // a UTF-8 BOM is ignored only there
  std::string data_;
  bool has_data_ = false;
  std::string event_;
  std::optional<std::uint64_t> retry_ms_;
  std::string id_buffer_;      // set by `id:` fields as they are read
  std::string last_event_id_;  // id_buffer_ as of the last blank line
  std::uint64_t comments_ = 0;
};

}  // namespace blender_bus::cli
