#include "auth/token_service.hpp"

#include <jwt.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>

#include "auth/jwt_parts.hpp"
#include "auth/random_text.hpp"
#include "auth/sodium_init.hpp"

namespace blender_bus::auth {

namespace json = boost::json;
using std::chrono::system_clock;

namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

TokenError error(TokenError::Kind kind, std::string reason) {
  return {kind, std::move(reason)};
}

json::array to_json(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

system_clock::time_point from_unix(std::int64_t seconds) {
  // A NumericDate may lie beyond what a time_point holds (nanoseconds: the
  // years 1678 to 2262); such a date is the earliest or latest one.
  constexpr std::int64_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::duration::max()).count();
  if (seconds >= kLimit) return system_clock::time_point::max();
  if (seconds <= -kLimit) return system_clock::time_point::min();
  return system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

TokenService::TokenService(TokenConfig config, Clock clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
  if (config_.secret.empty()) throw std::invalid_argument("token secret must not be empty");
  if (config_.issuer.empty()) throw std::invalid_argument("token issuer must not be empty");
  ensure_sodium();
}

IssuedToken TokenService::sign(json::object claims, std::string_view type,
                               std::chrono::seconds lifetime) const {
  const system_clock::time_point now = clock_();
  const system_clock::time_point expires_at =
      std::chrono::time_point_cast<std::chrono::seconds>(now) + lifetime;
  IssuedToken issued{{}, random_hex(16), expires_at};
  claims["token_type"] = type;
  claims["iss"] = config_.issuer;
  claims["iat"] = unix_seconds(now);
  claims["exp"] = unix_seconds(expires_at);
  claims["jti"] = issued.jti;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  const JwtPtr jwt(raw);
  const std::string text = json::serialize(claims);
  if (jwt_add_grants_json(jwt.get(), text.c_str()) != 0) {
    throw std::runtime_error("libjwt refused the token's claims");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                  reinterpret_cast<const unsigned char*>(config_.secret.data()),
                  static_cast<int>(config_.secret.size())) != 0) {
    throw std::runtime_error("libjwt refused the HS256 key");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error("libjwt could not encode a token");
  issued.token = encoded;
  std::free(encoded);  // libjwt 1.10 allocates with malloc and has no jwt_free_str
  return issued;
}

IssuedToken TokenService::issue_access(const Principal& principal, std::uint64_t generation,
                                       const AccessGrant& grant) const {
  json::object claims;
  claims["sub"] = principal.user_id;
  claims["username"] = principal.username;
  claims["roles"] = to_json(principal.roles);
  claims["scopes"] = to_json(principal.scopes);
  claims["gen"] = generation;
  if (!grant.client_id.empty()) {
    claims["aud"] = grant.audience;
    claims["client_id"] = grant.client_id;
    claims["grant"] = grant.grant_id;
  }
  return sign(std::move(claims), "access", config_.access_lifetime);
}

IssuedToken TokenService::issue_refresh(std::string_view user_id) const {
  json::object claims;
  claims["sub"] = user_id;
  return sign(std::move(claims), "refresh", config_.refresh_lifetime);
}

std::variant<json::object, TokenError> TokenService::verify_signed(std::string_view token) const {
  using Kind = TokenError::Kind;
  auto parts = split_jwt(token);
  if (!parts) return error(Kind::malformed, "malformed token");
  const json::object* header = &parts->header;
  json::object* claims = &parts->claims;

  // The one algorithm we sign with, spelled exactly; "none", "hs256",
  // HS384/512 (which libjwt would verify with our key) and RS/ES all fail.
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    return error(Kind::algorithm, "algorithm must be HS256");
  }
  // RFC 7515 §4.1.11: extensions we do not understand must be refused.
  if (header->contains("crit")) return error(Kind::malformed, "unsupported critical header");
  if (parts->signature.empty()) return error(Kind::signature, "signature verification failed");

  jwt_t* raw = nullptr;
  const std::string terminated(token);
  const int rc = jwt_decode(&raw, terminated.c_str(),
                            reinterpret_cast<const unsigned char*>(config_.secret.data()),
                            static_cast<int>(config_.secret.size()));
  const JwtPtr jwt(raw);
  if (rc != 0 || !jwt) return error(Kind::signature, "signature verification failed");
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
    return error(Kind::algorithm, "algorithm must be HS256");
  }

