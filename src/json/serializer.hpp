#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace blender_bus::json {

// The one writer of JSON text that goes on the wire: compact, like
// boost::json::serialize (same string escaping, keys in insertion order), but
// with every double written as Python's json.dumps writes it (see
// python_float.hpp), as the original server's clients expect. Throws
// std::domain_error for a NaN or an infinity (input that could hold one is
// refused first: find_non_finite). Recursive: values parsed by Boost.JSON
// are at most 32 levels deep.
//
// Named apart from boost::json::serialize (which writes 1.5E0) so that
// neither can be called for the other: inside a layer `json::` is usually
// the alias of boost::json, and `json::to_text` then fails to compile.
std::string to_text(const boost::json::value& value);
std::string to_text(const boost::json::object& object);
std::string to_text(const boost::json::array& array);

// Appends to `out`, for callers that build a larger text around the value.
void append_text(std::string& out, const boost::json::value& value);
void append_text(std::string& out, const boost::json::object& object);

// A JSON string literal: "…" with ", \ and control characters escaped.
std::string quoted(std::string_view text);
void append_quoted(std::string& out, std::string_view text);

}  // namespace blender_bus::json
