#include "auth/oauth_routes.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "auth/authorization_request_check.hpp"
#include "auth/authorization_server_metadata.hpp"
#include "auth/client_metadata_document.hpp"
#include "auth/clock.hpp"
#include "auth/oauth_pages.hpp"
#include "auth/random_text.hpp"
#include "auth/redirect_uri.hpp"
#include "auth/worker_reply.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

constexpr std::string_view kCsrfCookie = "bb_oauth_csrf";
constexpr std::int64_t kTicketSeconds = 600;

HttpReply html(unsigned status, std::string body) {
  HttpReply reply{status, std::move(body), {}};
  reply.headers = {
      {"Content-Type", "text/html; charset=utf-8"},
      {"Cache-Control", "no-store"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"},
      {"Referrer-Policy", "no-referrer"},
  };
  return reply;
}

HttpReply dead_end(unsigned status, std::string_view title, std::string_view message) {
  return html(status, error_page_html(title, message));
}

HttpReply redirect(unsigned status, std::string location) {
  HttpReply reply{status, "", {{"Location", std::move(location)}, {"Cache-Control", "no-store"}}};
  return reply;
}

HttpReply oauth_json(unsigned status, const json::object& body) {
  return {status, json::serialize(body), {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}}};
}

HttpReply oauth_error(unsigned status, std::string_view error, std::string_view description) {
  return oauth_json(status, {{"error", error}, {"error_description", description}});
}

HttpReply method_not_allowed(std::string_view allow) {
  HttpReply reply{405, json::serialize(json::object{{"detail", "Method Not Allowed"}}), {}};
  reply.headers.emplace_back("Allow", std::string(allow));
  return reply;
}

// The value of cookie `name` in a Cookie header, "" when absent.
std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

// A cookie value we could have set: 32 hex digits.
bool plausible_cookie(std::string_view value) {
  return value.size() == 32 &&
         value.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

HttpReply refusal_redirect(const AuthorizationRefusal& refusal, std::string_view issuer) {
  return redirect(302, authorization_redirect(
                           refusal.redirect_uri,
                           {{"error", refusal.error}, {"error_description", refusal.description}},
                           refusal.state, issuer));
}

// Where a metadata document client is published (its id's host), "" for a
// registered one: the name in a document is the client's own claim, its host
// is not.
std::string client_site(const OAuthClient& client) {
  return is_client_id_url(client.client_id) ? redirect_host(client.client_id) : std::string();
}

// The hidden fields that carry a checked request through the sign-in form.
HiddenFields request_fields(const AuthorizationRequest& request) {
  return {{"response_type", "code"},
          {"client_id", request.client_id},
          {"redirect_uri", request.redirect_uri},
          {"state", request.state},
          {"code_challenge", request.code_challenge},
          {"code_challenge_method", "S256"},
          {"scope", joined(request.scopes)},
          {"resource", request.resource}};
}

json::object ticket_json(const AuthorizationRequest& request, std::string_view username,
                         std::string_view binding, std::int64_t expires) {
  json::array scopes;
  for (const auto& scope : request.scopes) scopes.emplace_back(scope);
  return {{"user", username},
          {"exp", expires},
          {"bind", binding},
          {"client_id", request.client_id},
          {"redirect_uri", request.redirect_uri},
          {"state", request.state},
          {"challenge", request.code_challenge},
          {"scopes", std::move(scopes)},
          {"resource", request.resource}};
}

struct Ticket {
  AuthorizationRequest request;
  std::string username;
  std::string binding;
  std::int64_t expires = 0;
};

std::optional<Ticket> read_ticket(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const json::object& o = value.as_object();
  try {
    Ticket t;
    t.username = o.at("user").as_string();
    t.expires = o.at("exp").to_number<std::int64_t>();
    t.binding = o.at("bind").as_string();
    t.request.client_id = o.at("client_id").as_string();
    t.request.redirect_uri = o.at("redirect_uri").as_string();
    t.request.state = o.at("state").as_string();
    t.request.code_challenge = o.at("challenge").as_string();
    for (const auto& scope : o.at("scopes").as_array())
      t.request.scopes.emplace_back(scope.as_string());
    t.request.resource = o.at("resource").as_string();
    return t;
  } catch (const std::exception&) {
    return std::nullopt;  // only we seal tickets; a bad one is a bug, refused all the same
  }
}

}  // namespace

OAuthRoutes::OAuthRoutes(AuthorizationServer& server, UserStore& users, LoginThrottle& throttle,
                         RegistrationThrottle& registrations, const CorsPolicy& cors,
                         WorkerPool& workers, std::string_view secret)
    : server_(&server),
      users_(&users),
      throttle_(&throttle),
      registrations_(&registrations),
      cors_(&cors),
      workers_(&workers),
      seal_(secret),
      secure_cookie_(server.issuer().starts_with("https:")) {}

