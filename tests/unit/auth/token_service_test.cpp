#include "auth/token_service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;
using testing::FakeClock;
using testing::make_jwt;
using testing::Signing;

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kIssuer = "http://127.0.0.1:8000";

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : tokens_({kSecret, kIssuer}, clock_.clock()) {}

  Principal alice() const { return {"alice", "alice", {"user"}, {"read", "write"}}; }

  // Valid access claims as of now; tests remove or change one.
  json::object access_claims() const {
    return {{"sub", "alice"},
            {"username", "alice"},
            {"roles", json::array{"user"}},
            {"scopes", json::array{"read"}},
            {"token_type", "access"},
            {"iss", kIssuer},
            {"iat", clock_.unix()},
            {"exp", clock_.unix() + 60},
            {"jti", "j1"}};
  }
  static json::object hs256() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }

  TokenError access_error(const std::string& token) const {
    auto result = tokens_.verify_access(token);
    EXPECT_TRUE(std::holds_alternative<TokenError>(result)) << token;
    return std::holds_alternative<TokenError>(result) ? std::get<TokenError>(result)
                                                      : TokenError{{}, "accepted"};
  }

  FakeClock clock_;
  TokenService tokens_;
};

json::object payload_of(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const std::string part = token.substr(first + 1, second - first - 1);
  std::string bytes(part.size(), '\0');
  std::size_t length = 0;
  sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), part.data(),
                    part.size(), nullptr, &length, nullptr,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  bytes.resize(length);
  return json::parse(bytes).as_object();
}

TEST_F(TokenServiceTest, AccessTokenCarriesTheSpecClaims) {
  const IssuedToken issued = tokens_.issue_access(alice());
  const json::object claims = payload_of(issued.token);
  EXPECT_EQ(claims.at("sub").as_string(), "alice");
  EXPECT_EQ(claims.at("username").as_string(), "alice");
  EXPECT_EQ(claims.at("roles"), json::value(json::array{"user"}));
  EXPECT_EQ(claims.at("scopes"), json::value(json::array{"read", "write"}));
  EXPECT_EQ(claims.at("iss").as_string(), kIssuer);
  EXPECT_EQ(claims.at("iat").as_int64(), clock_.unix());
  EXPECT_EQ(claims.at("exp").as_int64(), clock_.unix() + 30 * 60);
  EXPECT_EQ(claims.at("jti").as_string(), issued.jti);
  EXPECT_EQ(claims.at("token_type").as_string(), "access");
  EXPECT_EQ(issued.jti.size(), 32u);
  EXPECT_EQ(unix_seconds(issued.expires_at), clock_.unix() + 30 * 60);
}

TEST_F(TokenServiceTest, RefreshTokenCarriesTypeAndJtiAndLivesSevenDays) {
  const IssuedToken issued = tokens_.issue_refresh("alice");
  const json::object claims = payload_of(issued.token);
  EXPECT_EQ(claims.at("token_type").as_string(), "refresh");
  EXPECT_EQ(claims.at("sub").as_string(), "alice");
  EXPECT_EQ(claims.at("jti").as_string(), issued.jti);
  EXPECT_EQ(claims.at("exp").as_int64(), clock_.unix() + 7 * 24 * 3600);
}

TEST_F(TokenServiceTest, EveryTokenHasItsOwnJti) {
  EXPECT_NE(tokens_.issue_access(alice()).jti, tokens_.issue_access(alice()).jti);
  EXPECT_NE(tokens_.issue_refresh("alice").jti, tokens_.issue_refresh("alice").jti);
}

TEST_F(TokenServiceTest, HeaderNamesHs256) {
  const std::string token = tokens_.issue_access(alice()).token;
  EXPECT_EQ(token.substr(0, token.find('.')), testing::base64url(R"({"alg":"HS256","typ":"JWT"})"));
}

TEST_F(TokenServiceTest, VerifiesItsOwnAccessToken) {
  auto result = tokens_.verify_access(tokens_.issue_access(alice()).token);
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(result));
  const AccessClaims& claims = std::get<AccessClaims>(result);
  EXPECT_EQ(claims.principal.user_id, "alice");
  EXPECT_EQ(claims.principal.username, "alice");
  EXPECT_EQ(claims.principal.roles, std::vector<std::string>{"user"});
  EXPECT_EQ(claims.principal.scopes, (std::vector<std::string>{"read", "write"}));
}

