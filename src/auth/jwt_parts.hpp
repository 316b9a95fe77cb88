#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/base64url.hpp"

namespace blender_bus::auth {

// Far above any token we issue or an identity provider sends; keeps hostile
// input from costing much.
inline constexpr std::size_t kMaxTokenBytes = 8192;

// A compact JWS split into its parts, decoded but not verified: what every
// check reads before (and to choose how) it verifies the signature. The two
// views point into the token text, which must outlive them.
struct JwtParts {
  boost::json::object header;
  boost::json::object claims;
  std::string_view signing_input;  // "<header>.<claims>", into the token
  std::string_view signature;      // the third part as sent (base64url); empty when unsigned
};

// Nullopt unless `token` is at most kMaxTokenBytes of three base64url parts
// whose first two are JSON objects.
std::optional<JwtParts> split_jwt(std::string_view token);

// A NumericDate: JSON integer or real, whole seconds.
std::optional<std::int64_t> numeric_date(const boost::json::object& claims, std::string_view name);

// The claim when it is a string, else "".
std::string string_claim(const boost::json::object& claims, std::string_view name);

// An absent list is empty; a present one must hold only strings.
std::optional<std::vector<std::string>> string_list_claim(const boost::json::object& claims,
                                                          std::string_view name);

}  // namespace blender_bus::auth
