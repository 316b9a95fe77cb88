#include "transport/mcp_cors.hpp"

#include <boost/algorithm/string.hpp>
#include <cctype>

namespace blender_bus::transport {

namespace {

std::string normalized(std::string_view origin) {
  std::string out = boost::algorithm::to_lower_copy(std::string(origin));
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string_view field(const HttpRequest& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

// RFC 9110 tchar.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Access-Control-Request-Headers' names that are header names, as a list.
std::string allowed_headers(std::string_view requested) {
  std::string out;
  std::vector<std::string> names;
  boost::algorithm::split(names, requested, boost::algorithm::is_any_of(","));
  for (auto& name : names) {
    boost::algorithm::trim(name);
    if (!is_token(name)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version"
                     : out;
}

constexpr std::string_view kMethods = "GET, POST, DELETE";

}  // namespace

McpCors::McpCors(const std::vector<std::string>& allowed_origins) {
  for (const auto& origin : allowed_origins) {
    if (origin == "*") {
      any_ = true;
    } else {
      origins_.insert(normalized(origin));
    }
  }
}

bool McpCors::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return any_ || origins_.contains(normalized(origin));
}

std::optional<HttpResponse> McpCors::preflight(const HttpRequest& header) const {
  if (header.method() != http::verb::options) return std::nullopt;
  const std::string_view origin = field(header, "Origin");
  const std::string_view method = field(header, "Access-Control-Request-Method");
  if (!allows(origin) || method.empty()) return std::nullopt;
  HttpResponse response{http::status::no_content, header.version()};
  response.set(http::field::server, "blender-bus");
  response.set(http::field::access_control_allow_origin, origin);
  response.set(http::field::access_control_allow_methods, kMethods);
  response.set(http::field::access_control_allow_headers,
               allowed_headers(field(header, "Access-Control-Request-Headers")));
  response.set(http::field::access_control_max_age, "600");
  response.set(http::field::vary,
               "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  response.keep_alive(header.keep_alive());
  response.prepare_payload();
  return response;
}

ResponseFields McpCors::response_fields(const HttpRequest& header) const {
  const std::string_view origin = field(header, "Origin");
  if (!allows(origin)) return {};
  return {
      {"Access-Control-Allow-Origin", std::string(origin)},
      {"Access-Control-Expose-Headers", "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate"},
      {"Vary", "Origin"}};
}

}  // namespace blender_bus::transport