TEST_F(TokenServiceTest, VerifiesItsOwnRefreshToken) {
  const IssuedToken issued = tokens_.issue_refresh("alice");
  auto result = tokens_.verify_refresh(issued.token);
  ASSERT_TRUE(std::holds_alternative<RefreshClaims>(result));
  EXPECT_EQ(std::get<RefreshClaims>(result).user_id, "alice");
  EXPECT_EQ(std::get<RefreshClaims>(result).jti, issued.jti);
}

TEST_F(TokenServiceTest, HandBuiltValidTokenIsAccepted) {
  // Guards the tests below: each differs from this one in one respect only.
  auto result = tokens_.verify_access(make_jwt(hs256(), access_claims(), kSecret));
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(result));
}

TEST_F(TokenServiceTest, RejectsAlgNone) {
  for (const char* alg : {"none", "None", "NONE"}) {
    const json::object header{{"alg", alg}, {"typ", "JWT"}};
    for (auto signing : {Signing::none, Signing::hs256}) {
      const TokenError e = access_error(make_jwt(header, access_claims(), kSecret, signing));
      EXPECT_EQ(e.kind, TokenError::Kind::algorithm) << alg;
      EXPECT_EQ(e.reason, "algorithm must be HS256");
    }
  }
}

TEST_F(TokenServiceTest, RejectsHs512SignedWithOurSecret) {
  // libjwt 1.10 itself would accept this one: the key is right.
  const json::object header{{"alg", "HS512"}, {"typ", "JWT"}};
  const TokenError e = access_error(make_jwt(header, access_claims(), kSecret, Signing::hs512));
  EXPECT_EQ(e.kind, TokenError::Kind::algorithm);
}

TEST_F(TokenServiceTest, RejectsRs256AndOtherAlgorithms) {
  for (const char* alg : {"RS256", "ES256", "PS256", "HS384", "hs256", ""}) {
    const json::object header{{"alg", alg}, {"typ", "JWT"}};
    EXPECT_EQ(access_error(make_jwt(header, access_claims(), kSecret, Signing::fake)).kind,
              TokenError::Kind::algorithm)
        << alg;
  }
  EXPECT_EQ(access_error(make_jwt(json::object{{"typ", "JWT"}}, access_claims(), kSecret)).kind,
            TokenError::Kind::algorithm);
}

TEST_F(TokenServiceTest, RejectsAWrongSecret) {
  const TokenError e =
      access_error(make_jwt(hs256(), access_claims(), "another secret of sufficient length!!"));
  EXPECT_EQ(e.kind, TokenError::Kind::signature);
  EXPECT_EQ(e.reason, "signature verification failed");
}

TEST_F(TokenServiceTest, RejectsATamperedPayload) {
  const std::string token = tokens_.issue_access(alice()).token;
  json::object claims = payload_of(token);
  claims["sub"] = "bob";
  const std::string forged = token.substr(0, token.find('.')) + "." +
                             testing::base64url(json::serialize(claims)) +
                             token.substr(token.rfind('.'));
  EXPECT_EQ(access_error(forged).kind, TokenError::Kind::signature);
}

TEST_F(TokenServiceTest, RejectsAMissingSignature) {
  const std::string token = tokens_.issue_access(alice()).token;
  EXPECT_EQ(access_error(token.substr(0, token.rfind('.') + 1)).kind, TokenError::Kind::signature);
}

TEST_F(TokenServiceTest, RejectsGarbage) {
  for (const std::string& junk :
       {std::string("garbage"), std::string("a.b.c"), std::string("..."), std::string("."),
        std::string("eyJhbGciOiJIUzI1NiJ9"), std::string("e30.e30.e30.e30"),
        std::string(10000, 'a'), std::string("\xff\xfe.\x01.\x02")}) {
    const TokenError e = access_error(junk);
    EXPECT_EQ(e.kind, TokenError::Kind::malformed) << junk;
    EXPECT_EQ(e.reason, "malformed token");
  }
  EXPECT_EQ(access_error(make_jwt("[1]", "{}", kSecret)).kind, TokenError::Kind::malformed);
  EXPECT_EQ(access_error(make_jwt(R"({"alg":"HS256"})", "not json", kSecret)).kind,
            TokenError::Kind::malformed);
}

