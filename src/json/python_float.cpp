#include "json/python_float.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace blender_bus::json {

void append_python_float(std::string& out, double value) {
  if (!std::isfinite(value)) throw std::domain_error("JSON cannot carry NaN or infinity");
  // Shortest round-trip digits, as d[.ddd]e±XX[X]: the digits and the
  // exponent are all Python's repr needs.
  char scientific[32];
  const auto written = std::to_chars(scientific, scientific + sizeof scientific, value,
                                     std::chars_format::scientific);
  const char* const begin = scientific;
  const char* const end = written.ptr;
  const char* const e = std::find(begin, end, 'e');
  int exponent = 0;
  std::from_chars(e + 2, end, exponent);
  if (e[1] == '-') exponent = -exponent;
  if (exponent < -4 || exponent >= 16) {
    out.append(begin, end);  // already Python's form: 1e-07, 1.5e+300
    return;
  }
  const char* first = begin;
  if (*first == '-') {
    out += '-';
    ++first;
  }
  char digits[20];
  int count = 0;
  for (const char* c = first; c != e; ++c) {
    if (*c != '.') digits[count++] = *c;
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out.append(digits, static_cast<std::size_t>(count));
  } else if (point < count) {
    out.append(digits, static_cast<std::size_t>(point));
    out += '.';
    out.append(digits + point, static_cast<std::size_t>(count - point));
  } else {
    out.append(digits, static_cast<std::size_t>(count));
    out.append(static_cast<std::size_t>(point - count), '0');
    out += ".0";
  }
}

}  // namespace blender_bus::json
