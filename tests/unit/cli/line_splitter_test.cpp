#include "cli/line_splitter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace blender_bus::cli {
namespace {

struct Collected {
  std::vector<std::string> lines;
  int overflows = 0;
};

void feed(LineSplitter& splitter, std::string_view bytes, Collected& out) {
  splitter.feed(
      bytes, [&](std::string&& line) { out.lines.push_back(std::move(line)); },
      [&] { ++out.overflows; });
}

TEST(LineSplitter, LinesAcrossPiecesWithLfOrCrLfAndNoEmptyOnes) {
  LineSplitter splitter(100);
  Collected out;
  feed(splitter, "{\"a\":", out);
  feed(splitter, "1}\n\n{\"b\":2}\r", out);
  feed(splitter, "\n{\"c\"", out);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(splitter.finish(), std::optional<std::string>("{\"c\""));
  EXPECT_EQ(splitter.finish(), std::nullopt);
  EXPECT_EQ(out.overflows, 0);
}

TEST(LineSplitter, AnOversizedLineIsDroppedWholeOnceAndTheNextOneIsRead) {
  LineSplitter splitter(8);
  Collected out;
  feed(splitter, "12345", out);
  feed(splitter, "6789012", out);  // over the limit mid-line
  feed(splitter, "345\nok\n", out);
  feed(splitter, "123456789\n", out);   // over the limit within one piece
  feed(splitter, "12345678\r\n", out);  // exactly the limit, CR not counted
  EXPECT_EQ(out.lines, (std::vector<std::string>{"ok", "12345678"}));
  EXPECT_EQ(out.overflows, 2);
}

TEST(LineSplitter, AnOversizedLastLineIsNotReturnedAtTheEnd) {
  LineSplitter splitter(4);
  Collected out;
  feed(splitter, "123456", out);
  EXPECT_EQ(out.overflows, 1);
  EXPECT_EQ(splitter.finish(), std::nullopt);
}

}  // namespace
}  // namespace blender_bus::cli