bool OAuthRoutes::handle(const HttpRequestView& request, Reply reply) const {
  struct Route {
    std::string_view path;
    std::string_view method;
    void (OAuthRoutes::*handler)(const HttpRequestView&, Reply) const;
  };
  static constexpr Route kRoutes[] = {
      {kAuthorizationServerMetadataPath, "GET", &OAuthRoutes::metadata},
      {kRegisterPath, "POST", &OAuthRoutes::register_client},
      {kAuthorizePath, "GET", &OAuthRoutes::authorize_page},
      {kAuthorizePath, "POST", &OAuthRoutes::authorize_form},
      {kTokenPath, "POST", &OAuthRoutes::token},
      {kRevokePath, "POST", &OAuthRoutes::revoke},
  };
  const bool ours =
      std::any_of(std::begin(kRoutes), std::end(kRoutes),
                  [&request](const Route& route) { return request.path == route.path; });
  if (!ours) return false;
  if (auto preflight = cors_->preflight(request)) {
    reply(std::move(*preflight));
    return true;
  }
  if (CorsPolicy::covers(request.path)) {
    reply = [cors = cors_,
             request_view = HttpRequestView{"", request.path, "", "", "", "", "", request.origin},
             reply = std::move(reply)](HttpReply answer) {
      cors->decorate(request_view, answer);
      reply(std::move(answer));
    };
  }
  for (const Route& route : kRoutes) {
    if (request.path != route.path || request.method != route.method) continue;
    try {
      (this->*route.handler)(request, reply);
    } catch (const std::exception& e) {
      spdlog::error("oauth: {} failed: {}", request.path, e.what());
      reply(oauth_error(500, "server_error", "Internal server error"));
    }
    return true;
  }
  reply(method_not_allowed(request.path == kAuthorizePath                     ? "GET, POST"
                           : request.path == kAuthorizationServerMetadataPath ? "GET"
                                                                              : "POST"));
  return true;
}

void OAuthRoutes::metadata(const HttpRequestView&, Reply reply) const {
  reply(HttpReply{200,
                  authorization_server_metadata(server_->issuer(),
                                                server_->accepts_client_metadata_documents()),
                  {}});
}

void OAuthRoutes::register_client(const HttpRequestView& request, Reply reply) const {
  if (auto retry_after = registrations_->admit(request.client_address)) {
    spdlog::info("oauth: registration from {} refused: too many", request.client_address);
    HttpReply answer = oauth_error(429, "temporarily_unavailable",
                                   "too many client registrations from this address; retry after " +
                                       std::to_string(retry_after->count()) + " s");
    answer.headers.emplace_back("Retry-After", std::to_string(retry_after->count()));
    return reply(std::move(answer));
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    return reply(oauth_error(400, "invalid_client_metadata", "the body must be a JSON object"));
  }
  AuthorizationServer* server = server_;
  reply_from_worker(
      *workers_, request.path,
      [server, body = std::move(body.as_object())] {
        auto registered = server->register_client(body);
        if (auto* error = std::get_if<RegistrationError>(&registered)) {
          return oauth_error(400, error->error, error->description);
        }
        const OAuthClient& client = std::get<OAuthClient>(registered);
        spdlog::info("oauth: registered client {} ('{}', {})", client.client_id, client.client_name,
                     client.application_type);
        return oauth_json(201, client_registration_response(client));
      },
      std::move(reply));
}

void OAuthRoutes::authorize_page(const HttpRequestView& request, Reply reply) const {
  auto fields = parse_form_fields(request.query);
  if (!fields) {
    return reply(dead_end(400, "Bad request",
                          "The sign-in request is malformed (a parameter is repeated)."));
  }
  std::string cookie = cookie_value(request.cookie, kCsrfCookie);
  if (!plausible_cookie(cookie)) cookie = random_hex(16);
  std::string set_cookie = std::string(kCsrfCookie) + "=" + cookie +
                           "; Path=/oauth; HttpOnly; SameSite=Lax" +
                           (secure_cookie_ ? "; Secure" : "");
  const AuthorizationServer* server = server_;
  const std::string csrf = seal_.tag("csrf " + cookie);
  reply_from_worker(
      *workers_, request.path,
      [server, fields = std::move(*fields), csrf, set_cookie = std::move(set_cookie)] {
        const ClientLookup lookup = server->lookup_client(field(fields, "client_id"));
        if (!lookup.problem.empty()) return dead_end(400, "Cannot sign in", lookup.problem);
        const auto& client = lookup.client;
        auto checked = check_authorization_request(fields, client, server->resource());
        if (auto* end = std::get_if<AuthorizationDeadEnd>(&checked)) {
          return dead_end(400, "Cannot sign in", end->message);
        }
        if (auto* refusal = std::get_if<AuthorizationRefusal>(&checked)) {
          return refusal_redirect(*refusal, server->issuer());
        }
        const auto& checked_request = std::get<AuthorizationRequest>(checked);
        LoginPage page{client->client_name, redirect_host(checked_request.redirect_uri),
                       request_fields(checked_request), "", ""};
        page.client_site = client_site(*client);
        page.fields.emplace_back("step", "login");
        page.fields.emplace_back("csrf", csrf);
        HttpReply answer = html(200, login_page_html(page));
        answer.headers.emplace_back("Set-Cookie", set_cookie);
        return answer;
      },
      std::move(reply));
}

