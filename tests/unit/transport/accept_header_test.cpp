#include "transport/accept_header.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

TEST(AcceptHeaderTest, RecognisesBothMediaTypes) {
  auto both = parse_accept("application/json, text/event-stream");
  EXPECT_TRUE(both.json);
  EXPECT_TRUE(both.event_stream);
  auto json_only = parse_accept("application/json");
  EXPECT_TRUE(json_only.json);
  EXPECT_FALSE(json_only.event_stream);
  auto sse_only = parse_accept("text/event-stream;charset=utf-8");
  EXPECT_FALSE(sse_only.json);
  EXPECT_TRUE(sse_only.event_stream);
}

TEST(AcceptHeaderTest, WildcardsAndAbsence) {
  auto any = parse_accept("*/*");
  EXPECT_TRUE(any.json && any.event_stream);
  auto absent = parse_accept("");
  EXPECT_TRUE(absent.json && absent.event_stream);
  auto app = parse_accept("application/*");
  EXPECT_TRUE(app.json);
  EXPECT_FALSE(app.event_stream);
}

TEST(AcceptHeaderTest, NeitherAndRefused) {
  auto html = parse_accept("text/html");
  EXPECT_FALSE(html.json || html.event_stream);
  auto refused = parse_accept("application/json;q=0, text/html");
  EXPECT_FALSE(refused.json);
  auto weighted = parse_accept("application/json;q=0.5");
  EXPECT_TRUE(weighted.json);
}

}  // namespace
}  // namespace blender_bus::transport

namespace blender_bus::transport {
namespace {

TEST(AcceptHeaderTest, CaseSpacingAndZeroWeights) {
  auto upper = parse_accept("  Application/JSON ,TEXT/Event-Stream  ");
  EXPECT_TRUE(upper.json && upper.event_stream);
  EXPECT_FALSE(parse_accept("text/event-stream; q=0.000").event_stream);
  EXPECT_TRUE(parse_accept("text/event-stream; q=0.001").event_stream);
  EXPECT_TRUE(parse_accept("text/event-stream;level=1;q=1").event_stream);
  auto trailing = parse_accept("application/json,");
  EXPECT_TRUE(trailing.json);
  EXPECT_FALSE(trailing.event_stream);
}

}  // namespace
}  // namespace blender_bus::transport
