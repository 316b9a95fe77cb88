#include "cli/credentials.hpp"

#include "auth/random_text.hpp"
#include "cli/json_field.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace blender_bus::cli {

namespace json = boost::json;

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

}  // namespace

std::string Credentials::to_json() const {
  if (bare) return access_token + "\n";
  json::object object;
  if (!server.empty()) object["server"] = server;
  if (!username.empty()) object["username"] = username;
  object["access_token"] = access_token;
  if (!refresh_token.empty()) object["refresh_token"] = refresh_token;
  object["token_type"] = token_type;
  return json::serialize(object) + "\n";
}

Credentials parse_credentials(std::string_view text) {
  const std::string trimmed = trim(text);
  if (trimmed.empty()) throw std::invalid_argument("the credentials file is empty");
  Credentials credentials;
  if (trimmed.front() != '{') {
    if (trimmed.find_first_of(" \t\r\n") != std::string::npos) {
      throw std::invalid_argument("the token file holds more than one token");
    }
    credentials.access_token = trimmed;
    credentials.bare = true;
    return credentials;
  }
  boost::system::error_code ec;
  auto value = json::parse(trimmed, ec);
  if (ec || !value.is_object()) {
    throw std::invalid_argument("the credentials file is not valid JSON");
  }
  const auto& object = value.as_object();
  credentials.access_token = string_field(object, "access_token");
  if (credentials.access_token.empty()) {
    throw std::invalid_argument("the credentials file has no access_token");
  }
  credentials.refresh_token = string_field(object, "refresh_token");
  credentials.server = string_field(object, "server");
  credentials.username = string_field(object, "username");
  if (auto type = string_field(object, "token_type"); !type.empty()) credentials.token_type = type;
  return credentials;
}

std::filesystem::path credentials_path(const char* xdg_config_home, const char* home) {
  // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (xdg_config_home != nullptr && xdg_config_home[0] == '/') {
    return std::filesystem::path(xdg_config_home) / "blender-bus" / "credentials.json";
  }
  if (home != nullptr && home[0] != '\0') {
    return std::filesystem::path(home) / ".config" / "blender-bus" / "credentials.json";
  }
  throw std::runtime_error("neither XDG_CONFIG_HOME nor HOME is set; use --token-file");
}

std::filesystem::path default_credentials_path() {
  return credentials_path(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
}

std::optional<Credentials> load_credentials(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    fail("cannot read", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_credentials(text.str());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path.string() + ": " + e.what());
  }
}

void save_credentials(const std::filesystem::path& path, const Credentials& credentials) {
  const auto directory = path.parent_path();
  if (!directory.empty() && !std::filesystem::exists(directory)) {
    std::filesystem::create_directories(directory);
    std::filesystem::permissions(directory, std::filesystem::perms::owner_all);
  }
  // The temporary is created 0600 from the start, so the tokens are never
  // readable by others, not even for a moment. Its name is random and it must
  // be new (O_EXCL, and no link followed): someone who can write the directory
  // cannot have the tokens written through a link planted in advance.
  auto temporary = path;
  temporary += ".tmp-" + auth::random_hex(8);
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", temporary);
  const std::string text = credentials.to_json();
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      errno = saved;
      fail("cannot write", temporary);
    }
    written += static_cast<std::size_t>(n);
  }
  // An existing file keeps no wider mode than ours: fchmod covers a umask
  // that would have dropped bits, and the rename replaces any old mode.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    errno = saved;
    fail("cannot finish", temporary);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    errno = saved;
    fail("cannot replace", path);
  }
}

}  // namespace blender_bus::cli
