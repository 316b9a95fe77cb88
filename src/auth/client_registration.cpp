#include "auth/client_registration.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "auth/redirect_uri.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxRedirects = 10;
constexpr std::size_t kMaxNameLength = 100;

RegistrationError metadata_error(std::string description) {
  return {"invalid_client_metadata", std::move(description)};
}

// A list of strings, or nullopt when the field has another shape.
std::optional<std::vector<std::string>> string_list(const json::value& value) {
  if (!value.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& item : value.as_array()) {
    if (!item.is_string()) return std::nullopt;
    out.emplace_back(item.as_string());
  }
  return out;
}

// The field's list, `fallback` when absent, nullopt when malformed.
std::optional<std::vector<std::string>> list_field(const json::object& request,
                                                   std::string_view name,
                                                   std::vector<std::string> fallback) {
  const json::value* v = request.if_contains(name);
  if (v == nullptr || v->is_null()) return fallback;
  return string_list(*v);
}

bool subset_of(const std::vector<std::string>& items, std::initializer_list<std::string_view> set) {
  return std::all_of(items.begin(), items.end(), [&set](const std::string& item) {
    return std::find(set.begin(), set.end(), item) != set.end();
  });
}

bool native_redirect(const std::string& uri) {
  return is_loopback_redirect(uri) || (!uri.starts_with("https:") && !uri.starts_with("http:"));
}

}  // namespace

std::variant<OAuthClient, RegistrationError> read_client_registration(const json::object& request) {
  OAuthClient client;
  const json::value* redirects = request.if_contains("redirect_uris");
  auto uris = redirects ? string_list(*redirects) : std::nullopt;
  if (!uris || uris->empty()) {
    return RegistrationError{"invalid_redirect_uri", "redirect_uris must be a list of URIs"};
  }
  if (uris->size() > kMaxRedirects) {
    return RegistrationError{"invalid_redirect_uri", "at most 10 redirect_uris"};
  }
  client.redirect_uris = std::move(*uris);

  if (const json::value* v = request.if_contains("application_type"); v && !v->is_null()) {
    if (!v->is_string() || (v->as_string() != "native" && v->as_string() != "web")) {
      return metadata_error("application_type must be \"native\" or \"web\"");
    }
    client.application_type = v->as_string();
  } else {
    const bool native =
        std::all_of(client.redirect_uris.begin(), client.redirect_uris.end(), native_redirect);
    client.application_type = native ? "native" : "web";
  }
  const bool native = client.application_type == "native";
  for (const std::string& uri : client.redirect_uris) {
    if (auto problem = redirect_uri_problem(uri, native); !problem.empty()) {
      return RegistrationError{"invalid_redirect_uri", problem + ": " + uri.substr(0, 200)};
    }
    // OpenID Connect Registration §2: a web client does not use loopback.
    if (!native && is_loopback_redirect(uri)) {
      return RegistrationError{"invalid_redirect_uri",
                               "a web application may not redirect to loopback; register it as "
                               "application_type \"native\""};
    }
  }

  if (const json::value* v = request.if_contains("token_endpoint_auth_method");
      v && !v->is_null() && !(v->is_string() && v->as_string() == "none")) {
    return metadata_error(
        "only public clients are registered: token_endpoint_auth_method "
        "must be \"none\"");
  }
  auto grants = list_field(request, "grant_types", {"authorization_code", "refresh_token"});
  if (!grants || !subset_of(*grants, {"authorization_code", "refresh_token"}) ||
      std::find(grants->begin(), grants->end(), "authorization_code") == grants->end()) {
    return metadata_error("grant_types must be authorization_code, with refresh_token optional");
  }
  auto responses = list_field(request, "response_types", {"code"});
  if (!responses || !subset_of(*responses, {"code"})) {
    return metadata_error("response_types must be [\"code\"]");
  }
  if (const json::value* v = request.if_contains("client_name"); v && !v->is_null()) {
    if (!v->is_string()) return metadata_error("client_name must be a string");
    if (v->as_string().size() > kMaxNameLength) {
      return metadata_error("client_name is longer than 100 characters");
    }
    client.client_name = v->as_string();
  }
  return client;
}

json::object client_registration_response(const OAuthClient& client) {
  json::array uris;
  for (const auto& uri : client.redirect_uris) uris.emplace_back(uri);
  json::object out{{"client_id", client.client_id},
                   {"client_id_issued_at", client.created_at},
                   {"redirect_uris", std::move(uris)},
                   {"grant_types", json::array{"authorization_code", "refresh_token"}},
                   {"response_types", json::array{"code"}},
                   {"token_endpoint_auth_method", "none"},
                   {"application_type", client.application_type}};
  if (!client.client_name.empty()) out["client_name"] = client.client_name;
  return out;
}

}  // namespace blender_bus::auth
