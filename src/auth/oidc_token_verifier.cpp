#include "auth/oidc_token_verifier.hpp"

#include <sstream>

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

bool names_audience(const json::value* aud, const std::string& audience) {
  if (aud == nullptr) return false;
  if (aud->is_string()) return aud->as_string() == audience;
  if (!aud->is_array()) return false;
  for (const json::value& item : aud->as_array()) {
    if (item.is_string() && item.as_string() == audience) return true;
  }
  return false;
}

std::vector<std::string> scopes_of(const json::object& claims) {
  std::vector<std::string> scopes;
  std::istringstream words(string_claim(claims, "scope"));
  for (std::string word; words >> word;) scopes.push_back(word);
  if (scopes.empty()) scopes = {"read", "write"};
  return scopes;
}

}  // namespace

bool OidcTokenVerifier::claims_issuer(const JwtParts& parts) const {
  const json::value* iss = parts.claims.if_contains("iss");
  return iss != nullptr && iss->is_string() && iss->as_string() == settings_->issuer;
}

std::variant<Principal, OidcRefusal> OidcTokenVerifier::verify(const JwtParts& parts) const {
  const json::value* alg = parts.header.if_contains("alg");
  const auto algorithm =
      alg != nullptr && alg->is_string() ? jws_algorithm(alg->as_string()) : std::nullopt;
  if (!algorithm) return OidcRefusal{"algorithm must be RS256 or ES256"};
  if (parts.header.contains("crit")) return OidcRefusal{"unsupported critical header"};
  const auto signature = base64url_decode(parts.signature);
  if (!signature || signature->empty()) return OidcRefusal{"signature verification failed"};
  const json::value* kid = parts.header.if_contains("kid");
  if (kid != nullptr && !kid->is_string()) return OidcRefusal{"malformed token"};
  const std::string key_id = kid ? std::string(kid->as_string()) : std::string();
  const auto key = keys_->find(key_id, *algorithm);
  if (!key) return OidcRefusal{"unknown signing key"};
  if (!key->verifies(*algorithm, parts.signing_input, *signature)) {
    return OidcRefusal{"signature verification failed"};
  }

  const json::object& claims = parts.claims;
  if (!claims_issuer(parts)) return OidcRefusal{"wrong issuer"};
  if (!names_audience(claims.if_contains("aud"), settings_->audience)) {
    return OidcRefusal{"wrong audience"};
  }
  const std::int64_t now = unix_seconds(clock_());
  const std::int64_t leeway = settings_->leeway.count();
  const auto exp = numeric_date(claims, "exp");
  if (!exp) return OidcRefusal{"missing exp"};
  if (now >= *exp + leeway) return OidcRefusal{"token has expired"};
  if (claims.contains("nbf")) {
    const auto nbf = numeric_date(claims, "nbf");
    if (!nbf || now + leeway < *nbf) return OidcRefusal{"token is not yet valid"};
  }
  const std::string user = string_claim(claims, settings_->user_claim);
  if (user.empty()) return OidcRefusal{"token has no " + settings_->user_claim};
  const std::string user_id = std::string(kExternalUserPrefix) + user;
  return Principal{user_id, user_id, {"user"}, scopes_of(claims), Credential::external_token};
}

}  // namespace blender_bus::auth
