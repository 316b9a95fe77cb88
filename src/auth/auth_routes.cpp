#include "auth/auth_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "auth/access_policy.hpp"
#include "auth/route_authorization.hpp"
#include "auth/worker_reply.hpp"

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

HttpReply with_retry_after(HttpReply reply, std::chrono::seconds after) {
  reply.headers.emplace_back("Retry-After", std::to_string(after.count()));
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

json::value optional_time(const std::optional<std::int64_t>& t) {
  return t ? json::value(*t) : json::value(nullptr);
}

json::object token_json(const PersonalTokenRecord& record) {
  return {{"name", record.name},
          {"scopes", to_json(record.scopes)},
          {"created_at", record.created_at},
          {"expires_at", optional_time(record.expires_at)},
          {"last_used_at", optional_time(record.last_used_at)}};
}

unsigned problem_status(PersonalTokenProblem::Kind kind) {
  switch (kind) {
    case PersonalTokenProblem::Kind::invalid:
      return 400;
    case PersonalTokenProblem::Kind::not_found:
      return 404;
    case PersonalTokenProblem::Kind::conflict:
      return 409;
  }
  return 400;
}

// The user a /auth/tokens request acts for, or the reply that refuses it.
std::variant<Principal, HttpReply> token_manager(const RequestAuthenticator& authenticator,
                                                 std::string_view authorization) {
  auto outcome = authorize(authenticator, authorization, may_manage_tokens,
                           "Managing tokens needs a login, not a personal access token");
  if (auto* refusal = std::get_if<HttpReply>(&outcome); refusal && refusal->status == 401) {
    refusal->headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return outcome;
}

// The "scopes" field: absent or null for the default, else a list of strings.
std::variant<std::optional<std::vector<std::string>>, HttpReply> scopes_field(
    const json::object& body) {
  const json::value* v = body.if_contains("scopes");
  if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>{};
  if (!v->is_array()) return detail(400, "scopes must be a list of strings");
  std::vector<std::string> scopes;
  for (const json::value& item : v->as_array()) {
    if (!item.is_string()) return detail(400, "scopes must be a list of strings");
    scopes.emplace_back(item.as_string());
  }
  return std::optional<std::vector<std::string>>{std::move(scopes)};
}

constexpr std::string_view kTokensPath = "/auth/tokens";

}  // namespace

bool AuthRoutes::handle(const HttpRequestView& request, Reply reply) const {
  struct Route {
    std::string_view path;
    std::string_view method;
    void (AuthRoutes::*handler)(const HttpRequestView&, Reply) const;
  };
  static constexpr Route kRoutes[] = {
      {"/auth/login", "POST", &AuthRoutes::login},
      {"/auth/refresh", "POST", &AuthRoutes::refresh},
      {"/auth/logout", "POST", &AuthRoutes::logout},
      {"/auth/profile", "GET", &AuthRoutes::profile},
  };
  // /auth/tokens has two methods and /auth/tokens/{name} a name in the path.
  try {
    if (request.path == kTokensPath) {
      if (request.method == "GET") return list_tokens(request, reply), true;
      if (request.method == "POST") return create_token(request, reply), true;
      HttpReply answer = detail(405, "Method Not Allowed");
      answer.headers.emplace_back("Allow", "GET, POST");
      return reply(std::move(answer)), true;
    }
    if (request.path.starts_with(std::string(kTokensPath) + "/")) {
      if (request.method != "DELETE") {
        HttpReply answer = detail(405, "Method Not Allowed");
        answer.headers.emplace_back("Allow", "DELETE");
        return reply(std::move(answer)), true;
      }
      return revoke_token(request, request.path.substr(kTokensPath.size() + 1), reply), true;
    }
  } catch (const std::exception& e) {
    spdlog::error("auth: {} failed: {}", request.path, e.what());
    reply(detail(500, "Internal server error"));
    return true;
  }
  for (const Route& route : kRoutes) {
    if (request.path != route.path) continue;
    if (request.method != route.method) {
      HttpReply answer = detail(405, "Method Not Allowed");
      answer.headers.emplace_back("Allow", std::string(route.method));
      reply(std::move(answer));
      return true;
    }
    // What runs here touches no store; an exception is still a 500, never a
    // reset connection.
    try {
      (this->*route.handler)(request, reply);
    } catch (const std::exception& e) {
      spdlog::error("auth: {} failed: {}", request.path, e.what());
      reply(detail(500, "Internal server error"));
    }
    return true;
  }
  return false;
}

void AuthRoutes::on_worker(std::string path, std::function<HttpReply()> work, Reply reply,
                           std::function<void()> abandoned) const {
  reply_from_worker(*workers_, std::move(path), std::move(work), std::move(reply),
                    std::move(abandoned));
}

void AuthRoutes::login(const HttpRequestView& request, Reply reply) const {
  auto parsed = parse_object(request.body);
  if (auto* error = std::get_if<HttpReply>(&parsed)) return reply(std::move(*error));
  const json::object& body = std::get<json::object>(parsed);
  auto username = string_field(body, "username");
  if (auto* error = std::get_if<HttpReply>(&username)) return reply(std::move(*error));
  auto password = string_field(body, "password");
  if (auto* error = std::get_if<HttpReply>(&password)) return reply(std::move(*error));
  auto& user = std::get<std::optional<std::string>>(username);
  auto& pass = std::get<std::optional<std::string>>(password);
  if (!user || !pass) return reply(detail(400, "username and password required"));

  auto admission = throttle_->admit(*user, request.client_address);
  if (const auto* refused = std::get_if<LoginThrottle::Refused>(&admission)) {
    // The same answer for every name, known or not, and no hash work.
    return reply(
        with_retry_after(detail(429, "Too many failed logins; retry later"), refused->retry_after));
  }
  auto attempt = std::make_shared<LoginThrottle::Attempt>(
      std::move(std::get<LoginThrottle::Attempt>(admission)));
  AuthService* service = service_;
  LoginThrottle* throttle = throttle_;
  on_worker(
      request.path,
      [service, throttle, attempt, user = std::move(*user), pass = std::move(*pass)] {
        auto success = service->login(user, pass);
        if (!success) {
          throttle->failed(*attempt);
          spdlog::info("auth: failed login");  // no name: it may be a mistyped password
          return detail(401, "Invalid credentials");
        }
        throttle->succeeded(*attempt);
        spdlog::info("auth: '{}' logged in", success->user.username);
        return no_store(json_reply(200, {{"access_token", success->tokens.access.token},
                                         {"refresh_token", success->tokens.refresh.token},
                                         {"token_type", "bearer"},
                                         {"expires_in", seconds(service->access_lifetime())},
                                         {"user", user_json(success->user.principal())}}));
      },
      std::move(reply), [throttle, attempt] { throttle->abandoned(*attempt); });
}

void AuthRoutes::refresh(const HttpRequestView& request, Reply reply) const {
  auto parsed = parse_object(request.body);
  if (auto* error = std::get_if<HttpReply>(&parsed)) return reply(std::move(*error));
  auto token = string_field(std::get<json::object>(parsed), "refresh_token");
  if (auto* error = std::get_if<HttpReply>(&token)) return reply(std::move(*error));
  auto& refresh_token = std::get<std::optional<std::string>>(token);
  if (!refresh_token) return reply(detail(400, "refresh_token required"));

  AuthService* service = service_;
  on_worker(
      request.path,
      [service, refresh_token = std::move(*refresh_token)] {
        auto outcome = service->refresh(refresh_token);
        if (auto* failure = std::get_if<RefreshFailure>(&outcome)) {
          return detail(401, failure->detail);
        }
        const TokenPair& pair = std::get<TokenPair>(outcome);
        return no_store(json_reply(200, {{"access_token", pair.access.token},
                                         {"refresh_token", pair.refresh.token},
                                         {"token_type", "bearer"},
                                         {"expires_in", seconds(service->access_lifetime())}}));
      },
      std::move(reply));
}

void AuthRoutes::logout(const HttpRequestView& request, Reply reply) const {
  auto outcome = authenticator_->authenticate(request.authorization);
  if (auto* failure = std::get_if<AuthFailure>(&outcome)) {
    return reply(detail(401, failure->detail));
  }
  if (uses_personal_token(std::get<Principal>(outcome))) {
    return reply(
        detail(400, "A personal access token is revoked by name: DELETE /auth/tokens/{name}"));
  }
  // An assistant's sign-in ends at the revocation endpoint, not everywhere.
  if (uses_scoped_credential(std::get<Principal>(outcome))) {
    return reply(detail(400, "An OAuth token is revoked at POST /oauth/revoke"));
  }
  AuthService* service = service_;
  on_worker(
      request.path,
      [service, user_id = std::get<Principal>(outcome).user_id] {
        service->logout(user_id);
        spdlog::info("auth: '{}' logged out", user_id);
        return json_reply(200, {{"message", "Logged out"}});
      },
      std::move(reply));
}

void AuthRoutes::profile(const HttpRequestView& request, Reply reply) const {
  auto outcome = authenticator_->authenticate(request.authorization);
  if (auto* failure = std::get_if<AuthFailure>(&outcome)) {
    return reply(detail(401, failure->detail));
  }
  const Principal& principal = std::get<Principal>(outcome);
  if (!may_use_bus(principal)) {
    return reply(detail(403, "This token's scopes include neither read nor write"));
  }
  reply(json_reply(200, user_json(principal)));
}

void AuthRoutes::list_tokens(const HttpRequestView& request, Reply reply) const {
  auto who = token_manager(*authenticator_, request.authorization);
  if (auto* refusal = std::get_if<HttpReply>(&who)) return reply(std::move(*refusal));
  PersonalTokens* tokens = &personal_tokens_.tokens;
  on_worker(
      request.path,
      [tokens, username = std::get<Principal>(who).user_id] {
        json::array out;
        for (const PersonalTokenRecord& record : tokens->list(username)) {
          out.emplace_back(token_json(record));
        }
        return no_store(json_reply(200, {{"tokens", std::move(out)}}));
      },
      std::move(reply));
}

void AuthRoutes::create_token(const HttpRequestView& request, Reply reply) const {
  auto who = token_manager(*authenticator_, request.authorization);
  if (auto* refusal = std::get_if<HttpReply>(&who)) return reply(std::move(*refusal));
  auto parsed = parse_object(request.body);
  if (auto* error = std::get_if<HttpReply>(&parsed)) return reply(std::move(*error));
  const json::object& body = std::get<json::object>(parsed);
  auto name = string_field(body, "name");
  if (auto* error = std::get_if<HttpReply>(&name)) return reply(std::move(*error));
  auto expires = string_field(body, "expires");
  if (auto* error = std::get_if<HttpReply>(&expires)) return reply(std::move(*error));
  auto scopes = scopes_field(body);
  if (auto* error = std::get_if<HttpReply>(&scopes)) return reply(std::move(*error));
  PersonalTokenRequest wanted;
  wanted.username = std::get<Principal>(who).user_id;
  wanted.name = std::get<std::optional<std::string>>(name).value_or("");
  wanted.scopes = std::move(std::get<std::optional<std::vector<std::string>>>(scopes));
  if (const auto& text = std::get<std::optional<std::string>>(expires)) {
    auto lifetime = parse_token_lifetime(*text);
    if (auto* problem = std::get_if<std::string>(&lifetime)) return reply(detail(400, *problem));
    wanted.lifetime = std::get<TokenLifetime>(lifetime);
  }
  PersonalTokenAccess access = personal_tokens_;
  on_worker(
      request.path,
      [access, wanted = std::move(wanted)] {
        auto created = access.tokens.create(wanted);
        if (auto* problem = std::get_if<PersonalTokenProblem>(&created)) {
          return detail(problem_status(problem->kind), problem->detail);
        }
        access.directory.sync();
        const CreatedPersonalToken& token = std::get<CreatedPersonalToken>(created);
        spdlog::info("auth: '{}' created personal access token '{}'", wanted.username,
                     token.record.name);
        json::object out = token_json(token.record);
        out["token"] = token.token;
        out["token_type"] = "bearer";
        return no_store(json_reply(201, out));
      },
      std::move(reply));
}

void AuthRoutes::revoke_token(const HttpRequestView& request, std::string name, Reply reply) const {
  auto who = token_manager(*authenticator_, request.authorization);
  if (auto* refusal = std::get_if<HttpReply>(&who)) return reply(std::move(*refusal));
  PersonalTokenAccess access = personal_tokens_;
  on_worker(
      request.path,
      [access, username = std::get<Principal>(who).user_id, name = std::move(name)] {
        if (auto problem = access.tokens.revoke(username, name)) {
          return detail(problem_status(problem->kind), problem->detail);
        }
        access.directory.sync();  // refused from here on; the listener ends the sessions
        spdlog::info("auth: '{}' revoked personal access token '{}'", username, name);
        return json_reply(200, {{"message", "Token revoked"}});
      },
      std::move(reply));
}

}  // namespace blender_bus::auth