  const std::int64_t now = unix_seconds(clock_());
  const auto exp = numeric_date(*claims, "exp");
  if (!exp) return error(Kind::malformed, "missing exp");
  if (now >= *exp) return error(Kind::expired, "token has expired");
  if (claims->contains("nbf")) {
    const auto nbf = numeric_date(*claims, "nbf");
    if (!nbf || now < *nbf) return error(Kind::expired, "token is not yet valid");
  }
  const json::value* iss = claims->if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->as_string() != config_.issuer) {
    return error(Kind::issuer, "wrong issuer");
  }
  return std::move(*claims);
}

std::variant<AccessClaims, TokenError> TokenService::verify_access(std::string_view token) const {
  using Kind = TokenError::Kind;
  auto verified = verify_signed(token);
  if (auto* e = std::get_if<TokenError>(&verified)) return std::move(*e);
  const json::object& claims = std::get<json::object>(verified);

  const std::string type = string_claim(claims, "token_type");
  if (type == "refresh") return error(Kind::wrong_type, "refresh token used as access token");
  if (type != "access") return error(Kind::wrong_type, "not an access token");

  AccessClaims out;
  out.principal.user_id = string_claim(claims, "sub");
  if (out.principal.user_id.empty()) return error(Kind::missing_sub, "token missing sub");
  out.principal.username = string_claim(claims, "username");
  if (out.principal.username.empty()) out.principal.username = out.principal.user_id;
  auto roles = string_list_claim(claims, "roles");
  auto scopes = string_list_claim(claims, "scopes");
  if (!roles || !scopes) return error(Kind::malformed, "roles and scopes must be string lists");
  out.principal.roles = std::move(*roles);
  out.principal.scopes = std::move(*scopes);
  if (const json::value* gen = claims.if_contains("gen")) {
    if (gen->is_uint64()) {
      out.generation = gen->as_uint64();
    } else if (gen->is_int64() && gen->as_int64() >= 0) {
      out.generation = static_cast<std::uint64_t>(gen->as_int64());
    } else {
      return error(Kind::malformed, "gen must be a non-negative integer");
    }
  }
  // An audience list (RFC 7519 §4.1.3) is refused: we issue a single one.
  if (const json::value* aud = claims.if_contains("aud"); aud != nullptr && !aud->is_string()) {
    return error(Kind::malformed, "aud must be a string");
  }
  out.grant = {string_claim(claims, "aud"), string_claim(claims, "client_id"),
               string_claim(claims, "grant")};
  if (!out.grant.client_id.empty()) out.principal.credential = Credential::oauth_token;
  out.jti = string_claim(claims, "jti");
  out.expires_at = from_unix(*numeric_date(claims, "exp"));
  return out;
}

std::variant<RefreshClaims, TokenError> TokenService::verify_refresh(std::string_view token) const {
  using Kind = TokenError::Kind;
  auto verified = verify_signed(token);
  if (auto* e = std::get_if<TokenError>(&verified)) return std::move(*e);
  const json::object& claims = std::get<json::object>(verified);

  if (string_claim(claims, "token_type") != "refresh") {
    return error(Kind::wrong_type, "not a refresh token");
  }
  RefreshClaims out;
  out.user_id = string_claim(claims, "sub");
  if (out.user_id.empty()) return error(Kind::missing_sub, "token missing sub");
  out.jti = string_claim(claims, "jti");
  // Revocation is by jti, so a refresh token without one is unusable.
  if (out.jti.empty()) return error(Kind::malformed, "missing jti");
  out.expires_at = from_unix(*numeric_date(claims, "exp"));
  return out;
}

}  // namespace blender_bus::auth
