#include "cli/http_message.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace blender_bus::cli {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string detail_of(const std::string& body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (!ec && value.is_object()) {
    if (const auto* detail = value.as_object().if_contains("detail");
        detail && detail->is_string()) {
      return std::string(detail->as_string());
    }
    // A JSON-RPC error body (400 with -32600 etc.).
    if (const auto* error = value.as_object().if_contains("error"); error && error->is_object()) {
      if (const auto* text = error->as_object().if_contains("message"); text && text->is_string()) {
        return std::string(text->as_string());
      }
    }
  }
  return body;
}

}  // namespace

void HttpHeaders::set(std::string name, std::string value) {
  for (auto& [key, existing] : fields) {
    if (iequals(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  fields.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HttpHeaders::get(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string HttpResponseHead::media_type() const {
  std::string type(headers.get("Content-Type").value_or(""));
  if (const auto semicolon = type.find(';'); semicolon != std::string::npos) type.resize(semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

namespace {
// Built by appending: GCC 12 misreads a chain of operator+ here (-Wrestrict).
std::string describe(const std::string& context, unsigned status, const std::string& body) {
  std::string text = context;
  text.append(": HTTP ").append(std::to_string(status));
  if (!body.empty()) text.append(" ").append(detail_of(body));
  return text;
}
}  // namespace

HttpError::HttpError(unsigned status, std::string body, std::string context)
    : std::runtime_error(describe(context, status, body)),
      status_(status),
      body_(std::move(body)) {}

std::string HttpError::detail() const {
  return detail_of(body_);
}

NetworkError::NetworkError(boost::system::error_code code, const std::string& context)
    : std::runtime_error(context + ": " + code.message()), code_(code) {}

}  // namespace blender_bus::cli