void OAuthRoutes::authorize_form(const HttpRequestView& request, Reply reply) const {
  auto form = parse_form_fields(request.body);
  if (!form) {
    return reply(dead_end(400, "Bad request", "The form is malformed (a field is repeated)."));
  }
  const std::string cookie = cookie_value(request.cookie, kCsrfCookie);
  const std::string expected = seal_.tag("csrf " + cookie);
  const std::string_view csrf = field(*form, "csrf");
  if (!plausible_cookie(cookie) || csrf.size() != expected.size() ||
      sodium_memcmp(csrf.data(), expected.data(), expected.size()) != 0) {
    return reply(dead_end(403, "Form expired",
                          "This form did not come from this browser's sign-in page, or it "
                          "expired. Start again from the application."));
  }
  const std::string_view step = field(*form, "step");
  if (step == "login") return login(request, *form, std::move(reply));
  if (step == "consent") return consent(*form, cookie, std::move(reply));
  reply(dead_end(400, "Bad request", "The form names no step."));
}

void OAuthRoutes::login(const HttpRequestView& request, const FormFields& form, Reply reply) const {
  std::string username(field(form, "username"));
  std::string password(field(form, "password"));
  auto admission = throttle_->admit(username, request.client_address);
  if (const auto* refused = std::get_if<LoginThrottle::Refused>(&admission)) {
    HttpReply answer = dead_end(429, "Too many attempts",
                                "Too many failed sign-ins from here. Wait " +
                                    std::to_string(refused->retry_after.count()) +
                                    " seconds, then start again from the application.");
    answer.headers.emplace_back("Retry-After", std::to_string(refused->retry_after.count()));
    return reply(std::move(answer));
  }
  auto attempt = std::make_shared<LoginThrottle::Attempt>(
      std::move(std::get<LoginThrottle::Attempt>(admission)));
  const AuthorizationServer* server = server_;
  const UserStore* users = users_;
  LoginThrottle* throttle = throttle_;
  const FormSeal* seal = &seal_;
  const std::string cookie = cookie_value(request.cookie, kCsrfCookie);
  reply_from_worker(
      *workers_, request.path,
      [server, users, throttle, seal, attempt, form, cookie, username = std::move(username),
       password = std::move(password)] {
        const ClientLookup lookup = server->lookup_client(field(form, "client_id"));
        if (!lookup.problem.empty()) {
          throttle->abandoned(*attempt);
          return dead_end(400, "Cannot sign in", lookup.problem);
        }
        const auto& client = lookup.client;
        auto checked = check_authorization_request(form, client, server->resource());
        if (auto* end = std::get_if<AuthorizationDeadEnd>(&checked)) {
          throttle->abandoned(*attempt);
          return dead_end(400, "Cannot sign in", end->message);
        }
        if (auto* refusal = std::get_if<AuthorizationRefusal>(&checked)) {
          throttle->abandoned(*attempt);
          return refusal_redirect(*refusal, server->issuer());
        }
        const auto& checked_request = std::get<AuthorizationRequest>(checked);
        const std::string host = redirect_host(checked_request.redirect_uri);
        const auto user = username.empty() || password.empty()
                              ? std::nullopt
                              : users->verify_credentials(username, password);
        if (!user) {
          if (username.empty() || password.empty()) {
            throttle->abandoned(*attempt);
          } else {
            throttle->failed(*attempt);
            spdlog::info("oauth: failed sign-in");  // no name: it may be a mistyped password
          }
          LoginPage page{client->client_name, host, request_fields(checked_request), username,
                         username.empty() || password.empty() ? "Enter your username and password."
                                                              : "Wrong username or password."};
          page.client_site = client_site(*client);
          page.fields.emplace_back("step", "login");
          page.fields.emplace_back("csrf", std::string(field(form, "csrf")));
          return html(200, login_page_html(page));
        }
        throttle->succeeded(*attempt);
        AuthorizationRequest granted = checked_request;
        // Only what the user holds may be granted.
        std::erase_if(granted.scopes, [&user](const std::string& scope) {
          return std::find(user->scopes.begin(), user->scopes.end(), scope) == user->scopes.end();
        });
        if (granted.scopes.empty()) {
          return refusal_redirect({granted.redirect_uri, "invalid_scope",
                                   "the user holds none of the scopes asked for", granted.state},
                                  server->issuer());
        }
        const std::int64_t expires = unix_seconds(server->now()) + kTicketSeconds;
        const std::string ticket = seal->seal(json::serialize(
            ticket_json(granted, user->username, seal->tag("bind " + cookie), expires)));
        ConsentPage page{
            client->client_name, client->client_id, host,
            user->username,      granted.scopes,    {{"step", "consent"}, {"ticket", ticket}}};
        page.fields.emplace_back("csrf", std::string(field(form, "csrf")));
        return html(200, consent_page_html(page));
      },
      std::move(reply), [throttle, attempt] { throttle->abandoned(*attempt); });
}

