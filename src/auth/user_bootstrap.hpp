#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "auth/refresh_token_store.hpp"
#include "auth/user_store.hpp"

namespace blender_bus::auth {

inline constexpr const char* kInitialAdminPasswordFileName = "initial-admin-password";

// The start-up environment that concerns users, as the composition root read
// it (nullopt or "" when unset).
struct BootstrapConfig {
  std::optional<std::string> admin_password;  // ADMIN_PASSWORD
  std::optional<std::string> demo_password;   // DEMO_PASSWORD
};

// What bootstrap_users did, for logs and tests.
struct BootstrapResult {
  bool admin_created = false;
  bool admin_reset = false;
  bool demo_created = false;
  bool demo_reset = false;
  // Set when the first start generated the admin password.
  std::optional<std::string> generated_admin_password;
};

// At start-up:
// - ADMIN_PASSWORD / DEMO_PASSWORD, when set, create `admin` (admin grants) /
//   `demo` (user grants), or reset that user's password when it differs from
//   the stored one (then their refresh tokens are revoked); an unchanged
//   password changes nothing, so restarts do not log anyone out.
// - Otherwise, on the very first start (no user at all), creates `admin` with
//   a random password, prints it once to `out` and writes it to
//   `<data_dir>/initial-admin-password` (mode 0600).
// Throws std::invalid_argument when a configured password is unusable (e.g.
// longer than PasswordHasher::kMaxPasswordBytes), naming the variable.
BootstrapResult bootstrap_users(UserStore& users, RefreshTokenStore& refresh_tokens,
                                const std::filesystem::path& data_dir,
                                const BootstrapConfig& config, std::ostream& out);

}  // namespace blender_bus::auth
