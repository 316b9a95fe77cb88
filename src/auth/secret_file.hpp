#pragma once

#include <filesystem>
#include <string>

#include "auth/secret_store.hpp"

namespace blender_bus::auth {

// Name of the generated secret inside the data directory.
inline constexpr const char* kSecretKeyFileName = "secret.key";

// The secret in `<data_dir>/secret.key`: created on first use from 32 random
// bytes, written as 64 hex digits with mode 0600 (creating `data_dir`, mode
// 0700, when missing), and read again on every later start so that a
// restart keeps tokens valid. The file's text is the key, so copying it into
// OAUTH_SECRET_KEY signs the same tokens.
class SecretFile final : public SecretStore {
 public:
  explicit SecretFile(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}
  std::string load_or_create() override;

 private:
  std::filesystem::path data_dir_;
};

}  // namespace blender_bus::auth
