#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace blender_bus::auth {

// Name of the generated secret inside the data directory.
inline constexpr const char* kSecretKeyFileName = "secret.key";

// The HS256 signing secret.
//
// `configured` is OAUTH_SECRET_KEY as the composition root read it (nullopt
// or "" when unset): when set, it is used as is (its bytes are the HMAC key);
// shorter than 32 bytes, it is refused (std::runtime_error saying so).
// Otherwise the secret is `<data_dir>/secret.key`: created on first use from
// 32 random bytes, written as 64 hex digits with mode 0600, and read again on
// every later start so that a restart keeps tokens valid. The file's text is
// the key, so copying it into OAUTH_SECRET_KEY signs the same tokens.
//
// Creates `data_dir` (mode 0700) when missing. Throws std::runtime_error when
// the file cannot be written or read, or is too short to be a secret.
std::string load_or_create_secret_key(const std::optional<std::string>& configured,
                                      const std::filesystem::path& data_dir);

}  // namespace blender_bus::auth
