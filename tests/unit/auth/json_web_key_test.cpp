#include "auth/json_web_key.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/jwt_parts.hpp"
#include "auth/oidc_key_set.hpp"
#include "auth/oidc_token_verifier.hpp"
#include "auth_test_support.hpp"

namespace blender_bus::auth {
namespace {

namespace json = boost::json;
using testing::base64url;
using testing::FakeClock;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// A signing key of the test's issuer and its public JWK.
struct TestKey {
  PkeyPtr key;
  json::object jwk;
  std::string alg;

  static TestKey rsa(const std::string& kid, std::size_t bits = 2048) {
    TestKey k{PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits)), {}, "RS256"};
    k.jwk = {{"kty", "RSA"},
             {"kid", kid},
             {"n", base64url(bn_param(k.key.get(), OSSL_PKEY_PARAM_RSA_N))},
             {"e", base64url(bn_param(k.key.get(), OSSL_PKEY_PARAM_RSA_E))}};
    return k;
  }
  static TestKey ec(const std::string& kid) {
    TestKey k{PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), {}, "ES256"};
    k.jwk = {{"kty", "EC"},
             {"crv", "P-256"},
             {"kid", kid},
             {"x", base64url(bn_param(k.key.get(), OSSL_PKEY_PARAM_EC_PUB_X))},
             {"y", base64url(bn_param(k.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y))}};
    return k;
  }

  std::string sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get());
    std::size_t length = 0;
    EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string sig(length, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(length);
    if (alg != "ES256") return sig;
    // DER to JOSE's r||s.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(parsed);
    return raw;
  }

  std::string token(const json::object& claims, json::object header = {}) const {
    if (!header.contains("alg")) header["alg"] = alg;
    if (!header.contains("kid")) header["kid"] = jwk.at("kid");
    const std::string input =
        base64url(json::serialize(header)) + "." + base64url(json::serialize(claims));
    return input + "." + base64url(sign(input));
  }
};

JsonWebKey parse(const json::object& jwk) {
  std::string problem;
  auto key = JsonWebKey::from_json(jwk, problem);
  EXPECT_TRUE(key.has_value()) << problem;
  return *key;
}

std::string refusal(json::object jwk) {
  std::string problem;
  EXPECT_FALSE(JsonWebKey::from_json(jwk, problem).has_value());
  return problem;
}

TEST(JsonWebKeyTest, VerifiesRs256AndEs256SignaturesOfItsOwnKeyOnly) {
  const TestKey rsa = TestKey::rsa("r1");
  const TestKey ec = TestKey::ec("e1");
  const JsonWebKey rsa_key = parse(rsa.jwk);
  const JsonWebKey ec_key = parse(ec.jwk);
  EXPECT_EQ(rsa_key.kid(), "r1");
  EXPECT_TRUE(rsa_key.verifies(JwsAlgorithm::rs256, "abc.def", rsa.sign("abc.def")));
  EXPECT_TRUE(ec_key.verifies(JwsAlgorithm::es256, "abc.def", ec.sign("abc.def")));
  EXPECT_FALSE(rsa_key.verifies(JwsAlgorithm::rs256, "abc.deg", rsa.sign("abc.def")));
  EXPECT_FALSE(ec_key.verifies(JwsAlgorithm::es256, "abc.deg", ec.sign("abc.def")));
  EXPECT_FALSE(rsa_key.verifies(JwsAlgorithm::es256, "abc.def", rsa.sign("abc.def")));
  EXPECT_FALSE(ec_key.verifies(JwsAlgorithm::es256, "abc.def", "short"));
  const TestKey other = TestKey::rsa("r2");
  EXPECT_FALSE(rsa_key.verifies(JwsAlgorithm::rs256, "abc.def", other.sign("abc.def")));
}

TEST(JsonWebKeyTest, RefusesKeysItDoesNotTake) {
  const TestKey rsa = TestKey::rsa("r1");
  const TestKey ec = TestKey::ec("e1");
  json::object octet{{"kty", "oct"}, {"k", base64url("secret")}};
  EXPECT_EQ(refusal(octet), "unsupported kty 'oct'");
  json::object private_key = rsa.jwk;
  private_key["d"] = base64url("x");
  EXPECT_EQ(refusal(private_key), "a private key");
  json::object encryption = rsa.jwk;
  encryption["use"] = "enc";
  EXPECT_EQ(refusal(encryption), "key not for signatures");
  EXPECT_EQ(refusal(TestKey::rsa("short", 1024).jwk), "RSA key shorter than 2048 bits");
  json::object p384 = ec.jwk;
  p384["crv"] = "P-384";
  EXPECT_EQ(refusal(p384), "EC key must be on P-256");
  json::object off_curve = ec.jwk;
  off_curve["y"] = base64url(std::string(32, '\x01'));
  EXPECT_EQ(refusal(off_curve), "EC key is not a point on P-256");
  json::object mismatched = rsa.jwk;
  mismatched["alg"] = "HS256";
  EXPECT_EQ(refusal(mismatched), "key's alg does not match its type");
  json::object no_n = rsa.jwk;
  no_n.erase("n");
  EXPECT_EQ(refusal(no_n), "RSA key needs n and e");
}

