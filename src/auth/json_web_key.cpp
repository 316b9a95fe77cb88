#include "auth/json_web_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <vector>

#include "auth/jwt_parts.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

struct JsonWebKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// A base64url member's bytes; nullopt when absent, not a string or not base64url.
std::optional<std::string> member_bytes(const json::object& jwk, std::string_view name) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  auto bytes = base64url_decode(v->as_string());
  if (!bytes || bytes->empty()) return std::nullopt;
  return bytes;
}

BnPtr big_number(const std::string& bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// A public key made from `params`, of OpenSSL type `type` ("RSA" or "EC").
EVP_PKEY* key_from(const char* type, OSSL_PARAM_BLD* builder) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder));
  if (!params) return nullptr;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return pkey;
}

EVP_PKEY* rsa_key(const json::object& jwk, std::string& problem) {
  const auto n = member_bytes(jwk, "n");
  const auto e = member_bytes(jwk, "e");
  if (!n || !e) return problem = "RSA key needs n and e", nullptr;
  std::size_t leading = n->find_first_not_of('\0');
  if (leading == std::string::npos || (n->size() - leading) * 8 < 2048) {
    return problem = "RSA key shorter than 2048 bits", nullptr;
  }
  BnPtr bn_n = big_number(*n), bn_e = big_number(*e);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return problem = "RSA key unreadable", nullptr;
  }
  EVP_PKEY* pkey = key_from("RSA", builder.get());
  if (pkey == nullptr) problem = "RSA key unreadable";
  return pkey;
}

EVP_PKEY* ec_key(const json::object& jwk, std::string& problem) {
  const json::value* crv = jwk.if_contains("crv");
  if (crv == nullptr || !crv->is_string() || crv->as_string() != "P-256") {
    return problem = "EC key must be on P-256", nullptr;
  }
  const auto x = member_bytes(jwk, "x");
  const auto y = member_bytes(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) {
    return problem = "EC key needs 32-byte x and y", nullptr;
  }
  std::string point = "\x04" + *x + *y;  // uncompressed SEC 1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return problem = "EC key unreadable", nullptr;
  }
  EVP_PKEY* pkey = key_from("EC", builder.get());
  if (pkey == nullptr) problem = "EC key is not a point on P-256";
  return pkey;
}

// JOSE's ECDSA signature is r||s; OpenSSL verifies the DER form.
std::optional<std::vector<unsigned char>> ecdsa_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<unsigned char> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

}  // namespace

std::optional<JwsAlgorithm> jws_algorithm(std::string_view alg) {
  if (alg == "RS256") return JwsAlgorithm::rs256;
  if (alg == "ES256") return JwsAlgorithm::es256;
  return std::nullopt;
}

JsonWebKey::JsonWebKey(std::string kid, JwsAlgorithm algorithm, std::shared_ptr<const Key> key)
    : kid_(std::move(kid)), algorithm_(algorithm), key_(std::move(key)) {}

std::optional<JsonWebKey> JsonWebKey::from_json(const json::object& jwk, std::string& problem) {
  const json::value* kty = jwk.if_contains("kty");
  if (kty == nullptr || !kty->is_string()) return problem = "key without kty", std::nullopt;
  if (const json::value* use = jwk.if_contains("use"); use && *use != "sig") {
    return problem = "key not for signatures", std::nullopt;
  }
  if (jwk.contains("d")) return problem = "a private key", std::nullopt;
  const json::value* kid = jwk.if_contains("kid");
  std::string key_id = kid && kid->is_string() ? std::string(kid->as_string()) : std::string();
  JwsAlgorithm algorithm;
  EVP_PKEY* pkey = nullptr;
  if (kty->as_string() == "RSA") {
    algorithm = JwsAlgorithm::rs256;
    pkey = rsa_key(jwk, problem);
  } else if (kty->as_string() == "EC") {
    algorithm = JwsAlgorithm::es256;
    pkey = ec_key(jwk, problem);
  } else {
    return problem =
               "unsupported kty '" + std::string(kty->as_string().subview().substr(0, 16)) + "'",
           std::nullopt;
  }
  if (pkey == nullptr) return std::nullopt;
  // A key that names its algorithm must name ours for its type.
  if (const json::value* alg = jwk.if_contains("alg")) {
    if (!alg->is_string() || jws_algorithm(alg->as_string()) != algorithm) {
      EVP_PKEY_free(pkey);
      return problem = "key's alg does not match its type", std::nullopt;
    }
  }
  auto key = std::make_shared<Key>();
  key->pkey = pkey;
  return JsonWebKey(std::move(key_id), algorithm, std::move(key));
}

bool JsonWebKey::verifies(JwsAlgorithm algorithm, std::string_view signing_input,
                          std::string_view signature) const {
  if (algorithm != algorithm_) return false;
  std::vector<unsigned char> bytes;
  if (algorithm == JwsAlgorithm::es256) {
    auto der = ecdsa_der(signature);
    if (!der) return false;
    bytes = std::move(*der);
  } else {
    bytes.assign(signature.begin(), signature.end());
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), bytes.data(), bytes.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

}  // namespace blender_bus::auth
