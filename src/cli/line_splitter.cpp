#include "cli/line_splitter.hpp"

#include <utility>

namespace blender_bus::cli {

void LineSplitter::feed(std::string_view bytes, const LineHandler& on_line,
                        const OverflowHandler& on_overflow) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const auto piece = bytes.substr(0, newline);
    if (!skipping_) {
      if (line_.size() + piece.size() > max_line_bytes_ + 1) {  // +1: a trailing '\r'
        skipping_ = true;
        line_.clear();
        on_overflow();
      } else {
        line_.append(piece);
      }
    }
    if (newline == std::string_view::npos) return;
    bytes.remove_prefix(newline + 1);
    if (skipping_) {
      skipping_ = false;
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.size() > max_line_bytes_) {
      line_.clear();
      on_overflow();
      continue;
    }
    if (!line_.empty()) on_line(std::move(line_));
    line_.clear();
  }
}

std::optional<std::string> LineSplitter::finish() {
  if (skipping_ || line_.empty()) return std::nullopt;
  if (line_.back() == '\r') line_.pop_back();
  if (line_.empty() || line_.size() > max_line_bytes_) return std::nullopt;
  return std::exchange(line_, {});
}

}  // namespace blender_bus::cli
