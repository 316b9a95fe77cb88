#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "metrics/histogram.hpp"

namespace blender_bus::metrics {

using Label = std::pair<std::string_view, std::string_view>;

// The Prometheus text exposition format, version 0.0.4: a family's HELP and
// TYPE lines, then its samples. Label values and help text are escaped as
// the format says (backslash, double quote and newline in values; backslash
// and newline in help).
class Exposition {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // `type`: counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  // A histogram's _bucket (with le), _sum and _count samples for one label set.
  void histogram(std::string_view name, std::initializer_list<Label> labels, const Buckets& buckets,
                 const Histogram::Reading& reading);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void series(std::string_view name, std::string_view suffix, std::initializer_list<Label> labels,
              std::string_view le = {});
  std::string text_;
};

}  // namespace blender_bus::metrics
