#include "auth/address_prefix.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace blender_bus::auth {

namespace {

constexpr std::size_t kMaxOtherBytes = 64;

}  // namespace

std::string address_prefix(std::string_view address) {
  const std::string text(address.substr(0, INET6_ADDRSTRLEN));
  std::array<unsigned char, 16> v6{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    ::inet_ntop(AF_INET, &v4, out.data(), out.size());
    return out.data();
  }
  if (::inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.data(), kMapped, sizeof kMapped) == 0) {
      std::memcpy(&v4, v6.data() + 12, 4);
      ::inet_ntop(AF_INET, &v4, out.data(), out.size());
      return out.data();
    }
    std::fill(v6.begin() + 8, v6.end(), 0);
    ::inet_ntop(AF_INET6, v6.data(), out.data(), out.size());
    return std::string(out.data()) + "/64";
  }
  return std::string(address.substr(0, kMaxOtherBytes));
}

}  // namespace blender_bus::auth
