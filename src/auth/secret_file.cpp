#include "auth/secret_file.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "auth/private_file.hpp"
#include "auth/random_text.hpp"

namespace blender_bus::auth {

namespace {

std::string read_secret_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Tolerate an editor's trailing newline: it is not part of the key.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() < kMinimumSecretBytes) {
    throw std::runtime_error(path.string() + " holds fewer than " +
                             std::to_string(kMinimumSecretBytes) +
                             " characters; delete it to generate a new secret");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("{} is readable by other users; chmod 600 it", path.string());
  }
  return text;
}

}  // namespace

std::string SecretFile::load_or_create() {
  create_private_directories(data_dir_);
  const std::filesystem::path path = data_dir_ / kSecretKeyFileName;
  if (!std::filesystem::exists(path) && write_private_file_once(path, random_hex(32) + "\n")) {
    spdlog::info("generated a new token signing secret in {}", path.string());
  }
  return read_secret_file(path);
}

}  // namespace blender_bus::auth
