#include "metrics/exposition.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace blender_bus::metrics {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Go's ParseFloat reads what std::to_chars writes (shortest round trip);
// non-finite values are spelled as the format wants.
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    std::array<char, 32> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), end);
  }
}

}  // namespace

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  append_escaped(text_, help, false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void Exposition::series(std::string_view name, std::string_view suffix,
                        std::initializer_list<Label> labels, std::string_view le) {
  text_ += name;
  text_ += suffix;
  if (labels.size() == 0 && le.empty()) {
    text_ += ' ';
    return;
  }
  text_ += '{';
  bool first = true;
  const auto label = [&](std::string_view key, std::string_view value) {
    if (!first) text_ += ',';
    first = false;
    text_ += key;
    text_ += "=\"";
    append_escaped(text_, value, true);
    text_ += '"';
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!le.empty()) label("le", le);
  text_ += "} ";
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  series(name, "", labels);
  append_number(text_, value);
  text_ += '\n';
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels,
                        std::uint64_t value) {
  series(name, "", labels);
  text_ += std::to_string(value);
  text_ += '\n';
}

void Exposition::histogram(std::string_view name, std::initializer_list<Label> labels,
                           const Buckets& buckets, const Histogram::Reading& reading) {
  for (std::size_t i = 0; i <= buckets.size(); ++i) {
    std::string le;
    append_number(le, i < buckets.size() ? buckets[i] : INFINITY);
    series(name, "_bucket", labels, le);
    text_ += std::to_string(reading.cumulative[i]);
    text_ += '\n';
  }
  series(name, "_sum", labels);
  append_number(text_, reading.sum_seconds);
  text_ += '\n';
  series(name, "_count", labels);
  text_ += std::to_string(reading.cumulative.back());
  text_ += '\n';
}

}  // namespace blender_bus::metrics
