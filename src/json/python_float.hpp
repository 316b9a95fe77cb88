#pragma once

#include <cstddef>
#include <string>

namespace blender_bus::json {

// The most characters write_python_float writes: "-1.7976931348623157e+308".
inline constexpr std::size_t kPythonFloatMaxChars = 24;

// Writes `value` at `out` as Python's repr() and json.dumps() write a float:
// the shortest decimal that reads back as the same double, in fixed notation
// with at least one fractional digit ("0.0", "123.0", "1796125004.967525"),
// or, when the decimal exponent is below -4 or at least 16, in exponent form
// with a signed exponent of at least two digits ("1e-07", "1e+16",
// "1.5e+300"). Returns the end of what it wrote (at most
// kPythonFloatMaxChars). Throws std::domain_error for NaN and infinities,
// which JSON cannot carry, writing nothing. Costs one std::to_chars call.
char* write_python_float(char* out, double value);

// The same, appended to a string.
void append_python_float(std::string& out, double value);

}  // namespace blender_bus::json
