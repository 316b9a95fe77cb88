// The JWT check (auth/token_service) on arbitrary bytes as a bearer token.
// The first byte picks the mode:
//   even: the rest is the token text, as a client sends it;
//   odd:  the rest is "<header JSON>\n<claims JSON>", which the harness
//         encodes and signs with the server's key, so that the checks after
//         the signature (alg, exp, nbf, iss, token_type, sub, roles) are
//         reached with any claims at all.
//
// Invariants: a token is accepted only when its third part is the HMAC-SHA256
// of the first two under the server's key (computed here, apart from libjwt),
// and when the claims say what the server requires (alg exactly HS256, no
// crit, exp after now, nbf not after now, our iss, the right token_type, a
// sub, string lists of roles and scopes); the accepted principal is the
// token's sub. A token the service issued itself is accepted.
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/token_service.hpp"
#include "fuzz_check.hpp"

namespace {

namespace auth = blender_bus::auth;
namespace json = boost::json;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::string_view kSecret = "fuzzing-secret-fuzzing-secret-32";
constexpr std::string_view kIssuer = "http://127.0.0.1:8000";

const auth::TokenService& service() {
  static const auth::TokenService instance(
      auth::TokenConfig{std::string(kSecret), std::string(kIssuer)},
      [] { return std::chrono::system_clock::time_point(std::chrono::seconds(kNow)); });
  return instance;
}

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string hmac_sha256(std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kSecret.data()),
                              kSecret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  return mac;
}

std::optional<json::object> part_object(std::string_view part) {
  const auto bytes = unbase64url(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(*bytes, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<std::int64_t> numeric(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 1e17) {
    return static_cast<std::int64_t>(std::floor(v->get_double()));
  }
  return std::nullopt;
}

bool string_list_or_absent(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return true;
  if (!v->is_array()) return false;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return false;
  }
  return true;
}

// What every accepted token must be, whichever kind.
void check_accepted(std::string_view token, std::string_view type) {
  const std::size_t dot1 = token.find('.');
  FUZZ_CHECK(dot1 != std::string_view::npos, "accepted a token without parts");
  const std::size_t dot2 = token.find('.', dot1 + 1);
  FUZZ_CHECK(dot2 != std::string_view::npos && token.find('.', dot2 + 1) == std::string_view::npos,
             "accepted a token that is not three parts");
  const auto signature = unbase64url(token.substr(dot2 + 1));
  FUZZ_CHECK(signature && *signature == hmac_sha256(token.substr(0, dot2)),
             "accepted a token not signed with the server's key");
  const auto header = part_object(token.substr(0, dot1));
  const auto claims = part_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  FUZZ_CHECK(header && claims, "accepted a token whose parts are not JSON objects");
  const json::value* alg = header->if_contains("alg");
  FUZZ_CHECK(alg && alg->is_string() && alg->get_string() == "HS256",
             "accepted an algorithm other than HS256");
  FUZZ_CHECK(!header->contains("crit"), "accepted a critical header");
  const auto exp = numeric(*claims, "exp");
  FUZZ_CHECK(exp && *exp > kNow, "accepted an expired token or one without exp");
  if (claims->contains("nbf")) {
    const auto nbf = numeric(*claims, "nbf");
    FUZZ_CHECK(nbf && *nbf <= kNow, "accepted a token before its nbf");
  }
  const json::value* iss = claims->if_contains("iss");
  FUZZ_CHECK(iss && iss->is_string() && iss->get_string() == kIssuer, "accepted a foreign issuer");
  const json::value* token_type = claims->if_contains("token_type");
  FUZZ_CHECK(token_type && token_type->is_string() && token_type->get_string() == type,
             "accepted the wrong token_type");
  const json::value* sub = claims->if_contains("sub");
  FUZZ_CHECK(sub && sub->is_string() && !sub->get_string().empty(), "accepted a token without sub");
}

void verify(std::string_view token) {
  const auto& tokens = service();
  auto access = tokens.verify_access(token);
  if (const auto* claims = std::get_if<auth::AccessClaims>(&access)) {
    check_accepted(token, "access");
    const auto parsed =
        part_object(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
    FUZZ_CHECK(claims->principal.user_id == parsed->at("sub").get_string(),
               "the principal is not the token's sub");
    FUZZ_CHECK(string_list_or_absent(*parsed, "roles") && string_list_or_absent(*parsed, "scopes"),
               "accepted roles or scopes that are not string lists");
  } else {
    FUZZ_CHECK(!std::get<auth::TokenError>(access).reason.empty(), "a refusal without a reason");
  }
  auto refresh = tokens.verify_refresh(token);
  if (const auto* claims = std::get_if<auth::RefreshClaims>(&refresh)) {
    check_accepted(token, "refresh");
    FUZZ_CHECK(!claims->jti.empty() && !claims->user_id.empty(),
               "accepted a refresh token without jti or sub");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  static const bool issued_ok = [] {
    const auto& tokens = service();
    const auto issued = tokens.issue_access(auth::Principal{"alice", "alice", {"user"}, {"bus"}});
    return std::holds_alternative<auth::AccessClaims>(tokens.verify_access(issued.token)) &&
           std::holds_alternative<auth::RefreshClaims>(
               tokens.verify_refresh(tokens.issue_refresh("alice").token));
  }();
  FUZZ_CHECK(issued_ok, "the service refused a token it issued");

  const std::string_view rest(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  if (bytes[0] % 2 == 0) {
    verify(rest);
    return 0;
  }
  const std::size_t newline = rest.find('\n');
  const std::string_view header = rest.substr(0, newline);
  const std::string_view claims =
      newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
  const std::string signing_input = base64url(header) + "." + base64url(claims);
  verify(signing_input + "." + base64url(hmac_sha256(signing_input)));
  return 0;
}
