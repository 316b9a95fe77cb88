#include "mcp/modern_request.hpp"

#include <sodium.h>

#include "mcp/protocol_version.hpp"

namespace blender_bus::mcp {

namespace json = boost::json;

namespace {

constexpr std::string_view kProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kClientInfoKey = "io.modelcontextprotocol/clientInfo";
constexpr std::string_view kLogLevelKey = "io.modelcontextprotocol/logLevel";

ModernRejection reject(int code, std::string message, json::value data = nullptr) {
  return ModernRejection{RpcError{code, std::move(message), std::move(data)}, 400};
}

ModernRejection invalid_meta(std::string what) {
  return reject(error_code::invalid_params, "Invalid params: " + std::move(what));
}

ModernRejection header_mismatch(std::string what) {
  return reject(error_code::header_mismatch, "Header mismatch: " + std::move(what));
}

std::string_view trimmed(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

// Mcp-Name carries a value that is not plain visible ASCII as
// "=?base64?<base64 of its UTF-8>?=" (markers case-sensitive); nullopt when
// the encoding is broken.
std::optional<std::string> decoded_name(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (!value.starts_with(kPrefix)) return std::string(value);
  if (value.size() < kPrefix.size() + kSuffix.size() || !value.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string_view encoded =
      value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size());
  std::string out(encoded.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), encoded.data(),
                        encoded.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

// The body field Mcp-Name must repeat, for the methods that have one.
const json::value* name_source(const RpcMessage& message) {
  std::string_view field;
  if (message.method == "tools/call" || message.method == "prompts/get") {
    field = "name";
  } else if (message.method == "resources/read") {
    field = "uri";
  } else if (message.method == "tasks/get" || message.method == "tasks/update" ||
             message.method == "tasks/cancel") {
    field = "taskId";  // the tasks extension's routing header
  } else {
    return nullptr;
  }
  const json::object* params = message.params.if_object();
  if (!params) return nullptr;
  const json::value* value = params->if_contains(field);
  return value && value->is_string() ? value : nullptr;
}

std::variant<RequestMeta, ModernRejection> read_meta(const RpcMessage& message) {
  const json::object* params = message.params.if_object();
  const json::value* meta_value = params ? params->if_contains("_meta") : nullptr;
  if (!meta_value) return invalid_meta("params._meta is required under this protocol version");
  const json::object* meta = meta_value->if_object();
  if (!meta) return invalid_meta("params._meta must be an object");
  RequestMeta out;
  const json::value* version = meta->if_contains(kProtocolVersionKey);
  if (!version)
    return invalid_meta("params._meta lacks \"" + std::string(kProtocolVersionKey) + "\"");
  if (!version->is_string()) {
    return invalid_meta("\"" + std::string(kProtocolVersionKey) + "\" must be a string");
  }
  out.protocol_version = std::string(version->get_string());
  const json::value* capabilities = meta->if_contains(kClientCapabilitiesKey);
  if (!capabilities) {
    return invalid_meta("params._meta lacks \"" + std::string(kClientCapabilitiesKey) + "\"");
  }
  if (!capabilities->is_object()) {
    return invalid_meta("\"" + std::string(kClientCapabilitiesKey) + "\" must be an object");
  }
  out.client_capabilities = capabilities->get_object();
  if (const json::value* info = meta->if_contains(kClientInfoKey); info && !info->is_object()) {
    return invalid_meta("\"" + std::string(kClientInfoKey) + "\" must be an object");
  }
  if (const json::value* level = meta->if_contains(kLogLevelKey)) {
    if (level->is_string()) out.log_level = log_level_from_name(level->get_string());
    if (!out.log_level) {
      return invalid_meta("\"" + std::string(kLogLevelKey) +
                          "\" must be a log level (debug, info, notice, warning, error, "
                          "critical, alert, emergency)");
    }
  }
  return out;
}

json::array served_versions() {
  json::array versions;
  for (std::string_view v : kModernProtocolVersions) versions.emplace_back(v);
  return versions;
}

}  // namespace

const json::value* modern_claim(const RpcMessage& message) {
  const json::object* params = message.params.if_object();
  if (!params) return nullptr;
  const json::value* meta = params->if_contains("_meta");
  if (!meta || !meta->is_object()) return nullptr;
  return meta->get_object().if_contains(kProtocolVersionKey);
}

std::variant<RequestMeta, ModernRejection> validate_modern_request(const RpcMessage& message,
                                                                   const ModernHeaders& headers) {
  auto read = read_meta(message);
  if (auto* rejection = std::get_if<ModernRejection>(&read)) return std::move(*rejection);
  RequestMeta meta = std::move(std::get<RequestMeta>(read));
  const bool is_request = message.kind == MessageKind::request;

  const auto version_header =
      headers.protocol_version ? std::optional(trimmed(*headers.protocol_version)) : std::nullopt;
  if (version_header && *version_header != meta.protocol_version) {
    return header_mismatch("MCP-Protocol-Version header '" + std::string(*version_header) +
                           "' differs from params._meta's '" + meta.protocol_version + "'");
  }
  const auto method_header =
      headers.method ? std::optional(trimmed(*headers.method)) : std::nullopt;
  if (method_header && *method_header != message.method) {
    return header_mismatch("Mcp-Method header '" + std::string(*method_header) +
                           "' differs from the body's method '" + message.method + "'");
  }
  if (!is_served_modern_protocol_version(meta.protocol_version)) {
    return reject(
        error_code::unsupported_protocol_version,
        "Unsupported protocol version: " + meta.protocol_version,
        json::object{{"supported", served_versions()}, {"requested", meta.protocol_version}});
  }
  if (!version_header) return header_mismatch("the MCP-Protocol-Version header is required");
  if (!is_request) return meta;
  if (!method_header) return header_mismatch("the Mcp-Method header is required");
  if (const json::value* source = name_source(message)) {
    const std::string_view expected = source->get_string();
    if (!headers.name) {
      return header_mismatch("the Mcp-Name header is required for " + message.method);
    }
    const auto name = decoded_name(trimmed(*headers.name));
    if (!name) return header_mismatch("the Mcp-Name header's =?base64?…?= value is malformed");
    if (*name != expected) {
      return header_mismatch("Mcp-Name header differs from the body's " +
                             std::string(message.method == "resources/read" ? "uri" : "name"));
    }
  }
  return meta;
}

}  // namespace blender_bus::mcp
