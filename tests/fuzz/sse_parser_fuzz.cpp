// The CLI's SSE parser (cli/sse_parser) on bytes as a server, or anything in
// between, could send them. The first 8 bytes seed how the rest is cut into
// feeds; the rest is the stream.
//
// Invariants: the events do not depend on how the stream is cut; no event,
// nor all of them together, carries more data than the stream has; an id
// holds no NUL, CR or LF (it goes back in a Last-Event-ID header); data holds
// no CR; reset_connection keeps the last event id, and a stream read after it
// yields the same events as on a fresh parser.
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include "cli/sse_parser.hpp"
#include "fuzz_check.hpp"

namespace {

using blender_bus::cli::SseEvent;
using blender_bus::cli::SseParser;

struct Parsed {
  std::vector<SseEvent> events;
  std::string last_event_id;
  std::uint64_t comments = 0;
  std::optional<std::uint64_t> retry_ms;
};

// Feeds `stream` in pieces of 1..max_piece bytes drawn from `seed`
// (max_piece 0: in one piece).
Parsed parse(std::string_view stream, std::uint64_t seed, std::size_t max_piece) {
  Parsed out;
  SseParser parser;
  auto collect = [&](SseEvent&& event) { out.events.push_back(std::move(event)); };
  if (max_piece == 0) {
    parser.feed(stream, collect);
  } else {
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<std::size_t> piece(1, max_piece);
    while (!stream.empty()) {
      const std::size_t n = std::min(piece(random), stream.size());
      parser.feed(stream.substr(0, n), collect);
      stream.remove_prefix(n);
    }
  }
  out.last_event_id = parser.last_event_id();
  out.comments = parser.comments();
  out.retry_ms = parser.retry_ms();
  return out;
}

bool same_events(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].event != b[i].event || a[i].data != b[i].data) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t seed = 0;
  const std::size_t seed_bytes = std::min<std::size_t>(size, sizeof seed);
  std::memcpy(&seed, bytes, seed_bytes);
  const std::string_view stream(reinterpret_cast<const char*>(bytes) + seed_bytes,
                                size - seed_bytes);

  const Parsed whole = parse(stream, seed, 0);
  std::size_t total_data = 0;
  for (const auto& event : whole.events) {
    FUZZ_CHECK(event.data.size() <= stream.size(), "an event carries more data than the stream");
    FUZZ_CHECK(event.id.size() <= stream.size(), "an event id longer than the stream");
    FUZZ_CHECK(event.event == "message" || event.event.size() <= stream.size(),
               "an event type longer than the stream");
    FUZZ_CHECK(event.id.find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos,
               "an event id holds NUL, CR or LF");
    FUZZ_CHECK(event.data.find('\r') == std::string::npos, "event data holds a CR");
    FUZZ_CHECK(!event.event.empty(), "an event without a type");
    total_data += event.data.size();
  }
  FUZZ_CHECK(total_data <= stream.size(), "the events carry more data than the stream");
  FUZZ_CHECK(whole.last_event_id.find_first_of(std::string_view("\0\r\n", 3)) == std::string::npos,
             "the last event id holds NUL, CR or LF");
  FUZZ_CHECK(whole.comments <= stream.size(), "more comments than bytes");

  // Cut into small pieces (CRLF and the BOM straddle feeds) and larger ones.
  for (const std::size_t max_piece : {std::size_t{1}, std::size_t{3}, std::size_t{64}}) {
    const Parsed cut = parse(stream, seed, max_piece);
    FUZZ_CHECK(same_events(whole.events, cut.events), "the events depend on how the stream is cut");
    FUZZ_CHECK(whole.last_event_id == cut.last_event_id,
               "the last event id depends on how the stream is cut");
    FUZZ_CHECK(whole.comments == cut.comments, "the comment count depends on the cut");
    FUZZ_CHECK(whole.retry_ms == cut.retry_ms, "retry depends on how the stream is cut");
  }

  // A reconnection keeps the id in force at the last complete event, and a
  // fresh stream after it parses as it would have alone.
  SseParser parser;
  std::vector<SseEvent> events;
  auto collect = [&](SseEvent&& event) { events.push_back(std::move(event)); };
  parser.feed(stream.substr(0, stream.size() / 2), collect);
  const std::string before = parser.last_event_id();
  parser.reset_connection();
  FUZZ_CHECK(parser.last_event_id() == before, "reset_connection changed the last event id");
  events.clear();
  parser.feed(stream, collect);
  FUZZ_CHECK(events.size() == whole.events.size(), "a reset parser dispatched differently");
  for (std::size_t i = 0; i < events.size(); ++i) {
    FUZZ_CHECK(events[i].data == whole.events[i].data && events[i].event == whole.events[i].event,
               "a reset parser dispatched different events");
  }
  return 0;
}
