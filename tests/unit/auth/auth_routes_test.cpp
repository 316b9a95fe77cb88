#include "auth/auth_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <memory>

#include "auth/auth_layer.hpp"
#include "auth/embedded_auth_stores.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::FakeClock;

constexpr const char* kOdd = R"(o'hara"; DROP TABLE users;--;)";

// The reply of `routes` to `request`, waited for (it may come from a worker);
// nullopt when the path is not theirs.
std::optional<HttpReply> answer(const AuthRoutes& routes, HttpRequestView request) {
  auto promise = std::make_shared<std::promise<HttpReply>>();
  std::future<HttpReply> future = promise->get_future();
  if (!routes.handle(request,
                     [promise](HttpReply reply) { promise->set_value(std::move(reply)); })) {
    return std::nullopt;
  }
  return future.get();
}

// The assembled layer on a temporary data dir, as the server builds it.
class AuthRoutesTest : public ::testing::Test {
 protected:
  AuthRoutesTest() { layer_.users().add("alice", "alice-pw", {"user"}, {"read", "write"}); }

  static AuthSettings settings(const std::filesystem::path& dir) {
    AuthSettings s;
    s.data_dir = dir;
    s.issuer = "http://127.0.0.1:8000";
    s.password_cost = PasswordHashCost::minimum();
    return s;
  }

  HttpReply call(std::string method, std::string path, std::string body = "",
                 std::string authorization = "") const {
    auto reply = answer(layer_.routes(), {std::move(method), std::move(path),
                                          std::move(authorization), std::move(body)});
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(HttpReply{0, "", {}});
  }
  HttpReply post(std::string path, const json::value& body, std::string authorization = "") const {
    return call("POST", std::move(path), json::serialize(body), std::move(authorization));
  }
  json::object login_ok(const std::string& user, const std::string& password) const {
    const HttpReply r = post("/auth/login", {{"username", user}, {"password", password}});
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body).as_object();
  }
  static std::string str(const json::object& o, const char* key) {
    return std::string(o.at(key).as_string());
  }
  static std::string header(const HttpReply& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }
  static void expect_401(const HttpReply& r, const std::string& body) {
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer");
  }

  testing::TempDir dir_;
  FakeClock clock_;
  store::Database db_{store::Database::file_in(dir_.path())};
  EmbeddedAuthStores stores_{db_, dir_.path(), PasswordHashCost::minimum(), clock_.clock()};
  AuthLayer layer_{stores_.stores(), settings(dir_.path()), clock_.clock()};
};

TEST_F(AuthRoutesTest, LoginAnswersTheExactSpecBody) {
  const HttpReply r = post("/auth/login", {{"username", "alice"}, {"password", "alice-pw"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::object body = json::parse(r.body).as_object();
  const std::string expected =
      R"({"access_token":")" + str(body, "access_token") + R"(","refresh_token":")" +
      str(body, "refresh_token") +
      R"(","token_type":"bearer","expires_in":1800,)"
      R"("user":{"user_id":"alice","username":"alice","roles":["user"],"scopes":["read","write"]}})";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  // The tokens are what they claim to be.
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(
      layer_.tokens().verify_access(str(body, "access_token"))));
  EXPECT_TRUE(std::holds_alternative<RefreshClaims>(
      layer_.tokens().verify_refresh(str(body, "refresh_token"))));
}

