#include "auth/auth_routes.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

HttpReply json_reply(unsigned status, const json::object& body) {
  return {status, json::serialize(body), {}};
}

HttpReply detail(unsigned status, std::string_view text) {
  HttpReply reply = json_reply(status, {{"detail", text}});
  if (status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer");
  return reply;
}

HttpReply no_store(HttpReply reply) {
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

json::array to_json(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

json::object user_json(const Principal& p) {
  return {{"user_id", p.user_id},
          {"username", p.username},
          {"roles", to_json(p.roles)},
          {"scopes", to_json(p.scopes)}};
}

std::int64_t seconds(std::chrono::seconds s) {
  return s.count();
}

// The body as a JSON object, or the 400 reply that says why it is not one.
std::variant<json::object, HttpReply> parse_object(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return detail(400, "Request body must be valid JSON");
  if (!value.is_object()) return detail(400, "Request body must be a JSON object");
  return std::move(value.as_object());
}

// A string field: nullopt when absent, null or empty (SPEC's "missing"), the
// error reply when present with another type.
std::variant<std::optional<std::string>, HttpReply> string_field(const json::object& body,
                                                                 std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return detail(400, std::string(name) + " must be a string");
  if (v->as_string().empty()) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(v->as_string())};
}

}  // namespace

std::optional<HttpReply> AuthRoutes::handle(const HttpRequestView& request) const {
  struct Route {
    std::string_view path;
    std::string_view method;
    HttpReply (AuthRoutes::*handler)(const HttpRequestView&) const;
  };
  static constexpr Route kRoutes[] = {
      {"/auth/login", "POST", &AuthRoutes::login},
      {"/auth/refresh", "POST", &AuthRoutes::refresh},
      {"/auth/logout", "POST", &AuthRoutes::logout},
      {"/auth/profile", "GET", &AuthRoutes::profile},
  };
  for (const Route& route : kRoutes) {
    if (request.path != route.path) continue;
    if (request.method != route.method) {
      HttpReply reply = detail(405, "Method Not Allowed");
      reply.headers.emplace_back("Allow", std::string(route.method));
      return reply;
    }
    return (this->*route.handler)(request);
  }
  return std::nullopt;
}

HttpReply AuthRoutes::login(const HttpRequestView& request) const {
  auto parsed = parse_object(request.body);
  if (auto* error = std::get_if<HttpReply>(&parsed)) return std::move(*error);
  const json::object& body = std::get<json::object>(parsed);
  auto username = string_field(body, "username");
  if (auto* error = std::get_if<HttpReply>(&username)) return std::move(*error);
  auto password = string_field(body, "password");
  if (auto* error = std::get_if<HttpReply>(&password)) return std::move(*error);
  const auto& user = std::get<std::optional<std::string>>(username);
  const auto& pass = std::get<std::optional<std::string>>(password);
  if (!user || !pass) return detail(400, "username and password required");

  auto success = service_->login(*user, *pass);
  if (!success) {
    spdlog::info("auth: failed login");  // no name: it may be a mistyped password
    return detail(401, "Invalid credentials");
  }
  spdlog::info("auth: '{}' logged in", success->user.username);
  return no_store(json_reply(200, {{"access_token", success->tokens.access.token},
                                   {"refresh_token", success->tokens.refresh.token},
                                   {"token_type", "bearer"},
                                   {"expires_in", seconds(service_->access_lifetime())},
                                   {"user", user_json(success->user.principal())}}));
}

HttpReply AuthRoutes::refresh(const HttpRequestView& request) const {
  auto parsed = parse_object(request.body);
  if (auto* error = std::get_if<HttpReply>(&parsed)) return std::move(*error);
  auto token = string_field(std::get<json::object>(parsed), "refresh_token");
  if (auto* error = std::get_if<HttpReply>(&token)) return std::move(*error);
  const auto& refresh_token = std::get<std::optional<std::string>>(token);
  if (!refresh_token) return detail(400, "refresh_token required");

  auto outcome = service_->refresh(*refresh_token);
  if (auto* failure = std::get_if<RefreshFailure>(&outcome)) return detail(401, failure->detail);
  const TokenPair& pair = std::get<TokenPair>(outcome);
  return no_store(json_reply(200, {{"access_token", pair.access.token},
                                   {"refresh_token", pair.refresh.token},
                                   {"token_type", "bearer"},
                                   {"expires_in", seconds(service_->access_lifetime())}}));
}

HttpReply AuthRoutes::logout(const HttpRequestView& request) const {
  auto outcome = authenticator_->authenticate(request.authorization);
  if (auto* failure = std::get_if<AuthFailure>(&outcome)) return detail(401, failure->detail);
  const Principal& principal = std::get<Principal>(outcome);
  service_->logout(principal.user_id);
  spdlog::info("auth: '{}' logged out", principal.user_id);
  return json_reply(200, {{"message", "Logged out"}});
}

HttpReply AuthRoutes::profile(const HttpRequestView& request) const {
  auto outcome = authenticator_->authenticate(request.authorization);
  if (auto* failure = std::get_if<AuthFailure>(&outcome)) return detail(401, failure->detail);
  return json_reply(200, user_json(std::get<Principal>(outcome)));
}

}  // namespace blender_bus::auth