TEST_F(TokenServiceTest, RejectsUnknownCriticalHeader) {
  const json::object header{{"alg", "HS256"}, {"crit", json::array{"exp"}}};
  EXPECT_EQ(access_error(make_jwt(header, access_claims(), kSecret)).kind,
            TokenError::Kind::malformed);
}

TEST_F(TokenServiceTest, AnExpBeyondWhatATimePointHoldsIsTheLatestOne) {
  // Found by the token fuzzer: exp in nanoseconds overflowed (undefined).
  json::object claims = access_claims();
  claims["exp"] = std::int64_t{100'000'000'000};  // the year 5138
  auto result = tokens_.verify_access(make_jwt(hs256(), claims, kSecret));
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(result));
  EXPECT_EQ(std::get<AccessClaims>(result).expires_at,
            std::chrono::system_clock::time_point::max());
}

TEST_F(TokenServiceTest, AccessTokenExpiresAfterItsLifetime) {
  const std::string token = tokens_.issue_access(alice()).token;
  clock_.advance(std::chrono::minutes(30) - std::chrono::seconds(1));
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(tokens_.verify_access(token)));
  clock_.advance(std::chrono::seconds(1));
  const TokenError e = access_error(token);
  EXPECT_EQ(e.kind, TokenError::Kind::expired);
  EXPECT_EQ(e.reason, "token has expired");
}

TEST_F(TokenServiceTest, RejectsMissingOrNonNumericExp) {
  json::object claims = access_claims();
  claims.erase("exp");
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::malformed);
  claims["exp"] = "tomorrow";
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::malformed);
}

TEST_F(TokenServiceTest, AcceptsARealExp) {
  json::object claims = access_claims();
  claims["exp"] = static_cast<double>(clock_.unix()) + 10.5;
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(
      tokens_.verify_access(make_jwt(hs256(), claims, kSecret))));
}

TEST_F(TokenServiceTest, RejectsATokenNotYetValid) {
  json::object claims = access_claims();
  claims["nbf"] = clock_.unix() + 30;
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::expired);
}

// The boundaries themselves (RFC 7519 §4.1.4-5): a token is valid from its
// nbf second on, and no longer at its exp second.
TEST_F(TokenServiceTest, ValidAtExactlyNbf) {
  json::object claims = access_claims();
  claims["nbf"] = clock_.unix();
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(
      tokens_.verify_access(make_jwt(hs256(), claims, kSecret))));
  claims["nbf"] = clock_.unix() + 1;
  const TokenError e = access_error(make_jwt(hs256(), claims, kSecret));
  EXPECT_EQ(e.kind, TokenError::Kind::expired);
  EXPECT_EQ(e.reason, "token is not yet valid");
}

TEST_F(TokenServiceTest, ExpiredAtExactlyExp) {
  json::object claims = access_claims();
  claims["exp"] = clock_.unix() + 1;
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(
      tokens_.verify_access(make_jwt(hs256(), claims, kSecret))));
  claims["exp"] = clock_.unix();
  const TokenError e = access_error(make_jwt(hs256(), claims, kSecret));
  EXPECT_EQ(e.kind, TokenError::Kind::expired);
  EXPECT_EQ(e.reason, "token has expired");
}

TEST_F(TokenServiceTest, AnIssuedTokenIsValidUntilItsExpSecondAndNotAtIt) {
  const IssuedToken issued = tokens_.issue_access(alice());
  const std::int64_t exp = unix_seconds(issued.expires_at);
  clock_.advance(std::chrono::seconds(exp - clock_.unix() - 1));
  EXPECT_TRUE(std::holds_alternative<AccessClaims>(tokens_.verify_access(issued.token)));
  clock_.advance(std::chrono::seconds(1));
  ASSERT_EQ(clock_.unix(), exp);
  EXPECT_EQ(access_error(issued.token).kind, TokenError::Kind::expired);
}

TEST_F(TokenServiceTest, RejectsAWrongOrMissingIssuer) {
  json::object claims = access_claims();
  claims["iss"] = "http://evil.example";
  const TokenError e = access_error(make_jwt(hs256(), claims, kSecret));
  EXPECT_EQ(e.kind, TokenError::Kind::issuer);
  EXPECT_EQ(e.reason, "wrong issuer");
  claims.erase("iss");
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::issuer);
}