TEST_F(AuthRoutesTest, LoginWithMissingFieldsIs400) {
  for (const char* body :
       {R"({})", R"({"username":"alice"})", R"({"password":"alice-pw"})",
        R"({"username":"","password":"alice-pw"})", R"({"username":"alice","password":""})",
        R"({"username":null,"password":"alice-pw"})"}) {
    const HttpReply r = call("POST", "/auth/login", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(r.body, R"({"detail":"username and password required"})") << body;
  }
}

TEST_F(AuthRoutesTest, LoginWithWrongTypesIs400) {
  HttpReply r = call("POST", "/auth/login", R"({"username":42,"password":"alice-pw"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"detail":"username must be a string"})");
  r = call("POST", "/auth/login", R"({"username":"alice","password":["alice-pw"]})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"detail":"password must be a string"})");
}

TEST_F(AuthRoutesTest, MalformedBodiesAre400) {
  for (const char* body : {"", "{", "not json", "{\"username\":\"a\",}", "\xff\xfe"}) {
    const HttpReply r = call("POST", "/auth/login", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(r.body, R"({"detail":"Request body must be valid JSON"})") << body;
  }
  for (const char* body : {"[]", "\"alice\"", "42", "null"}) {
    const HttpReply r = call("POST", "/auth/refresh", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(r.body, R"({"detail":"Request body must be a JSON object"})") << body;
  }
}

TEST_F(AuthRoutesTest, WrongPasswordIs401) {
  expect_401(post("/auth/login", {{"username", "alice"}, {"password", "nope"}}),
             R"({"detail":"Invalid credentials"})");
}

TEST_F(AuthRoutesTest, UnknownUserIs401AndCostsAVerificationToo) {
  const auto start = layer_.hasher().verifications();
  expect_401(post("/auth/login", {{"username", "alice"}, {"password", "wrong"}}),
             R"({"detail":"Invalid credentials"})");
  const auto known = layer_.hasher().verifications() - start;
  expect_401(post("/auth/login", {{"username", "mallory"}, {"password", "wrong"}}),
             R"({"detail":"Invalid credentials"})");
  const auto unknown = layer_.hasher().verifications() - start - known;
  EXPECT_EQ(known, 1u);
  EXPECT_EQ(unknown, 1u);
}

TEST_F(AuthRoutesTest, AMebibytePasswordIsAClean401) {
  expect_401(post("/auth/login", {{"username", "alice"}, {"password", std::string(1 << 20, 'a')}}),
             R"({"detail":"Invalid credentials"})");
}

TEST_F(AuthRoutesTest, QuotesAndSemicolonsInAUsernameAreJustCharacters) {
  ASSERT_TRUE(layer_.users().add(kOdd, "odd-pw", {"user"}, {}));
  const json::object body = login_ok(kOdd, "odd-pw");
  EXPECT_EQ(body.at("user").at("user_id").as_string(), kOdd);
  expect_401(post("/auth/login", {{"username", "alice' OR '1'='1"}, {"password", "x"}}),
             R"({"detail":"Invalid credentials"})");
  expect_401(post("/auth/login", {{"username", "alice\"; --"}, {"password", "alice-pw"}}),
             R"({"detail":"Invalid credentials"})");
  EXPECT_EQ(layer_.users().count(), 2u);
}

TEST_F(AuthRoutesTest, RefreshRotatesBothTokens) {
  const json::object first = login_ok("alice", "alice-pw");
  clock_.advance(1s);  // so that new tokens differ in iat as well as jti
  const HttpReply r = post("/auth/refresh", {{"refresh_token", str(first, "refresh_token")}});
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::object second = json::parse(r.body).as_object();
  EXPECT_EQ(r.body, R"({"access_token":")" + str(second, "access_token") +
                        R"(","refresh_token":")" + str(second, "refresh_token") +
                        R"(","token_type":"bearer","expires_in":1800})");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_NE(str(second, "access_token"), str(first, "access_token"));
  EXPECT_NE(str(second, "refresh_token"), str(first, "refresh_token"));
  // The old refresh token is revoked; the new one works.
  expect_401(post("/auth/refresh", {{"refresh_token", str(first, "refresh_token")}}),
             R"({"detail":"Invalid refresh token"})");
  EXPECT_EQ(post("/auth/refresh", {{"refresh_token", str(second, "refresh_token")}}).status, 200u);
  // The new access token is accepted as a bearer.
  EXPECT_EQ(call("GET", "/auth/profile", "", "Bearer " + str(second, "access_token")).status, 200u);
}

TEST_F(AuthRoutesTest, AnAccessTokenAtRefreshIsNotARefreshToken) {
  const json::object tokens = login_ok("alice", "alice-pw");
  expect_401(post("/auth/refresh", {{"refresh_token", str(tokens, "access_token")}}),
             R"({"detail":"Not a refresh token"})");
}

TEST_F(AuthRoutesTest, GarbageExpiredOrForeignRefreshTokensAreInvalid) {
  expect_401(post("/auth/refresh", {{"refresh_token", "garbage"}}),
             R"({"detail":"Invalid refresh token"})");
  // Well signed but never stored (e.g. issued before the store was reset).
  expect_401(
      post("/auth/refresh", {{"refresh_token", layer_.tokens().issue_refresh("alice").token}}),
      R"({"detail":"Invalid refresh token"})");
  const json::object tokens = login_ok("alice", "alice-pw");
  clock_.advance(7 * 24h);
  expect_401(post("/auth/refresh", {{"refresh_token", str(tokens, "refresh_token")}}),
             R"({"detail":"Invalid refresh token"})");
}

TEST_F(AuthRoutesTest, RefreshForADeletedUserIsUserNotFound) {
  const json::object tokens = login_ok("alice", "alice-pw");
  layer_.users().remove("alice");
  expect_401(post("/auth/refresh", {{"refresh_token", str(tokens, "refresh_token")}}),
             R"({"detail":"User not found"})");
}

TEST_F(AuthRoutesTest, RefreshBodyProblemsAre400) {
  HttpReply r = call("POST", "/auth/refresh", "{}");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"detail":"refresh_token required"})");
  r = call("POST", "/auth/refresh", R"({"refresh_token":7})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"detail":"refresh_token must be a string"})");
}

