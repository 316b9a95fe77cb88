#include "auth/user_bootstrap.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "auth/default_grants.hpp"
#include "auth/private_file.hpp"
#include "auth/random_text.hpp"

namespace blender_bus::auth {

namespace {

enum class Outcome { unchanged, created, reset };

Outcome ensure_user(UserStore& users, RefreshTokenStore& refresh_tokens, const std::string& name,
                    const std::string& password, const Grants& grants, const char* variable) {
  try {
    if (users.add(name, password, grants.roles, grants.scopes)) return Outcome::created;
    if (users.verify_credentials(name, password)) return Outcome::unchanged;
    users.set_password(name, password);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(variable) + ": " + e.what());
  }
  refresh_tokens.revoke_all(name, std::chrono::system_clock::now());
  return Outcome::reset;
}

bool is_set(const std::optional<std::string>& value) {
  return value && !value->empty();
}

}  // namespace

BootstrapResult bootstrap_users(UserStore& users, RefreshTokenStore& refresh_tokens,
                                const std::filesystem::path& data_dir,
                                const BootstrapConfig& config, std::ostream& out) {
  BootstrapResult result;
  if (is_set(config.admin_password)) {
    const Outcome o = ensure_user(users, refresh_tokens, "admin", *config.admin_password,
                                  admin_grants(), "ADMIN_PASSWORD");
    result.admin_created = o == Outcome::created;
    result.admin_reset = o == Outcome::reset;
    if (o != Outcome::unchanged) {
      spdlog::info("user 'admin' {} from ADMIN_PASSWORD",
                   result.admin_created ? "created" : "reset");
    }
  }
  if (is_set(config.demo_password)) {
    const Outcome o = ensure_user(users, refresh_tokens, "demo", *config.demo_password,
                                  user_grants(), "DEMO_PASSWORD");
    result.demo_created = o == Outcome::created;
    result.demo_reset = o == Outcome::reset;
    if (o != Outcome::unchanged) {
      spdlog::info("user 'demo' {} from DEMO_PASSWORD", result.demo_created ? "created" : "reset");
    }
  }
  if (is_set(config.admin_password) || is_set(config.demo_password) || users.count() != 0) {
    return result;
  }

  const std::string password = random_password();
  const Grants grants = admin_grants();
  // A concurrent first start may have won the race; then it reports instead.
  if (!users.add("admin", password, grants.roles, grants.scopes)) return result;
  result.admin_created = true;
  result.generated_admin_password = password;

  create_private_directories(data_dir);
  const std::filesystem::path file = data_dir / kInitialAdminPasswordFileName;
  // A file left from an earlier, deleted store would be stale.
  std::filesystem::remove(file);
  write_private_file_once(file, password + "\n");
  out << "Created user 'admin' with password: " << password << "\n"
      << "It is also in " << file.string() << " (mode 0600). Log in with POST /auth/login;\n"
      << "change it with `blender-bus user passwd admin --data-dir " << data_dir.string() << "`.\n"
      << std::flush;
  return result;
}

}  // namespace blender_bus::auth
