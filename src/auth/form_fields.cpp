#include "auth/form_fields.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace blender_bus::auth {

std::optional<FormFields> parse_form_fields(std::string_view text) {
  FormFields out;
  if (text.empty()) return out;
  auto params = boost::urls::parse_query(text);
  if (!params) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (const auto& encoded : *params) {
    if (encoded.key.empty()) continue;
    std::string key = encoded.key.decode(opts);
    std::string value = encoded.has_value ? encoded.value.decode(opts) : std::string();
    if (!out.emplace(std::move(key), std::move(value)).second) return std::nullopt;
  }
  return out;
}

std::string_view field(const FormFields& fields, std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string_view() : std::string_view(it->second);
}

std::string form_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

}  // namespace blender_bus::auth