TEST_F(AuthRoutesTest, LogoutRevokesEveryRefreshTokenOfTheUser) {
  const json::object a = login_ok("alice", "alice-pw");
  const json::object b = login_ok("alice", "alice-pw");
  const HttpReply r = call("POST", "/auth/logout", "", "Bearer " + str(a, "access_token"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"message":"Logged out"})");
  for (const auto* tokens : {&a, &b}) {
    expect_401(post("/auth/refresh", {{"refresh_token", str(*tokens, "refresh_token")}}),
               R"({"detail":"Invalid refresh token"})");
  }
  // Logging in again works.
  login_ok("alice", "alice-pw");
}

TEST_F(AuthRoutesTest, LogoutRevokesTheAccessTokensAtOnce) {
  const json::object a = login_ok("alice", "alice-pw");
  const json::object b = login_ok("alice", "alice-pw");
  EXPECT_EQ(call("POST", "/auth/logout", "", "Bearer " + str(a, "access_token")).status, 200u);
  for (const auto* tokens : {&a, &b}) {
    expect_401(call("GET", "/auth/profile", "", "Bearer " + str(*tokens, "access_token")),
               R"({"detail":"Invalid token: token has been revoked"})");
  }
  const json::object again = login_ok("alice", "alice-pw");
  EXPECT_EQ(call("GET", "/auth/profile", "", "Bearer " + str(again, "access_token")).status, 200u);
}

TEST_F(AuthRoutesTest, RepeatedFailuresAre429WithRetryAfterAlikeForUnknownNames) {
  const auto attempt = [this](const char* name, const char* address) {
    return answer(
               layer_.routes(),
               {"POST", "/auth/login", "",
                json::serialize(json::object{{"username", name}, {"password", "wrong"}}), address})
        .value();
  };
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(attempt("alice", "192.0.2.1").status, 401u);
    EXPECT_EQ(attempt("nobody", "192.0.2.2").status, 401u);
  }
  const HttpReply known = attempt("alice", "192.0.2.1");
  const HttpReply unknown = attempt("nobody", "192.0.2.2");
  EXPECT_EQ(known.status, 429u);
  EXPECT_EQ(known.body, R"({"detail":"Too many failed logins; retry later"})");
  EXPECT_EQ(header(known, "Retry-After"), "1");
  EXPECT_EQ(unknown.status, known.status);
  EXPECT_EQ(unknown.body, known.body);
  EXPECT_EQ(unknown.headers, known.headers);
  // Elsewhere alice is welcome.
  EXPECT_EQ(answer(layer_.routes(), {"POST", "/auth/login", "",
                                     R"({"username":"alice","password":"alice-pw"})", "192.0.2.3"})
                ->status,
            200u);
}

TEST_F(AuthRoutesTest, AFullWorkerQueueIs503WithRetryAfter) {
  AuthSettings s = settings(dir_.path());
  s.worker_threads = 1;
  s.max_worker_jobs = 1;
  EmbeddedAuthStores layer_stores(db_, dir_.path(), PasswordHashCost::minimum(), clock_.clock());
  AuthLayer layer(layer_stores.stores(), s, clock_.clock());
  const HttpRequestView login{"POST", "/auth/login", "",
                              R"({"username":"alice","password":"alice-pw"})"};
  std::promise<HttpReply> first;
  {
    // The one worker waits for the store, which this test holds.
    store::Connection held = db_.lock();
    ASSERT_TRUE(layer.routes().handle(login, [&](HttpReply r) { first.set_value(std::move(r)); }));
    const HttpReply busy = answer(layer.routes(), login).value();
    EXPECT_EQ(busy.status, 503u);
    EXPECT_EQ(busy.body, R"({"detail":"Server busy; retry shortly"})");
    EXPECT_EQ(header(busy, "Retry-After"), "1");
  }
  EXPECT_EQ(first.get_future().get().status, 200u);
}

TEST_F(AuthRoutesTest, AFailingStoreIs500AndIsNotCountedAsAFailedLogin) {
  // Another process holds the write lock; this server's store gives up soon.
  store::Database other(store::Database::file_in(dir_.path()));
  store::Database impatient(store::Database::file_in(dir_.path()),
                            store::DatabaseOptions{std::chrono::milliseconds(20)});
  EmbeddedAuthStores layer_stores(impatient, dir_.path(), PasswordHashCost::minimum(),
                                  clock_.clock());
  AuthLayer layer(layer_stores.stores(), settings(dir_.path()), clock_.clock());
  const json::object tokens = login_ok("alice", "alice-pw");
  const HttpRequestView login{"POST", "/auth/login", "",
                              R"({"username":"alice","password":"alice-pw"})", "192.0.2.9"};
  {
    store::Connection c = other.lock();
    store::Transaction lock = c.transaction(store::TransactionMode::immediate);
    for (int i = 0; i < 8; ++i) {
      const HttpReply r = answer(layer.routes(), login).value();
      EXPECT_EQ(r.status, 500u);
      EXPECT_EQ(r.body, R"({"detail":"Internal server error"})");
    }
    const HttpReply refresh =
        answer(layer.routes(),
               {"POST", "/auth/refresh", "",
                json::serialize(json::object{{"refresh_token", str(tokens, "refresh_token")}})})
            .value();
    EXPECT_EQ(refresh.status, 500u);
  }
  EXPECT_EQ(answer(layer.routes(), login)->status, 200u);
}

