// The authorization server on a real (in-memory) store: consent, code
// exchange with PKCE, refresh rotation and reuse, revocation, audiences.
#include "auth/authorization_server.hpp"
#include "auth/sqlite_user_store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/bearer_authenticator.hpp"
#include "auth/personal_token_directory.hpp"
#include "auth/pkce.hpp"
#include "auth/sqlite_oauth_client_store.hpp"
#include "auth/sqlite_oauth_grant_store.hpp"
#include "auth/sqlite_personal_token_store.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

constexpr std::string_view kVerifier = "a-verifier-of-at-least-forty-three-characters-0123";
constexpr std::string_view kIssuer = "http://127.0.0.1:8000";
constexpr std::string_view kRedirect = "http://127.0.0.1:7777/callback";

class AuthorizationServerTest : public ::testing::Test {
 protected:
  AuthorizationServerTest() {
    users_.add("alice", "alice-pw", {"user"}, {"read", "write"});
    directory_.sync();
    revoked_.on_revoked([this](const std::string& user) { revoked_for_.push_back(user); });
    auto registered = server_.register_client(
        boost::json::parse(R"({"redirect_uris":["http://127.0.0.1:1/callback"],)"
                           R"("client_name":"Test client","application_type":"native"})")
            .as_object());
    client_ = std::get<OAuthClient>(registered);
  }

  AuthorizationRequest request() const {
    return {client_.client_id, std::string(kRedirect), "state-1", pkce_s256_challenge(kVerifier),
            {"read", "write"}, server_.resource()};
  }

  TokenRequest code_exchange(const std::string& code) const {
    TokenRequest t;
    t.grant_type = "authorization_code";
    t.client_id = client_.client_id;
    t.code = code;
    t.redirect_uri = std::string(kRedirect);
    t.code_verifier = std::string(kVerifier);
    t.resource = server_.resource();
    return t;
  }

  TokenRequest refresh(const std::string& token) const {
    TokenRequest t;
    t.grant_type = "refresh_token";
    t.client_id = client_.client_id;
    t.refresh_token = token;
    return t;
  }

  OAuthTokens tokens_for(const TokenRequest& t) {
    auto outcome = server_.exchange(t);
    if (auto* e = std::get_if<OAuthError>(&outcome)) {
      ADD_FAILURE() << e->error << ": " << e->description;
      return {};
    }
    return std::get<OAuthTokens>(outcome);
  }

  std::string error_of(const TokenRequest& t) {
    auto outcome = server_.exchange(t);
    if (auto* e = std::get_if<OAuthError>(&outcome)) return e->error;
    return "accepted";
  }

  std::string judge(const std::string& access_token) const {
    auto outcome = bearer_.authenticate("Bearer " + access_token);
    if (auto* f = std::get_if<AuthFailure>(&outcome)) return f->detail;
    return "accepted";
  }

  OAuthTokens approved() { return tokens_for(code_exchange(*server_.approve(request(), "alice"))); }

  FakeClock clock_;
  store::Database db_{":memory:"};
  PasswordHasher hasher_{PasswordHashCost::minimum()};
  SqliteUserStore users_{db_, hasher_};
  SqliteOAuthClientStore clients_{db_};
  SqliteOAuthGrantStore grants_{db_};
  SqlitePersonalTokenStore personal_store_{db_};
  PersonalTokenDirectory personal_{personal_store_, users_, clock_.clock()};
  TokenService tokens_{{"authorization-server-test-secret-0123456789", std::string(kIssuer)},
                       clock_.clock()};
  UserDirectory directory_{users_};
  RevokedGrants revoked_{grants_, tokens_.config().access_lifetime, clock_.clock()};
  AuthorizationServer server_{clients_, grants_, users_, directory_, revoked_, tokens_};
  BearerAuthenticator bearer_{tokens_, directory_, personal_, server_.resource(), &revoked_};
  OAuthClient client_;
  std::vector<std::string> revoked_for_;
};

