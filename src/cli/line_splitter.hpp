#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::cli {

// Cuts a byte stream into newline-delimited lines, as they arrive in pieces
// of any size. A line longer than the limit is dropped whole (and reported
// once), so one oversized message cannot make the reader hold unbounded
// memory nor desynchronise the lines that follow it.
class LineSplitter {
 public:
  using LineHandler = std::function<void(std::string&& line)>;
  using OverflowHandler = std::function<void()>;

  explicit LineSplitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Calls `on_line` per complete line, without its "\n" or "\r\n"; empty
  // lines are skipped.
  void feed(std::string_view bytes, const LineHandler& on_line, const OverflowHandler& on_overflow);
  // At end of input: the last line when it had no newline.
  std::optional<std::string> finish();

 private:
  std::size_t max_line_bytes_;
  std::string line_;
  bool skipping_ = false;  // inside an oversized line, until its newline
};

}  // namespace blender_bus::cli
