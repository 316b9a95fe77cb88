#pragma once

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// The signature algorithms an external issuer's tokens may use: RSA PKCS#1
// v1.5 and ECDSA P-256, both with SHA-256. Nothing symmetric: a public key is
// never an HMAC secret, which is how "HS256 signed with the public key"
// forgeries are refused.
enum class JwsAlgorithm { rs256, es256 };

std::optional<JwsAlgorithm> jws_algorithm(std::string_view alg);

// One public key of a JWK Set (RFC 7517): an RSA key (kty RSA, n, e) or an
// EC P-256 key (kty EC, crv P-256, x, y), held as an OpenSSL key. Immutable
// and thread-safe once made.
class JsonWebKey {
 public:
  // Nullopt, with `problem` set, for a key we do not take: another kty or
  // curve, a private key, a missing or malformed member, an RSA modulus
  // under 2048 bits, or a `use` other than "sig".
  static std::optional<JsonWebKey> from_json(const boost::json::object& jwk, std::string& problem);

  const std::string& kid() const { return kid_; }
  JwsAlgorithm algorithm() const { return algorithm_; }

  // True when `signature` (the JWS signature bytes: PKCS#1 for RS256, r||s
  // for ES256) signs `signing_input` under this key with `algorithm`, which
  // must be this key's.
  bool verifies(JwsAlgorithm algorithm, std::string_view signing_input,
                std::string_view signature) const;

 private:
  struct Key;
  JsonWebKey(std::string kid, JwsAlgorithm algorithm, std::shared_ptr<const Key> key);

  std::string kid_;
  JwsAlgorithm algorithm_;
  std::shared_ptr<const Key> key_;
};

}  // namespace blender_bus::auth
