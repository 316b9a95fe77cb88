#include "cli/auth_client.hpp"

#include "cli/json_field.hpp"

#include <boost/json.hpp>
#include <chrono>

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);

asio::awaitable<TokenGrant> post_for_tokens(HttpConnection& connection, std::string path,
                                            const json::object& body) {
  HttpRequest request;
  request.method = "POST";
  request.target = connection.server().target(path);
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.body = json::serialize(body);
  auto response = co_await connection.exchange(request, kTimeout);
  const auto status = response.head.status;
  if (status == 400 || status == 401 || status == 403) {
    HttpError error(status, response.body, "POST " + path);
    throw AuthRefused(status, error.detail());
  }
  if (status != 200) throw HttpError(status, std::move(response.body), "POST " + path);
  boost::system::error_code ec;
  auto value = json::parse(response.body, ec);
  if (ec || !value.is_object())
    throw HttpError(status, response.body, "POST " + path + " (not JSON)");
  const auto& object = value.as_object();
  TokenGrant grant;
  grant.access_token = string_field(object, "access_token");
  if (grant.access_token.empty()) {
    throw HttpError(status, response.body, "POST " + path + " (no access_token)");
  }
  grant.refresh_token = string_field(object, "refresh_token");
  if (auto type = string_field(object, "token_type"); !type.empty()) grant.token_type = type;
  if (const auto* expires = object.if_contains("expires_in"); expires && expires->is_int64()) {
    grant.expires_in = expires->as_int64();
  }
  if (const auto* user = object.if_contains("user"); user && user->is_object()) {
    grant.username = string_field(user->as_object(), "username");
  }
  co_return grant;
}

}  // namespace

AuthRefused::AuthRefused(unsigned status, std::string detail)
    : std::runtime_error(detail), status_(status), detail_(std::move(detail)) {}

asio::awaitable<TokenGrant> login(HttpConnection& connection, const std::string& username,
                                  const std::string& password) {
  json::object body;
  body["username"] = username;
  body["password"] = password;
  co_return co_await post_for_tokens(connection, "/auth/login", body);
}

asio::awaitable<TokenGrant> refresh_tokens(HttpConnection& connection,
                                           const std::string& refresh_token) {
  json::object body;
  body["refresh_token"] = refresh_token;
  co_return co_await post_for_tokens(connection, "/auth/refresh", body);
}

}  // namespace blender_bus::cli
