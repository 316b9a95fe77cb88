#include "transport/origin_guard.hpp"

#include <boost/algorithm/string.hpp>
#include <boost/url/parse.hpp>

namespace blender_bus::transport {

namespace {
std::string lower(std::string_view text) {
  return boost::algorithm::to_lower_copy(std::string(text));
}

std::string strip_brackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

bool is_loopback_name(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}
}  // namespace

OriginGuard::OriginGuard(std::string own_host, const std::vector<std::string>& extra_origins) {
  hosts_ = {"localhost", "127.0.0.1", "::1"};
  own_host = strip_brackets(lower(own_host));
  loopback_only_ = is_loopback_name(own_host);
  if (own_host != "0.0.0.0" && own_host != "::") hosts_.insert(own_host);
  for (const auto& origin : extra_origins) {
    if (origin == "*") {
      any_origin_ = true;
    } else {
      std::string normalized = lower(origin);
      while (!normalized.empty() && normalized.back() == '/') normalized.pop_back();
      origins_.insert(normalized);
    }
  }
}

bool OriginGuard::host_name_allowed(std::string_view host_name) const {
  return hosts_.contains(strip_brackets(lower(host_name)));
}

bool OriginGuard::origin_allowed(std::string_view origin) const {
  if (origin.empty() || any_origin_) return true;
  std::string normalized = lower(origin);
  if (origins_.contains(normalized)) return true;
  auto url = boost::urls::parse_absolute_uri(normalized);
  if (!url || (url->scheme() != "http" && url->scheme() != "https")) return false;
  return host_name_allowed(url->host());
}

bool OriginGuard::host_allowed(std::string_view host) const {
  if (host.empty() || !loopback_only_) return true;
  // Host is "name[:port]" or "[v6]:port".
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    name = name.substr(0, name.find(']') + 1);
  } else if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  if (host_name_allowed(name)) return true;
  // An allowed extra origin also vouches for its host name.
  for (const auto& origin : origins_) {
    auto url = boost::urls::parse_absolute_uri(origin);
    if (url && lower(url->host()) == lower(name)) return true;
  }
  return any_origin_;
}

}  // namespace blender_bus::transport
