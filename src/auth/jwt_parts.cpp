#include "auth/jwt_parts.hpp"

#include <cmath>

#include "auth/base64url.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

std::optional<json::object> decode_json_object(std::string_view part) {
  const auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(*bytes, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

}  // namespace

std::optional<JwtParts> split_jwt(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = decode_json_object(token.substr(0, dot1));
  auto claims = decode_json_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !claims) return std::nullopt;
  return JwtParts{std::move(*header), std::move(*claims), token.substr(0, dot2),
                  token.substr(dot2 + 1)};
}

std::optional<std::int64_t> numeric_date(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  if (v->is_double() && std::isfinite(v->as_double()) && std::abs(v->as_double()) < 1e17) {
    return static_cast<std::int64_t>(std::floor(v->as_double()));
  }
  return std::nullopt;
}

std::string string_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::vector<std::string>> string_list_claim(const json::object& claims,
                                                          std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return out;
  if (!v->is_array()) return std::nullopt;
  for (const json::value& item : v->as_array()) {
    if (!item.is_string()) return std::nullopt;
    out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace blender_bus::auth
