#include "json/python_float.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace blender_bus::json {

char* write_python_float(char* out, double value) {
  if (!std::isfinite(value)) throw std::domain_error("JSON cannot carry NaN or infinity");
  // Shortest round-trip digits, as [-]d[.ddd]e±XX[X]: the digits and the
  // exponent are all Python's repr needs.
  char scientific[32];
  const char* const begin = scientific;
  const char* const end = std::to_chars(scientific, scientific + sizeof scientific, value,
                                        std::chars_format::scientific)
                              .ptr;
  // The exponent is the last 2 or 3 digits, after 'e' and its sign.
  const char* e = end - 4;
  if (*e != 'e') --e;
  int exponent = 0;
  for (const char* d = e + 2; d != end; ++d) exponent = exponent * 10 + (*d - '0');
  if (e[1] == '-') exponent = -exponent;
  if (exponent < -4 || exponent >= 16) {  // already Python's form: 1e-07, 1.5e+300
    return std::copy(begin, end, out);
  }
  const char* first = begin;
  if (*first == '-') *out++ = *first++;
  // The significant digits: d, then those after the '.' of d.ddd.
  char digits[20];
  digits[0] = *first;
  const int count = e - first > 1 ? static_cast<int>(e - first) - 1 : 1;
  if (count > 1) std::memcpy(digits + 1, first + 2, static_cast<std::size_t>(count - 1));
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    *out++ = '0';
    *out++ = '.';
    out = std::fill_n(out, -point, '0');
    out = std::copy_n(digits, count, out);
  } else if (point < count) {
    out = std::copy_n(digits, point, out);
    *out++ = '.';
    out = std::copy_n(digits + point, count - point, out);
  } else {
    out = std::copy_n(digits, count, out);
    out = std::fill_n(out, point - count, '0');
    *out++ = '.';
    *out++ = '0';
  }
  return out;
}

void append_python_float(std::string& out, double value) {
  char text[kPythonFloatMaxChars];
  const char* end = write_python_float(text, value);
  out.append(text, static_cast<std::size_t>(end - text));
}

}  // namespace blender_bus::json
