#include "auth/client_metadata_document.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "auth/client_registration.hpp"

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxUrlLength = 2048;

}  // namespace

bool is_client_id_url(std::string_view client_id) {
  return client_id.starts_with("https://") || client_id.starts_with("http://");
}

std::string client_id_url_problem(std::string_view url, bool allow_http) {
  if (url.size() > kMaxUrlLength) return "the client_id URL is longer than 2048 characters";
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "the client_id is not a valid URL";
  if (parsed->scheme() != "https" && !(allow_http && parsed->scheme() == "http")) {
    return "a client_id URL must be https";
  }
  if (!parsed->has_authority() || parsed->host().empty()) return "the client_id URL has no host";
  if (parsed->has_userinfo()) return "a client_id URL must not hold a user or password";
  if (parsed->has_fragment()) return "a client_id URL must not have a fragment";
  if (parsed->has_query()) return "a client_id URL must not have a query";
  const std::string_view path = parsed->encoded_path();
  if (path.empty() || path == "/") return "a client_id URL must have a path";
  // Read from the text: Boost.URL's segment views hide a leading ".".
  std::string_view rest = path.substr(1);
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == ".." || segment == "%2e" || segment == "%2E" ||
        segment == "%2e%2e" || segment == "%2E%2E" || segment == ".%2e" || segment == "%2e.") {
      return "a client_id URL must not have \".\" or \"..\" segments";
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

std::variant<OAuthClient, ClientMetadataRefusal> read_client_metadata_document(
    std::string_view client_id, std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    return ClientMetadataRefusal{"the client metadata document is not a JSON object"};
  }
  const json::object& document = value.as_object();
  const json::value* id = document.if_contains("client_id");
  if (id == nullptr || !id->is_string() || id->as_string() != client_id) {
    return ClientMetadataRefusal{
        "the client metadata document's client_id is not the URL it was fetched from"};
  }
  if (document.contains("client_secret") || document.contains("client_secret_expires_at")) {
    return ClientMetadataRefusal{"a client metadata document must not hold a client_secret"};
  }
  auto read = read_client_registration(document);
  if (auto* error = std::get_if<RegistrationError>(&read)) {
    return ClientMetadataRefusal{"the client metadata document is refused: " + error->description};
  }
  OAuthClient client = std::move(std::get<OAuthClient>(read));
  client.client_id = std::string(client_id);
  return client;
}

}  // namespace blender_bus::auth
