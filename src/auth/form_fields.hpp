#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// The fields of an application/x-www-form-urlencoded body or a query string,
// decoded ('+' as space). nullopt when malformed or when a field appears
// twice: OAuth parameters must not be repeated (RFC 6749 §3.1, §3.2).
using FormFields = std::map<std::string, std::string, std::less<>>;
std::optional<FormFields> parse_form_fields(std::string_view text);

// The field's value, "" when absent.
std::string_view field(const FormFields& fields, std::string_view name);

// `text` percent-encoded for a query component.
std::string form_encode(std::string_view text);

}  // namespace blender_bus::auth
