#pragma once

#include <string>

namespace blender_bus::json {

// Appends `value` as Python's repr() and json.dumps() write a float: the
// shortest decimal that reads back as the same double, in fixed notation
// with at least one fractional digit ("0.0", "123.0", "1796125004.967525"),
// or, when the decimal exponent is below -4 or at least 16, in exponent form
// with a signed exponent of at least two digits ("1e-07", "1e+16",
// "1.5e+300"). Throws std::domain_error for NaN and infinities, which JSON
// cannot carry. Costs one std::to_chars call and a copy of at most 24 bytes.
void append_python_float(std::string& out, double value);

}  // namespace blender_bus::json
