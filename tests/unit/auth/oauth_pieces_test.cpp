// The OAuth authorization server's pure pieces: PKCE, redirect matching,
// client registration, the authorization request's checks, the form seal,
// form fields and the metadata.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/authorization_request_check.hpp"
#include "auth/authorization_server_metadata.hpp"
#include "auth/client_registration.hpp"
#include "auth/form_fields.hpp"
#include "auth/form_seal.hpp"
#include "auth/oauth_pages.hpp"
#include "auth/pkce.hpp"
#include "auth/redirect_uri.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;

// Computed independently (Python's hashlib and base64).
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mJ92K9qHTvNa3JpxMqI1rmdcJn6BYU";
constexpr std::string_view kChallenge = "zE0Aw8V7vOyE1huHlEVLbOGLNAnYOKPqpDz5UJuWPAw";

TEST(Pkce, S256IsTheBase64urlOfTheVerifiersSha256) {
  EXPECT_EQ(pkce_s256_challenge(kVerifier), kChallenge);
  EXPECT_TRUE(pkce_verifier_matches(kVerifier, kChallenge));
  EXPECT_TRUE(is_s256_challenge(kChallenge));
}

TEST(Pkce, AnotherVerifierOrAMalformedOneFails) {
  std::string other(kVerifier);
  other.back() = 'V';
  EXPECT_FALSE(pkce_verifier_matches(other, kChallenge));
  EXPECT_FALSE(pkce_verifier_matches("short", pkce_s256_challenge("short")));  // under 43
  const std::string spaced(43, ' ');
  EXPECT_FALSE(pkce_verifier_matches(spaced, pkce_s256_challenge(spaced)));
  // "plain": the verifier itself as the challenge.
  EXPECT_FALSE(pkce_verifier_matches(kVerifier, kVerifier));
  EXPECT_FALSE(is_s256_challenge("abc"));
}

TEST(RedirectUri, MatchesExactlyExceptALoopbackPort) {
  const std::vector<std::string> registered{"https://app.example/cb",
                                            "http://127.0.0.1:33418/callback"};
  EXPECT_TRUE(redirect_uri_matches(registered, "https://app.example/cb"));
  EXPECT_FALSE(redirect_uri_matches(registered, "https://app.example/cb/"));
  EXPECT_FALSE(redirect_uri_matches(registered, "https://app.example:8443/cb"));
  EXPECT_FALSE(redirect_uri_matches(registered, "https://app.example/cb?x=1"));
  EXPECT_TRUE(redirect_uri_matches(registered, "http://127.0.0.1:33418/callback"));
  EXPECT_TRUE(redirect_uri_matches(registered, "http://127.0.0.1:5555/callback"));
  EXPECT_TRUE(redirect_uri_matches(registered, "http://127.0.0.1/callback"));
  EXPECT_FALSE(redirect_uri_matches(registered, "http://127.0.0.1:5555/other"));
  EXPECT_FALSE(redirect_uri_matches(registered, "http://localhost:33418/callback"));
  EXPECT_FALSE(redirect_uri_matches(registered, "http://evil.example:33418/callback"));
  EXPECT_FALSE(redirect_uri_matches({"http://localhost:1/cb"}, "http://localhost.evil:1/cb"));
  EXPECT_TRUE(redirect_uri_matches({"http://[::1]:1/cb"}, "http://[::1]:2/cb"));
}

TEST(RedirectUri, WhatMayBeRegistered) {
  EXPECT_EQ(redirect_uri_problem("https://claude.ai/api/mcp/auth_callback", false), "");
  EXPECT_EQ(redirect_uri_problem("http://localhost:8080/cb", true), "");
  EXPECT_EQ(redirect_uri_problem("com.example.app:/oauth", true), "");
  EXPECT_NE(redirect_uri_problem("com.example.app:/oauth", false), "");
  EXPECT_NE(redirect_uri_problem("http://app.example/cb", false), "");
  EXPECT_NE(redirect_uri_problem("https://app.example/cb#frag", false), "");
  EXPECT_NE(redirect_uri_problem("/relative", true), "");
  EXPECT_NE(redirect_uri_problem("myapp:/cb", true), "");
  EXPECT_EQ(redirect_host("http://127.0.0.1:5555/callback"), "127.0.0.1");
  EXPECT_EQ(redirect_host("com.example.app:/oauth"), "com.example.app");
}