TEST_F(TokenServiceTest, RefreshTokenIsNotAnAccessToken) {
  const TokenError e = access_error(tokens_.issue_refresh("alice").token);
  EXPECT_EQ(e.kind, TokenError::Kind::wrong_type);
  EXPECT_EQ(e.reason, "refresh token used as access token");
}

TEST_F(TokenServiceTest, AccessTokenIsNotARefreshToken) {
  auto result = tokens_.verify_refresh(tokens_.issue_access(alice()).token);
  ASSERT_TRUE(std::holds_alternative<TokenError>(result));
  EXPECT_EQ(std::get<TokenError>(result).kind, TokenError::Kind::wrong_type);
  EXPECT_EQ(std::get<TokenError>(result).reason, "not a refresh token");
}

TEST_F(TokenServiceTest, AnUntypedTokenIsNeither) {
  json::object claims = access_claims();
  claims.erase("token_type");
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::wrong_type);
  auto result = tokens_.verify_refresh(make_jwt(hs256(), claims, kSecret));
  ASSERT_TRUE(std::holds_alternative<TokenError>(result));
  EXPECT_EQ(std::get<TokenError>(result).kind, TokenError::Kind::wrong_type);
}

TEST_F(TokenServiceTest, MissingSubIsItsOwnFailure) {
  json::object claims = access_claims();
  claims.erase("sub");
  const TokenError e = access_error(make_jwt(hs256(), claims, kSecret));
  EXPECT_EQ(e.kind, TokenError::Kind::missing_sub);
  claims["sub"] = "";
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::missing_sub);
  claims["sub"] = 42;
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::missing_sub);
}

TEST_F(TokenServiceTest, RejectsRolesThatAreNotStringLists) {
  json::object claims = access_claims();
  claims["roles"] = "admin";
  EXPECT_EQ(access_error(make_jwt(hs256(), claims, kSecret)).kind, TokenError::Kind::malformed);
}

TEST_F(TokenServiceTest, UsernameDefaultsToSub) {
  json::object claims = access_claims();
  claims.erase("username");
  claims.erase("roles");
  auto result = tokens_.verify_access(make_jwt(hs256(), claims, kSecret));
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(result));
  EXPECT_EQ(std::get<AccessClaims>(result).principal.username, "alice");
  EXPECT_TRUE(std::get<AccessClaims>(result).principal.roles.empty());
}

TEST_F(TokenServiceTest, RefreshTokenWithoutJtiIsRefused) {
  json::object claims{
      {"sub", "alice"}, {"token_type", "refresh"}, {"iss", kIssuer}, {"exp", clock_.unix() + 60}};
  auto result = tokens_.verify_refresh(make_jwt(hs256(), claims, kSecret));
  ASSERT_TRUE(std::holds_alternative<TokenError>(result));
  EXPECT_EQ(std::get<TokenError>(result).kind, TokenError::Kind::malformed);
}

TEST_F(TokenServiceTest, QuotesAndSemicolonsSurviveTheRoundTrip) {
  const Principal odd{
      R"(o'brien"; DROP TABLE users;--)", R"(o'brien"; DROP TABLE users;--)", {}, {}};
  auto result = tokens_.verify_access(tokens_.issue_access(odd).token);
  ASSERT_TRUE(std::holds_alternative<AccessClaims>(result));
  EXPECT_EQ(std::get<AccessClaims>(result).principal.user_id, odd.user_id);
}

TEST_F(TokenServiceTest, LifetimesComeFromTheConfig) {
  TokenConfig config{kSecret, kIssuer, std::chrono::minutes(5), std::chrono::hours(24)};
  TokenService short_lived(config, clock_.clock());
  EXPECT_EQ(unix_seconds(short_lived.issue_access(alice()).expires_at), clock_.unix() + 300);
  EXPECT_EQ(unix_seconds(short_lived.issue_refresh("alice").expires_at), clock_.unix() + 86400);
}

TEST(TokenServiceConfig, RefusesAnEmptySecretOrIssuer) {
  EXPECT_THROW(TokenService({"", kIssuer}), std::invalid_argument);
  EXPECT_THROW(TokenService({kSecret, ""}), std::invalid_argument);
}

}  // namespace
}  // namespace blender_bus::auth
