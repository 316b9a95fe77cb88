#pragma once

// Shared helpers of the auth unit tests: a temporary directory, a clock the
// test moves, and hand-built JWTs (so that tokens our TokenService would
// never issue — alg none, HS512, RS256, missing claims — can be tried).

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "auth/clock.hpp"

namespace blender_bus::auth::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("bb-auth-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A clock that stands still until the test advances it.
class FakeClock {
 public:
  FakeClock()
      : now_(std::make_shared<std::chrono::system_clock::time_point>(
            std::chrono::sys_days{std::chrono::year{2025} / 6 / 1})) {}
  Clock clock() const {
    return [now = now_] { return *now; };
  }
  void advance(std::chrono::seconds by) { *now_ += by; }
  std::int64_t unix() const { return unix_seconds(*now_); }

 private:
  std::shared_ptr<std::chrono::system_clock::time_point> now_;
};

inline std::string base64url(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.find('\0'));
  return out;
}

inline std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

enum class Signing { hs256, hs512, none, fake };

// header.payload.signature from raw JSON texts.
inline std::string make_jwt(const std::string& header_json, const std::string& payload_json,
                            std::string_view key, Signing signing = Signing::hs256) {
  const std::string input = base64url(header_json) + "." + base64url(payload_json);
  switch (signing) {
    case Signing::hs256:
      return input + "." + base64url(hmac(EVP_sha256(), key, input));
    case Signing::hs512:
      return input + "." + base64url(hmac(EVP_sha512(), key, input));
    case Signing::none:
      return input + ".";
    case Signing::fake:
      return input + "." + base64url(std::string(256, 'x'));
  }
  return input;
}

inline std::string make_jwt(const boost::json::object& header, const boost::json::object& payload,
                            std::string_view key, Signing signing = Signing::hs256) {
  return make_jwt(boost::json::serialize(header), boost::json::serialize(payload), key, signing);
}

}  // namespace blender_bus::auth::testing
