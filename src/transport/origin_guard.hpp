#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace blender_bus::transport {

// DNS-rebinding guard (MCP Streamable HTTP security requirement). A request
// whose Origin names a host other than this server's own or loopback is
// refused; so is a Host header naming a foreign host while the server listens
// on loopback (a rebinding page reaches a local server under its own name).
class OriginGuard {
 public:
  // `own_host`: the --host the server binds; `extra_origins`: --allow-origin
  // values, each a full origin ("https://app.example.com") or "*".
  OriginGuard(std::string own_host, const std::vector<std::string>& extra_origins);

  bool origin_allowed(std::string_view origin) const;  // "" (absent) is allowed
  bool host_allowed(std::string_view host) const;      // "" (absent) is allowed

 private:
  bool host_name_allowed(std::string_view host_name) const;

  std::set<std::string, std::less<>> hosts_;    // lowercase host names, IPv6 without brackets
  std::set<std::string, std::less<>> origins_;  // lowercase full origins
  bool any_origin_ = false;
  bool loopback_only_ = false;
};

}  // namespace blender_bus::transport
