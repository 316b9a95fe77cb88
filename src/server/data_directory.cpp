#include "server/data_directory.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "auth/private_file.hpp"

namespace blender_bus::server {

namespace {

std::string refusal(const std::filesystem::path& path, const std::string& what, int error) {
  return "data directory " + path.string() + ": " + what + ": " + std::strerror(error) +
         " (choose another with --data-dir, or give this user write access)";
}

}  // namespace

std::optional<std::string> prepare_data_directory(const std::filesystem::path& dir,
                                                  const std::filesystem::path& database_file) {
  // New directories are 0700: the store holds password hashes, the secret sits beside it.
  try {
    auth::create_private_directories(dir);
  } catch (const std::exception&) {
    return refusal(dir, "cannot create it", errno);
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return refusal(dir, "not a directory", ENOTDIR);
  // Writing needs w and x on the directory; access() also sees a read-only mount.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return refusal(dir, "not writable", errno);
  const auto database = dir / database_file;
  if (::access(database.c_str(), F_OK) == 0 && ::access(database.c_str(), R_OK | W_OK) != 0) {
    return refusal(dir, database_file.string() + " is not writable", errno);
  }
  return std::nullopt;
}

}  // namespace blender_bus::server
