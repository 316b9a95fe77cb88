#include "cli/server_url.hpp"

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace blender_bus::cli {

ServerUrl ServerUrl::parse(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    throw std::invalid_argument("not a URL: '" + std::string(text) +
                                "' (expected e.g. http://127.0.0.1:8000)");
  }
  const auto& url = *parsed;
  if (url.scheme() != "http" && url.scheme() != "https") {
    throw std::invalid_argument("unsupported scheme '" + std::string(url.scheme()) + "' in '" +
                                std::string(text) + "': http:// or https://");
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    throw std::invalid_argument("no host in '" + std::string(text) + "'");
  }
  if (url.has_query() || url.has_fragment() || url.has_userinfo()) {
    throw std::invalid_argument("the server address takes no query, fragment or user: '" +
                                std::string(text) + "'");
  }
  ServerUrl result;
  result.secure_ = url.scheme() == "https";
  std::string host(url.encoded_host_address());
  result.host_ = host;
  result.port_ =
      url.has_port() ? std::string(url.port()) : std::string(result.secure_ ? "443" : "80");
  const bool ipv6 = url.host_type() == boost::urls::host_type::ipv6;
  const std::string bracketed = ipv6 ? "[" + host + "]" : host;
  result.authority_ = bracketed + (url.has_port() ? ":" + result.port_ : "");
  std::string path(url.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  result.path_ = path;
  result.base_ =
      std::string(result.secure_ ? "https://" : "http://") + bracketed + ":" + result.port_ + path;
  return result;
}

std::string ServerUrl::target(std::string_view path) const {
  std::string result = path_;
  result.append(path);
  return result;
}

}  // namespace blender_bus::cli