json::object parse(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(ClientRegistration, APublicNativeClientWithDefaults) {
  auto read = read_client_registration(
      parse(R"({"redirect_uris":["http://localhost:4000/cb"],"client_name":"Claude Code"})"));
  ASSERT_TRUE(std::holds_alternative<OAuthClient>(read));
  const auto& client = std::get<OAuthClient>(read);
  EXPECT_EQ(client.application_type, "native");  // loopback only
  EXPECT_EQ(client.client_name, "Claude Code");
  auto web = read_client_registration(
      parse(R"({"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"none",)"
            R"("grant_types":["authorization_code","refresh_token"],"response_types":["code"]})"));
  ASSERT_TRUE(std::holds_alternative<OAuthClient>(web));
  EXPECT_EQ(std::get<OAuthClient>(web).application_type, "web");
  OAuthClient stored = std::get<OAuthClient>(web);
  stored.client_id = "c1";
  const json::object response = client_registration_response(stored);
  EXPECT_EQ(response.at("token_endpoint_auth_method"), "none");
  EXPECT_EQ(response.at("client_id"), "c1");
  EXPECT_FALSE(response.contains("client_name"));
}

TEST(ClientRegistration, RefusesWhatIsNotAPublicCodeClient) {
  auto error = [](std::string_view text) {
    auto read = read_client_registration(parse(text));
    EXPECT_TRUE(std::holds_alternative<RegistrationError>(read)) << text;
    return std::holds_alternative<RegistrationError>(read) ? std::get<RegistrationError>(read).error
                                                           : std::string();
  };
  EXPECT_EQ(error(R"({})"), "invalid_redirect_uri");
  EXPECT_EQ(error(R"({"redirect_uris":[]})"), "invalid_redirect_uri");
  EXPECT_EQ(error(R"({"redirect_uris":"https://a.example/cb"})"), "invalid_redirect_uri");
  EXPECT_EQ(error(R"({"redirect_uris":["http://a.example/cb"]})"), "invalid_redirect_uri");
  EXPECT_EQ(error(R"({"redirect_uris":["http://127.0.0.1/cb"],"application_type":"web"})"),
            "invalid_redirect_uri");
  EXPECT_EQ(error(R"({"redirect_uris":["https://a.example/cb"],"application_type":"desktop"})"),
            "invalid_client_metadata");
  EXPECT_EQ(error(R"({"redirect_uris":["https://a.example/cb"],)"
                  R"("token_endpoint_auth_method":"client_secret_basic"})"),
            "invalid_client_metadata");
  EXPECT_EQ(error(R"({"redirect_uris":["https://a.example/cb"],"grant_types":["implicit"]})"),
            "invalid_client_metadata");
  EXPECT_EQ(error(R"({"redirect_uris":["https://a.example/cb"],"response_types":["token"]})"),
            "invalid_client_metadata");
  EXPECT_EQ(error(R"({"redirect_uris":["https://a.example/cb"],"client_name":7})"),
            "invalid_client_metadata");
  std::string many = R"({"redirect_uris":[)";
  for (int i = 0; i < 11; ++i)
    many += std::string(i ? "," : "") + "\"https://a.example/" + std::to_string(i) + "\"";
  EXPECT_EQ(error(many + "]}"), "invalid_redirect_uri");
}

constexpr std::string_view kResource = "http://127.0.0.1:8000/mcp";

FormFields good_request() {
  return {{"response_type", "code"},
          {"client_id", "c1"},
          {"redirect_uri", "http://127.0.0.1:9999/callback"},
          {"state", "xyz"},
          {"code_challenge", std::string(kChallenge)},
          {"code_challenge_method", "S256"},
          {"resource", std::string(kResource)}};
}

OAuthClient client() {
  return {"c1", "Test", {"http://127.0.0.1:1234/callback"}, "native", 0};
}

TEST(AuthorizationRequestCheck, AValidRequestGetsEveryScopeByDefault) {
  auto checked = check_authorization_request(good_request(), client(), kResource);
  ASSERT_TRUE(std::holds_alternative<AuthorizationRequest>(checked));
  const auto& request = std::get<AuthorizationRequest>(checked);
  EXPECT_EQ(request.redirect_uri, "http://127.0.0.1:9999/callback");
  EXPECT_EQ(request.scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(request.resource, kResource);
  EXPECT_EQ(request.state, "xyz");
}

TEST(AuthorizationRequestCheck, AnUnknownClientOrRedirectIsADeadEnd) {
  EXPECT_TRUE(std::holds_alternative<AuthorizationDeadEnd>(
      check_authorization_request(good_request(), std::nullopt, kResource)));
  auto fields = good_request();
  fields["redirect_uri"] = "https://evil.example/callback";
  EXPECT_TRUE(std::holds_alternative<AuthorizationDeadEnd>(
      check_authorization_request(fields, client(), kResource)));
  fields.erase("redirect_uri");  // one registered: it is used
  EXPECT_TRUE(std::holds_alternative<AuthorizationRequest>(
      check_authorization_request(fields, client(), kResource)));
}

TEST(AuthorizationRequestCheck, OtherFaultsAreRedirectedWithTheirError) {
  auto error_of = [](const char* name, const char* value) {
    auto fields = good_request();
    if (value == nullptr) {
      fields.erase(name);
    } else {
      fields[name] = value;
    }
    auto checked = check_authorization_request(fields, client(), kResource);
    EXPECT_TRUE(std::holds_alternative<AuthorizationRefusal>(checked)) << name;
    if (!std::holds_alternative<AuthorizationRefusal>(checked)) return std::string();
    EXPECT_EQ(std::get<AuthorizationRefusal>(checked).state, "xyz");
    return std::get<AuthorizationRefusal>(checked).error;
  };
  EXPECT_EQ(error_of("response_type", "token"), "unsupported_response_type");
  EXPECT_EQ(error_of("code_challenge", nullptr), "invalid_request");
  EXPECT_EQ(error_of("code_challenge_method", "plain"), "invalid_request");
  EXPECT_EQ(error_of("code_challenge_method", nullptr), "invalid_request");
  EXPECT_EQ(error_of("resource", "https://elsewhere.example/mcp"), "invalid_target");
  EXPECT_EQ(error_of("scope", "read admin"), "invalid_scope");
}

TEST(AuthorizationRequestCheck, TheRedirectCarriesStateAndIss) {
  EXPECT_EQ(authorization_redirect("http://127.0.0.1:9/cb?keep=1", {{"code", "abc"}}, "s t",
                                   "http://127.0.0.1:8000"),
            "http://127.0.0.1:9/cb?keep=1&code=abc&state=s%20t&iss=http://127.0.0.1:8000");
  auto fields = parse_form_fields(
      std::string_view("http://127.0.0.1:9/cb?code=abc&state=s%20t&iss=http://127.0.0.1:8000")
          .substr(23));
  ASSERT_TRUE(fields);
  EXPECT_EQ(field(*fields, "state"), "s t");
  EXPECT_EQ(field(*fields, "iss"), "http://127.0.0.1:8000");
}

TEST(FormFields, DecodesAndRefusesRepeatedFields) {
  auto fields = parse_form_fields("a=1+2&b=%2F&c");
  ASSERT_TRUE(fields);
  EXPECT_EQ(field(*fields, "a"), "1 2");
  EXPECT_EQ(field(*fields, "b"), "/");
  EXPECT_EQ(field(*fields, "c"), "");
  EXPECT_EQ(field(*fields, "missing"), "");
  EXPECT_FALSE(parse_form_fields("a=1&a=2"));
}

TEST(FormSeal, OpensOnlyWhatItSealed) {
  const FormSeal seal("a-secret-of-enough-length-0123456789");
  const std::string sealed = seal.seal("{\"user\":\"alice\"}");
  EXPECT_EQ(seal.open(sealed), "{\"user\":\"alice\"}");
  std::string tampered = sealed;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(seal.open(tampered));
  EXPECT_FALSE(seal.open("no-dot"));
  EXPECT_FALSE(FormSeal("another-secret-0123456789-0123456789").open(sealed));
  EXPECT_EQ(seal.tag("x"), seal.tag("x"));
  EXPECT_NE(seal.tag("x"), seal.tag("y"));
}

TEST(AuthorizationServerMetadata, NamesEveryEndpointAndWhatIsSupported) {
  const json::object m =
      json::parse(authorization_server_metadata("http://127.0.0.1:8000/", true)).as_object();
  EXPECT_EQ(m.at("issuer"), "http://127.0.0.1:8000");
  EXPECT_EQ(m.at("authorization_endpoint"), "http://127.0.0.1:8000/oauth/authorize");
  EXPECT_EQ(m.at("token_endpoint"), "http://127.0.0.1:8000/oauth/token");
  EXPECT_EQ(m.at("registration_endpoint"), "http://127.0.0.1:8000/oauth/register");
  EXPECT_EQ(m.at("revocation_endpoint"), "http://127.0.0.1:8000/oauth/revoke");
  EXPECT_EQ(m.at("code_challenge_methods_supported"), json::array{"S256"});
  EXPECT_EQ(m.at("response_types_supported"), json::array{"code"});
  EXPECT_EQ(m.at("grant_types_supported"), (json::array{"authorization_code", "refresh_token"}));
  EXPECT_EQ(m.at("token_endpoint_auth_methods_supported"), json::array{"none"});
  EXPECT_EQ(m.at("authorization_response_iss_parameter_supported"), true);
  EXPECT_EQ(m.at("client_id_metadata_document_supported"), true);
  EXPECT_EQ(m.at("scopes_supported"), (json::array{"read", "write"}));
}

TEST(OAuthPages, EscapeWhatTheClientChose) {
  const std::string html = consent_page_html(
      {"<script>alert(1)</script>", "c1", "evil\".example", "alice", {"read"}, {{"t", "\"><b>"}}});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("value=\"&quot;&gt;&lt;b&gt;\""), std::string::npos);
  EXPECT_NE(html.find("id=\"approve\""), std::string::npos);
  EXPECT_NE(html.find("id=\"deny\""), std::string::npos);
}

}  // namespace
}  // namespace blender_bus::auth
