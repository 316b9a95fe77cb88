#include "auth/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "auth/random_text.hpp"

namespace blender_bus::auth {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

bool write_private_file_once(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temp = path.string() + ".tmp-" + random_hex(8);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("creating", temp);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      errno = saved;
      fail("writing", temp);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!synced) {
    ::unlink(temp.c_str());
    errno = saved;
    fail("syncing", temp);
  }
  // link(2) fails with EEXIST instead of replacing, unlike rename(2): the
  // first writer wins and a secret in use is never overwritten.
  const bool linked = ::link(temp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked) return true;
  if (link_errno == EEXIST) return false;
  errno = link_errno;
  fail("creating", path);
}

void create_private_directories(const std::filesystem::path& dir) {
  if (dir.empty()) return;
  if (std::filesystem::is_directory(dir)) return;
  create_private_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("creating directory", dir);
}

}  // namespace blender_bus::auth