TEST_F(AuthorizationServerTest, ACodeBecomesTokensBoundToTheMcpEndpoint) {
  const OAuthTokens t = approved();
  EXPECT_EQ(t.scopes, (std::vector<std::string>{"read", "write"}));
  auto claims = tokens_.verify_access(t.access.token);
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(claims));
  const auto& c = std::get<AccessClaims>(claims);
  EXPECT_EQ(c.grant.audience, "http://127.0.0.1:8000/mcp");
  EXPECT_EQ(c.grant.client_id, client_.client_id);
  EXPECT_EQ(c.principal.user_id, "alice");
  EXPECT_EQ(c.principal.credential, Credential::oauth_token);
  EXPECT_EQ(judge(t.access.token), "accepted");
  ASSERT_EQ(server_.consented_clients("alice").size(), 1u);
  EXPECT_EQ(server_.consented_clients("alice")[0].client_name, "Test client");
}

TEST_F(AuthorizationServerTest, ACodeWorksOnceAndItsReuseRevokesTheGrant) {
  const std::string code = *server_.approve(request(), "alice");
  const OAuthTokens t = tokens_for(code_exchange(code));
  EXPECT_EQ(error_of(code_exchange(code)), "invalid_grant");
  EXPECT_EQ(judge(t.access.token), "Invalid token: token has been revoked");
  EXPECT_EQ(error_of(refresh(t.refresh_token)), "invalid_grant");
  EXPECT_EQ(revoked_for_, std::vector<std::string>{"alice"});
}

TEST_F(AuthorizationServerTest, TheVerifierRedirectAndClientMustMatch) {
  auto wrong_verifier = code_exchange(*server_.approve(request(), "alice"));
  wrong_verifier.code_verifier = "another-verifier-of-at-least-forty-three-chars-0123";
  EXPECT_EQ(error_of(wrong_verifier), "invalid_grant");
  auto wrong_redirect = code_exchange(*server_.approve(request(), "alice"));
  wrong_redirect.redirect_uri = "http://127.0.0.1:7778/callback";
  EXPECT_EQ(error_of(wrong_redirect), "invalid_grant");
  auto no_verifier = code_exchange(*server_.approve(request(), "alice"));
  no_verifier.code_verifier.clear();
  EXPECT_EQ(error_of(no_verifier), "invalid_request");
  auto unknown_client = code_exchange(*server_.approve(request(), "alice"));
  unknown_client.client_id = "nobody";
  EXPECT_EQ(error_of(unknown_client), "invalid_client");
  auto other_resource = code_exchange(*server_.approve(request(), "alice"));
  other_resource.resource = "https://elsewhere.example/mcp";
  EXPECT_EQ(error_of(other_resource), "invalid_target");
  auto grant_type = code_exchange("x");
  grant_type.grant_type = "password";
  EXPECT_EQ(error_of(grant_type), "unsupported_grant_type");
  EXPECT_EQ(error_of(code_exchange("not-a-code")), "invalid_grant");
}

TEST_F(AuthorizationServerTest, ACodeExpiresAfterAMinute) {
  const std::string code = *server_.approve(request(), "alice");
  clock_.advance(AuthorizationServer::kCodeLifetime);
  EXPECT_EQ(error_of(code_exchange(code)), "invalid_grant");
}

TEST_F(AuthorizationServerTest, RefreshRotatesAndAReusedOneRevokesTheFamily) {
  const OAuthTokens first = approved();
  const OAuthTokens second = tokens_for(refresh(first.refresh_token));
  EXPECT_NE(second.refresh_token, first.refresh_token);
  EXPECT_EQ(judge(second.access.token), "accepted");
  const OAuthTokens third = tokens_for(refresh(second.refresh_token));
  // The first token again: someone else holds a copy; the grant goes.
  EXPECT_EQ(error_of(refresh(first.refresh_token)), "invalid_grant");
  EXPECT_EQ(error_of(refresh(third.refresh_token)), "invalid_grant");
  EXPECT_EQ(judge(third.access.token), "Invalid token: token has been revoked");
  EXPECT_TRUE(server_.consented_clients("alice").empty());
  // Another grant of the same user and client is untouched.
  EXPECT_EQ(judge(approved().access.token), "accepted");
}

