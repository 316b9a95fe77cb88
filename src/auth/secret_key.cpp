#include "auth/secret_key.hpp"

#include <stdexcept>

namespace blender_bus::auth {

std::string signing_secret(const std::optional<std::string>& configured, SecretStore& stored) {
  if (configured && !configured->empty()) {
    if (configured->size() < kMinimumSecretBytes) {
      throw std::runtime_error(
          "OAUTH_SECRET_KEY is " + std::to_string(configured->size()) +
          " bytes; it needs at least " + std::to_string(kMinimumSecretBytes) +
          " (e.g. `openssl rand -hex 32`), or unset it to use a generated one");
    }
    return *configured;
  }
  return stored.load_or_create();
}

std::string load_or_create_secret_key(const std::optional<std::string>& configured,
                                      const std::filesystem::path& data_dir) {
  SecretFile file(data_dir);
  return signing_secret(configured, file);
}

}  // namespace blender_bus::auth
