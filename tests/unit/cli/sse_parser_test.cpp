#include "cli/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace blender_bus::cli {
namespace {

std::vector<SseEvent> feed_all(SseParser& parser, const std::vector<std::string>& pieces) {
  std::vector<SseEvent> events;
  for (const auto& piece : pieces) {
    parser.feed(piece, [&](SseEvent&& event) { events.push_back(std::move(event)); });
  }
  return events;
}

std::vector<SseEvent> feed_all(const std::string& text) {
  SseParser parser;
  return feed_all(parser, {text});
}

TEST(SseParser, DispatchesOneEventPerBlankLine) {
  auto events = feed_all("id: 7\ndata: {\"a\":1}\n\nid: 8\ndata: {\"b\":2}\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[1].id, "8");
  EXPECT_EQ(events[1].data, "{\"b\":2}");
}

TEST(SseParser, NothingBeforeTheBlankLine) {
  EXPECT_TRUE(feed_all("id: 1\ndata: x\n").empty());
}

TEST(SseParser, JoinsDataLinesWithNewline) {
  auto events = feed_all("data: one\ndata:two\ndata:  three\n\n");
  ASSERT_EQ(events.size(), 1u);
  // Only one space after the colon is removed.
  EXPECT_EQ(events[0].data, "one\ntwo\n three");
}

TEST(SseParser, CommentsAreCountedNotDispatched) {
  SseParser parser;
  auto events = feed_all(parser, {": keep-alive\n\n", ":\n\n", "data: x\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(parser.comments(), 2u);
}

TEST(SseParser, AcceptsCrLfAndCrLineEnds) {
  auto crlf = feed_all("id: 3\r\ndata: a\r\n\r\n");
  ASSERT_EQ(crlf.size(), 1u);
  EXPECT_EQ(crlf[0].id, "3");
  EXPECT_EQ(crlf[0].data, "a");
  auto cr = feed_all("data: b\r\rdata: c\r\r");
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_EQ(cr[0].data, "b");
  EXPECT_EQ(cr[1].data, "c");
}

TEST(SseParser, SurvivesEverySplitPoint) {
  const std::string stream =
      ": hello\r\nid: 41\r\nevent: message\r\ndata: {\"x\":\"y\"}\r\n\r\nid: 42\r\ndata: z\r\n\r\n";
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SseParser parser;
    auto events = feed_all(parser, {stream.substr(0, split), stream.substr(split)});
    ASSERT_EQ(events.size(), 2u) << "split at " << split;
    EXPECT_EQ(events[0].id, "41");
    EXPECT_EQ(events[0].data, "{\"x\":\"y\"}");
    EXPECT_EQ(events[1].id, "42");
    EXPECT_EQ(events[1].data, "z");
    EXPECT_EQ(parser.last_event_id(), "42");
  }
}

TEST(SseParser, ByteByByte) {
  const std::string stream = "id: 5\ndata: a\n\ndata: b\n\n";
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  SseParser parser;
  auto events = feed_all(parser, bytes);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].data, "b");
}

TEST(SseParser, IdIsStickyAcrossEventsAndSetByDatalessEvents) {
  SseParser parser;
  auto events = feed_all(parser, {"id: 10\ndata: a\n\ndata: b\n\nid: 11\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].id, "10");            // no id field: the last one stays
  EXPECT_EQ(parser.last_event_id(), "11");  // a dataless event still moves it
}

TEST(SseParser, IgnoresIdWithNul) {
  SseParser parser;
  constexpr char kWithNul[] = "id: 2\0x\ndata: b\n\n";
  // sizeof - 1: every byte of the literal but its terminator, the NUL included.
  feed_all(parser, {"id: 1\ndata: a\n\n", std::string(kWithNul, sizeof kWithNul - 1)});
  EXPECT_EQ(parser.last_event_id(), "1");
}

TEST(SseParser, EventTypeAndRetry) {
  SseParser parser;
  auto events = feed_all(parser, {"event: ping\nretry: 2500\ndata: x\n\nretry: soon\ndata: y\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "ping");
  EXPECT_EQ(events[1].event, "message");  // the type does not carry over
  EXPECT_EQ(parser.retry_ms(), 2500u);    // a non-numeric retry is ignored
}

TEST(SseParser, FieldWithoutColonAndUnknownFields) {
  auto events = feed_all("data\nfoo: bar\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "");
}

TEST(SseParser, IgnoresLeadingBom) {
  auto events = feed_all("\xEF\xBB\xBFid: 9\ndata: a\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "9");
}

TEST(SseParser, AnEventCutOffMidwayDoesNotMoveTheLastEventId) {
  SseParser parser;
  feed_all(parser, {"id: 4\ndata: done\n\nid: 5\ndata: half"});
  // Event 5 was never complete: a reconnection must ask for what follows 4.
  EXPECT_EQ(parser.last_event_id(), "4");
  parser.reset_connection();
  auto events = feed_all(parser, {"data: fresh\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "fresh");
  EXPECT_EQ(events[0].id, "4");  // the cut-off id does not leak into the new stream
}

}  // namespace
}  // namespace blender_bus::cli
