#include "auth/redirect_uri.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace blender_bus::auth {

namespace {

bool loopback_host(const boost::urls::url_view& url) {
  const std::string host(url.encoded_host_address());
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost";
}

bool is_loopback(const boost::urls::url_view& url) {
  return url.scheme_id() == boost::urls::scheme::http && loopback_host(url);
}

// The URI with its port left out, for the loopback comparison.
std::string without_port(boost::urls::url_view url) {
  boost::urls::url copy(url);
  copy.remove_port();
  return std::string(copy.buffer());
}

}  // namespace

bool is_loopback_redirect(std::string_view uri) {
  auto url = boost::urls::parse_absolute_uri(uri);
  return url && is_loopback(*url);
}

bool redirect_uri_matches(const std::vector<std::string>& registered, std::string_view requested) {
  if (std::find(registered.begin(), registered.end(), requested) != registered.end()) return true;
  auto wanted = boost::urls::parse_absolute_uri(requested);
  if (!wanted || !is_loopback(*wanted)) return false;
  const std::string key = without_port(*wanted);
  return std::any_of(registered.begin(), registered.end(), [&key](const std::string& uri) {
    auto url = boost::urls::parse_absolute_uri(uri);
    return url && is_loopback(*url) && without_port(*url) == key;
  });
}

std::string redirect_uri_problem(std::string_view uri, bool native) {
  if (uri.size() > 2000) return "redirect_uri is longer than 2000 characters";
  auto url = boost::urls::parse_absolute_uri(uri);
  if (!url) return "redirect_uri must be an absolute URI";
  if (url->has_fragment()) return "redirect_uri must not have a fragment";
  if (url->scheme_id() == boost::urls::scheme::https) {
    if (url->encoded_host().empty()) return "an https redirect_uri needs a host";
    return {};
  }
  if (url->scheme_id() == boost::urls::scheme::http) {
    if (is_loopback(*url)) return {};
    return "an http redirect_uri must be on loopback (127.0.0.1, [::1] or localhost)";
  }
  // A private-use scheme names the app in reverse-DNS form (RFC 8252 §7.1).
  if (!native) return "a web application's redirect_uri must be https";
  if (url->scheme().find('.') == std::string_view::npos) {
    return "a private-use redirect_uri scheme must be a reverse domain name (com.example.app)";
  }
  const std::string scheme(url->scheme());
  if (scheme == "javascript" || scheme == "data" || scheme == "file") {
    return "redirect_uri scheme not allowed";
  }
  return {};
}

std::string redirect_host(std::string_view uri) {
  auto url = boost::urls::parse_absolute_uri(uri);
  if (!url) return std::string(uri);
  if (url->has_authority() && !url->encoded_host().empty()) return std::string(url->encoded_host());
  return std::string(url->scheme());
}

}  // namespace blender_bus::auth
