#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "auth/secret_file.hpp"
#include "auth/secret_store.hpp"

namespace blender_bus::auth {

// The HS256 signing secret.
//
// `configured` is OAUTH_SECRET_KEY as the composition root read it (nullopt
// or "" when unset): when set, it is used as is (its bytes are the HMAC key);
// shorter than 32 bytes, it is refused (std::runtime_error saying so).
// Otherwise the secret is the one `stored` keeps (created on first use).
std::string signing_secret(const std::optional<std::string>& configured, SecretStore& stored);

// signing_secret with the secret kept in `<data_dir>/secret.key` (SecretFile).
std::string load_or_create_secret_key(const std::optional<std::string>& configured,
                                      const std::filesystem::path& data_dir);

}  // namespace blender_bus::auth