// The verifier over a key set read from a fake issuer (no network).
class OidcTokenVerifierTest : public ::testing::Test {
 protected:
  static constexpr const char* kIssuer = "https://id.example.com";

  OidcTokenVerifierTest() { EXPECT_TRUE(keys_.wait_loaded(std::chrono::seconds(5))); }

  FetchedDocument serve(const std::string& url) {
    if (url == std::string(kIssuer) + "/.well-known/openid-configuration") {
      return {200, "application/json",
              json::serialize(json::object{{"issuer", kIssuer},
                                           {"jwks_uri", std::string(kIssuer) + "/jwks"}})};
    }
    json::array list{rsa_.jwk, ec_.jwk};
    return {200, "application/json", json::serialize(json::object{{"keys", list}})};
  }
  json::object claims(json::object extra = {}) const {
    json::object c{{"iss", kIssuer},
                   {"sub", "artist-7"},
                   {"aud", "blender-bus"},
                   {"exp", clock_.unix() + 300}};
    for (auto& [k, v] : extra) c[k] = v;
    return c;
  }
  std::string judge(const std::string& token) const {
    auto parts = split_jwt(token);
    if (!parts) return "not a JWT";
    auto outcome = verifier_.verify(*parts);
    if (auto* r = std::get_if<OidcRefusal>(&outcome)) return r->reason;
    const Principal& p = std::get<Principal>(outcome);
    std::string scopes;
    for (const auto& s : p.scopes) scopes += " " + s;
    return "accepted as " + p.user_id + scopes;
  }

  TestKey rsa_ = TestKey::rsa("r1");
  TestKey ec_ = TestKey::ec("e1");
  FakeClock clock_;
  OidcSettings settings_{kIssuer, "blender-bus"};
  OidcKeySet keys_{settings_, [this](const std::string& url) { return serve(url); }};
  OidcTokenVerifier verifier_{settings_, keys_, clock_.clock()};
};

TEST_F(OidcTokenVerifierTest, AcceptsEitherAlgorithmAndReadsTheScope) {
  EXPECT_EQ(judge(rsa_.token(claims())), "accepted as oidc:artist-7 read write");
  EXPECT_EQ(judge(ec_.token(claims({{"scope", "read"}}))), "accepted as oidc:artist-7 read");
  EXPECT_EQ(judge(ec_.token(claims({{"aud", json::array{"x", "blender-bus"}}}))),
            "accepted as oidc:artist-7 read write");
}

TEST_F(OidcTokenVerifierTest, RefusesWhatTheIssueLists) {
  EXPECT_EQ(judge(rsa_.token(claims({{"aud", "other"}}))), "wrong audience");
  EXPECT_EQ(judge(rsa_.token(claims({{"exp", clock_.unix() - 61}}))), "token has expired");
  EXPECT_EQ(judge(rsa_.token(claims({{"exp", clock_.unix() - 30}}))),
            "accepted as oidc:artist-7 read write");  // within the leeway
  EXPECT_EQ(judge(rsa_.token(claims({{"nbf", clock_.unix() + 120}}))), "token is not yet valid");
  json::object no_exp = claims();
  no_exp.erase("exp");
  EXPECT_EQ(judge(rsa_.token(no_exp)), "missing exp");
  EXPECT_EQ(judge(rsa_.token(claims({{"sub", ""}}))), "token has no sub");
  EXPECT_EQ(judge(rsa_.token(claims(), {{"alg", "HS256"}})), "algorithm must be RS256 or ES256");
  EXPECT_EQ(judge(rsa_.token(claims(), {{"alg", "none"}})), "algorithm must be RS256 or ES256");
  EXPECT_EQ(judge(rsa_.token(claims(), {{"alg", "RS256"}, {"kid", "e1"}})), "unknown signing key");
  EXPECT_EQ(judge(rsa_.token(claims(), {{"crit", json::array{"exp"}}})),
            "unsupported critical header");
  const TestKey stranger = TestKey::rsa("r1");  // the same kid, another key
  EXPECT_EQ(judge(stranger.token(claims())), "signature verification failed");
  const std::string unsigned_token = rsa_.token(claims()).substr(0, rsa_.token(claims()).rfind('.') + 1);
  EXPECT_EQ(judge(unsigned_token), "signature verification failed");
}

TEST_F(OidcTokenVerifierTest, TheUserClaimIsConfigurable) {
  OidcSettings by_email = settings_;
  by_email.user_claim = "email";
  OidcTokenVerifier verifier{by_email, keys_, clock_.clock()};
  const std::string token = rsa_.token(claims({{"email", "ana@studio.example"}}));
  auto parts = split_jwt(token);
  ASSERT_TRUE(parts);
  auto outcome = verifier.verify(*parts);
  ASSERT_TRUE(std::holds_alternative<Principal>(outcome))
      << std::get<OidcRefusal>(outcome).reason;
  EXPECT_EQ(std::get<Principal>(outcome).user_id, "oidc:ana@studio.example");
}

}  // namespace
}  // namespace blender_bus::auth