void OAuthRoutes::consent(const FormFields& form, std::string_view cookie, Reply reply) const {
  auto text = seal_.open(field(form, "ticket"));
  auto ticket = text ? read_ticket(*text) : std::nullopt;
  if (!ticket || ticket->binding != seal_.tag("bind " + std::string(cookie))) {
    return reply(dead_end(403, "Form expired",
                          "This consent form is not this browser's. Start again from the "
                          "application."));
  }
  if (unix_seconds(server_->now()) >= ticket->expires) {
    return reply(dead_end(400, "Form expired",
                          "This consent form expired. Start again from the application."));
  }
  const std::string_view decision = field(form, "decision");
  if (decision == "deny") {
    spdlog::info("oauth: '{}' denied client {}", ticket->username, ticket->request.client_id);
    return reply(redirect(
        303, authorization_redirect(
                 ticket->request.redirect_uri,
                 {{"error", "access_denied"}, {"error_description", "the user denied the request"}},
                 ticket->request.state, server_->issuer())));
  }
  if (decision != "approve") {
    return reply(dead_end(400, "Bad request", "Choose Allow or Deny."));
  }
  AuthorizationServer* server = server_;
  reply_from_worker(
      *workers_, "/oauth/authorize",
      [server, ticket = std::move(*ticket)] {
        auto code = server->approve(ticket.request, ticket.username);
        if (!code) {
          return dead_end(400, "Cannot sign in",
                          "The application or the user no longer exists here.");
        }
        spdlog::info("oauth: '{}' approved client {}", ticket.username, ticket.request.client_id);
        return redirect(303, authorization_redirect(ticket.request.redirect_uri, {{"code", *code}},
                                                    ticket.request.state, server->issuer()));
      },
      std::move(reply));
}

void OAuthRoutes::token(const HttpRequestView& request, Reply reply) const {
  auto form = parse_form_fields(request.body);
  if (!form) {
    return reply(oauth_error(400, "invalid_request",
                             "the body must be form-encoded with no repeated parameter"));
  }
  TokenRequest wanted{
      std::string(field(*form, "grant_type")),    std::string(field(*form, "client_id")),
      std::string(field(*form, "code")),          std::string(field(*form, "redirect_uri")),
      std::string(field(*form, "code_verifier")), std::string(field(*form, "refresh_token")),
      std::string(field(*form, "resource")),      std::string(field(*form, "scope"))};
  AuthorizationServer* server = server_;
  reply_from_worker(
      *workers_, request.path,
      [server, wanted = std::move(wanted)] {
        auto outcome = server->exchange(wanted);
        if (auto* error = std::get_if<OAuthError>(&outcome)) {
          spdlog::info("oauth: token request refused: {} ({})", error->error, error->description);
          return oauth_error(error->status, error->error, error->description);
        }
        const OAuthTokens& tokens = std::get<OAuthTokens>(outcome);
        return oauth_json(200, {{"access_token", tokens.access.token},
                                {"token_type", "Bearer"},
                                {"expires_in", server->access_lifetime().count()},
                                {"refresh_token", tokens.refresh_token},
                                {"scope", joined(tokens.scopes)}});
      },
      std::move(reply));
}

void OAuthRoutes::revoke(const HttpRequestView& request, Reply reply) const {
  auto form = parse_form_fields(request.body);
  if (!form || field(*form, "token").empty()) {
    return reply(oauth_error(400, "invalid_request", "token required"));
  }
  AuthorizationServer* server = server_;
  reply_from_worker(
      *workers_, request.path,
      [server, token = std::string(field(*form, "token")),
       client_id = std::string(field(*form, "client_id"))] {
        server->revoke(token, client_id);
        return HttpReply{200, "", {{"Cache-Control", "no-store"}}};
      },
      std::move(reply));
}

}  // namespace blender_bus::auth