TEST_F(AuthorizationServerTest, RefreshMayNarrowTheScopeButNotWidenIt) {
  const OAuthTokens first = approved();
  auto narrow = refresh(first.refresh_token);
  narrow.scope = "read";
  const OAuthTokens read_only = tokens_for(narrow);
  EXPECT_EQ(read_only.scopes, std::vector<std::string>{"read"});
  auto wide = refresh(read_only.refresh_token);
  wide.scope = "read admin";
  EXPECT_EQ(error_of(wide), "invalid_scope");
}

TEST_F(AuthorizationServerTest, RevocationEndsTheGrantByEitherToken) {
  const OAuthTokens a = approved();
  server_.revoke(a.refresh_token, client_.client_id);
  EXPECT_EQ(judge(a.access.token), "Invalid token: token has been revoked");
  EXPECT_EQ(error_of(refresh(a.refresh_token)), "invalid_grant");
  const OAuthTokens b = approved();
  server_.revoke(b.access.token, "another-client");  // not its own: ignored
  EXPECT_EQ(judge(b.access.token), "accepted");
  server_.revoke(b.access.token, "");
  EXPECT_EQ(judge(b.access.token), "Invalid token: token has been revoked");
  server_.revoke("garbage", "");  // RFC 7009: nothing to say
}

TEST_F(AuthorizationServerTest, RevokingTheClientEndsEveryGrantToIt) {
  const OAuthTokens a = approved();
  const OAuthTokens b = approved();
  EXPECT_EQ(server_.consented_clients("alice")[0].grants, 2u);
  EXPECT_EQ(server_.revoke_client("alice", client_.client_id), 2);
  EXPECT_EQ(judge(a.access.token), "Invalid token: token has been revoked");
  EXPECT_EQ(judge(b.access.token), "Invalid token: token has been revoked");
  EXPECT_EQ(server_.revoke_client("alice", client_.client_id), 0);
}

TEST_F(AuthorizationServerTest, TheUsersTokenGenerationAppliesToOAuthTokens) {
  const OAuthTokens t = approved();
  ASSERT_TRUE(users_.revoke_access_tokens("alice"));  // logout, a new password
  directory_.sync();
  EXPECT_EQ(judge(t.access.token), "Invalid token: token has been revoked");
}

TEST_F(AuthorizationServerTest, ATokenForAnotherAudienceIsRefused) {
  Principal alice{"alice", "alice", {"user"}, {"read"}};
  const IssuedToken other =
      tokens_.issue_access(alice, 0, {"https://elsewhere.example/mcp", client_.client_id, "g"});
  EXPECT_EQ(judge(other.token), "Invalid token: token is for another audience");
  // A login's token has no audience and works as before.
  EXPECT_EQ(judge(tokens_.issue_access(alice, 0).token), "accepted");
}

TEST_F(AuthorizationServerTest, ARevokedGrantIsForgottenOnceItsTokensHaveExpired) {
  const OAuthTokens t = approved();
  server_.revoke(t.refresh_token, "");
  EXPECT_FALSE(revoked_.admits(
      std::get<AccessClaims>(tokens_.verify_access(t.access.token)).grant.grant_id));
  clock_.advance(tokens_.config().access_lifetime + 2s);
  revoked_.sync();
  EXPECT_EQ(judge(t.access.token), "Invalid token: token has expired");
}

TEST_F(AuthorizationServerTest, AGrantWhoseRefreshTokenExpiredIsNoLongerListedAndIsPurged) {
  const OAuthTokens t = approved();
  clock_.advance(tokens_.config().refresh_lifetime);
  EXPECT_TRUE(server_.consented_clients("alice").empty());
  EXPECT_EQ(error_of(refresh(t.refresh_token)), "invalid_grant");
  server_.approve(request(), "alice");  // a consent purges what is dead
  store::Connection c = db_.lock();
  store::Statement q = c.prepare("SELECT count(*) FROM oauth_grants");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_int64(0), 1);  // only the new one
}

}  // namespace
}  // namespace blender_bus::auth