TEST_F(AuthRoutesTest, LogoutAndProfileNeedABearer) {
  for (const auto& [method, path] : {std::pair{"POST", "/auth/logout"}, {"GET", "/auth/profile"}}) {
    expect_401(call(method, path), R"({"detail":"Bearer token required"})");
    expect_401(call(method, path, "", "Bearer"), R"({"detail":"Bearer token required"})");
    expect_401(call(method, path, "", "Bearer garbage"),
               R"({"detail":"Invalid token: malformed token"})");
    const json::object tokens = login_ok("alice", "alice-pw");
    expect_401(call(method, path, "", "Bearer " + str(tokens, "refresh_token")),
               R"({"detail":"Invalid token: refresh token used as access token"})");
  }
}

TEST_F(AuthRoutesTest, ProfileAnswersTheExactSpecBody) {
  const json::object tokens = login_ok("alice", "alice-pw");
  const HttpReply r = call("GET", "/auth/profile", "", "Bearer " + str(tokens, "access_token"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body,
            R"({"user_id":"alice","username":"alice","roles":["user"],"scopes":["read","write"]})");
}

TEST_F(AuthRoutesTest, AnExpiredAccessTokenIsRefusedAtProfile) {
  const json::object tokens = login_ok("alice", "alice-pw");
  clock_.advance(30min);
  expect_401(call("GET", "/auth/profile", "", "Bearer " + str(tokens, "access_token")),
             R"({"detail":"Invalid token: token has expired"})");
}

TEST_F(AuthRoutesTest, AnotherMethodOnAKnownPathIs405) {
  HttpReply r = call("GET", "/auth/login");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(header(r, "Allow"), "POST");
  r = call("POST", "/auth/profile");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(header(r, "Allow"), "GET");
}

TEST_F(AuthRoutesTest, OtherPathsAreNotOurs) {
  for (const char* path : {"/mcp", "/auth", "/auth/", "/auth/login/", "/AUTH/LOGIN", "/health"}) {
    EXPECT_FALSE(answer(layer_.routes(), {"POST", path, "", "{}"}).has_value()) << path;
  }
}

TEST_F(AuthRoutesTest, TheSecretIsKeptForTheNextStart) {
  // A restart on the same data dir accepts tokens issued before it.
  const json::object tokens = login_ok("alice", "alice-pw");
  EmbeddedAuthStores restarted_stores(db_, dir_.path(), PasswordHashCost::minimum(),
                                      clock_.clock());
  AuthLayer restarted(restarted_stores.stores(), settings(dir_.path()), clock_.clock());
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(
      restarted.tokens().verify_access(str(tokens, "access_token"))));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "secret.key"));
}

TEST_F(AuthRoutesTest, AConfiguredSecretIsUsedInsteadOfTheFile) {
  AuthSettings s = settings(dir_.path());
  s.secret_key = "configured-secret-configured-secret";
  EmbeddedAuthStores configured_stores(db_, dir_.path(), PasswordHashCost::minimum(),
                                       clock_.clock());
  AuthLayer configured(configured_stores.stores(), s, clock_.clock());
  const json::object tokens = login_ok("alice", "alice-pw");  // signed with the file's secret
  EXPECT_TRUE(std::holds_alternative<TokenError>(
      configured.tokens().verify_access(str(tokens, "access_token"))));
}

TEST_F(AuthRoutesTest, LifetimesComeFromTheSettings) {
  AuthSettings s = settings(dir_.path());
  s.access_token_expire_minutes = "5";
  EmbeddedAuthStores layer_stores(db_, dir_.path(), PasswordHashCost::minimum(), clock_.clock());
  AuthLayer layer(layer_stores.stores(), s, clock_.clock());
  const HttpReply r = answer(layer.routes(), {"POST", "/auth/login", "",
                                              R"({"username":"alice","password":"alice-pw"})"})
                          .value();
  EXPECT_EQ(json::parse(r.body).at("expires_in").as_int64(), 300);
}

}  // namespace
}  // namespace blender_bus::auth
