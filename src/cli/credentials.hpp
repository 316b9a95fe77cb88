#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::cli {

// What `login` keeps and every other command uses. On disk it is a JSON
// object readable by the Blender worker's --token-file too (it takes
// `access_token` and `refresh_token` and ignores the rest). A token file may
// also hold a bare access token.
struct Credentials {
  std::string server;  // base URL logged in to ("" when unknown)
  std::string username;
  std::string access_token;
  std::string refresh_token;  // "" when the file held a bare token
  std::string token_type = "bearer";
  bool bare = false;  // the file held just the token, not JSON

  std::string to_json() const;
};

// Reads a credentials file's text: the JSON object, or a bare token.
// Throws std::invalid_argument when it is neither.
Credentials parse_credentials(std::string_view text);

// $XDG_CONFIG_HOME/blender-bus/credentials.json, else
// $HOME/.config/blender-bus/credentials.json. Throws std::runtime_error when
// neither variable is set. Takes the variables so that tests can choose.
std::filesystem::path credentials_path(const char* xdg_config_home, const char* home);
// The same, from the process environment.
std::filesystem::path default_credentials_path();

// nullopt when the file does not exist; throws when it cannot be read/parsed.
std::optional<Credentials> load_credentials(const std::filesystem::path& path);

// Writes atomically (temporary file, then rename) with mode 0600, creating
// the directory with mode 0700 if needed. A bare credentials stays bare.
void save_credentials(const std::filesystem::path& path, const Credentials& credentials);

}  // namespace blender_bus::cli
