#pragma once

#include <string>
#include <utility>
#include <vector>

namespace blender_bus::auth {

// A transport-neutral HTTP request/response pair, so the /auth routes know no
// HTTP library. The transport fills the request and writes the response.
struct HttpRequestView {
  std::string method;         // "GET", "POST", …
  std::string path;           // without query, e.g. "/auth/login"
  std::string authorization;  // raw header value, "" when absent
  std::string body;
  std::string client_address{};  // the peer's IP address as text, "" when unknown
  std::string query{};           // the target after '?', undecoded; "" when none
  std::string cookie{};          // raw Cookie header value, "" when absent
  std::string origin{};          // the Origin header (a browser's page), "" when absent
};

struct HttpReply {
  unsigned status = 200;
  std::string body;  // JSON text, unless a Content-Type header says otherwise
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

}  // namespace blender_bus::auth
