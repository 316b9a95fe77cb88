#include "transport/sse_format.hpp"

#include <gtest/gtest.h>

namespace blender_bus::transport {
namespace {

TEST(SseFormatTest, EventWithIdIsOneBlock) {
  std::string out;
  append_sse_event(out, 42, R"({"a":1})");
  EXPECT_EQ(out, "id: 42\nevent: message\ndata: {\"a\":1}\n\n");
}

TEST(SseFormatTest, EventWithoutIdAndComment) {
  std::string out;
  append_sse_event(out, "{}");
  append_sse_comment(out, "keep-alive");
  EXPECT_EQ(out, "event: message\ndata: {}\n\n: keep-alive\n\n");
}

}  // namespace
}  // namespace blender_bus::transport
