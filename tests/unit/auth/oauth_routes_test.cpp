// The /oauth routes on the assembled auth layer, as the transport calls them:
// the sign-in and consent forms with their anti-CSRF pair, the redirect with
// code, state and iss, the token response, and what an OAuth token may not do
// on the /auth routes.
#include "auth/oauth_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "auth/auth_layer.hpp"
#include "auth/embedded_auth_stores.hpp"
#include "auth/form_fields.hpp"
#include "auth/pkce.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;
using testing::FakeClock;

constexpr std::string_view kVerifier = "verifier-verifier-verifier-verifier-verifier-0001";
constexpr std::string_view kRedirect = "http://127.0.0.1:5000/callback";

template <typename Routes>
HttpReply answer(const Routes& routes, HttpRequestView request) {
  auto promise = std::make_shared<std::promise<HttpReply>>();
  std::future<HttpReply> future = promise->get_future();
  EXPECT_TRUE(routes.handle(request, [promise](HttpReply r) { promise->set_value(std::move(r)); }))
      << request.path;
  return future.get();
}

std::string header(const HttpReply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

// A hidden field's value; the form writes them as name="N" value="V".
std::string hidden(const std::string& html, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const auto start = html.find(marker);
  if (start == std::string::npos) return {};
  const auto value = start + marker.size();
  const auto end = html.find('"', value);
  if (end == std::string::npos) return {};
  return html.substr(value, end - value);
}

class OAuthRoutesTest : public ::testing::Test {
 protected:
  OAuthRoutesTest() {
    layer_.users().add("alice", "alice-pw", {"user"}, {"read", "write"});
    layer_.directory().sync();
    const HttpReply r =
        answer(layer_.oauth_routes(), {"POST", "/oauth/register", "",
                                       R"({"redirect_uris":["http://127.0.0.1:1/callback"],)"
                                       R"("client_name":"Unit <client>"})"});
    EXPECT_EQ(r.status, 201u) << r.body;
    client_id_ = std::string(json::parse(r.body).at("client_id").as_string());
  }

  static AuthSettings settings(const std::filesystem::path& dir) {
    AuthSettings s;
    s.data_dir = dir;
    s.issuer = "http://127.0.0.1:8000";
    s.password_cost = PasswordHashCost::minimum();
    return s;
  }

  std::string query() const {
    return "response_type=code&client_id=" + client_id_ +
           "&redirect_uri=" + form_encode(kRedirect) +
           "&state=s1&code_challenge=" + pkce_s256_challenge(kVerifier) +
           "&code_challenge_method=S256";
  }

  // GET the sign-in page: its cookie and its csrf field.
  std::pair<std::string, std::string> sign_in_page() const {
    HttpRequestView get{"GET", "/oauth/authorize", "", ""};
    get.query = query();
    const HttpReply page = answer(layer_.oauth_routes(), get);
    EXPECT_EQ(page.status, 200u) << page.body;
    EXPECT_EQ(header(page, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");
    const std::string set_cookie = header(page, "Set-Cookie");
    EXPECT_NE(set_cookie.find("HttpOnly; SameSite=Lax"), std::string::npos);
    return {set_cookie.substr(0, set_cookie.find(';')), hidden(page.body, "csrf")};
  }

  HttpReply post_form(const std::string& body, const std::string& cookie) const {
    HttpRequestView post{"POST", "/oauth/authorize", "", body, "127.0.0.1"};
    post.cookie = cookie;
    return answer(layer_.oauth_routes(), post);
  }

  // Signs in and approves; the redirect's Location.
  std::string approve() const {
    const auto [cookie, csrf] = sign_in_page();
    const HttpReply consent = post_form(
        query() + "&step=login&username=alice&password=alice-pw&csrf=" + form_encode(csrf), cookie);
    EXPECT_EQ(consent.status, 200u) << consent.body;
    EXPECT_NE(consent.body.find("Unit &lt;client&gt;"), std::string::npos);
    const HttpReply approved = post_form(
        "step=consent&decision=approve&ticket=" + form_encode(hidden(consent.body, "ticket")) +
            "&csrf=" + form_encode(csrf),
        cookie);
    EXPECT_EQ(approved.status, 303u) << approved.body;
    return header(approved, "Location");
  }

  json::object token_for(const std::string& location) const {
    const auto params = parse_form_fields(location.substr(location.find('?') + 1));
    const HttpReply r =
        answer(layer_.oauth_routes(), {"POST", "/oauth/token", "",
                                       "grant_type=authorization_code&client_id=" + client_id_ +
                                           "&code=" + std::string(field(*params, "code")) +
                                           "&redirect_uri=" + form_encode(kRedirect) +
                                           "&code_verifier=" + std::string(kVerifier)});
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    return json::parse(r.body).as_object();
  }

  testing::TempDir dir_;
  FakeClock clock_;
  store::Database db_{store::Database::file_in(dir_.path())};
  EmbeddedAuthStores stores_{db_, dir_.path(), PasswordHashCost::minimum(), clock_.clock()};
  AuthLayer layer_{stores_.stores(), settings(dir_.path()), clock_.clock()};
  std::string client_id_;
};

TEST_F(OAuthRoutesTest, ServesTheMetadata) {
  const HttpReply r =
      answer(layer_.oauth_routes(), {"GET", "/.well-known/oauth-authorization-server", "", ""});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body).at("issuer"), "http://127.0.0.1:8000");
  EXPECT_EQ(answer(layer_.oauth_routes(), {"DELETE", "/oauth/token", "", ""}).status, 405u);
}

TEST_F(OAuthRoutesTest, ApprovalRedirectsWithCodeStateAndIss) {
  const std::string location = approve();
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?code=", 0), 0u) << location;
  EXPECT_NE(location.find("&state=s1&iss=http://127.0.0.1:8000"), std::string::npos) << location;
  const json::object tokens = token_for(location);
  EXPECT_EQ(tokens.at("token_type"), "Bearer");
  const std::string bearer = "Bearer " + std::string(tokens.at("access_token").as_string());
  EXPECT_TRUE(std::holds_alternative<Principal>(layer_.authenticator().authenticate(bearer)));
}

TEST_F(OAuthRoutesTest, AFormWithoutTheCookiesTagIsRefused) {
  const auto [cookie, csrf] = sign_in_page();
  const std::string login = query() + "&step=login&username=alice&password=alice-pw";
  EXPECT_EQ(post_form(login, cookie).status, 403u);                             // no field
  EXPECT_EQ(post_form(login + "&csrf=" + form_encode(csrf), "").status, 403u);  // no cookie
  EXPECT_EQ(post_form(login + "&csrf=x" + form_encode(csrf), cookie).status, 403u);
  EXPECT_EQ(post_form(login + "&csrf=" + form_encode(csrf),
                      "bb_oauth_csrf=0123456789abcdef0123456789abcdef")
                .status,
            403u);
  // A consent ticket from another browser's sign-in is refused too.
  const HttpReply consent = post_form(login + "&csrf=" + form_encode(csrf), cookie);
  const auto [other_cookie, other_csrf] = sign_in_page();
  EXPECT_EQ(post_form("step=consent&decision=approve&ticket=" +
                          form_encode(hidden(consent.body, "ticket")) +
                          "&csrf=" + form_encode(other_csrf),
                      other_cookie)
                .status,
            403u);
}

TEST_F(OAuthRoutesTest, AnOAuthTokenMayNotLogOutNorManageTokens) {
  const json::object tokens = token_for(approve());
  const std::string bearer = "Bearer " + std::string(tokens.at("access_token").as_string());
  const HttpReply logout = answer(layer_.routes(), {"POST", "/auth/logout", bearer, ""});
  EXPECT_EQ(logout.status, 400u) << logout.body;
  EXPECT_EQ(answer(layer_.routes(), {"GET", "/auth/tokens", bearer, ""}).status, 403u);
  EXPECT_EQ(answer(layer_.routes(), {"GET", "/auth/profile", bearer, ""}).status, 200u);
}

}  // namespace
}  // namespace blender_bus::auth
