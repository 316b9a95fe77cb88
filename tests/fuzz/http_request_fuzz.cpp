// The HTTP request path up to dispatch: bytes through Beast's request parser
// with the server's limits, then the header checks McpEndpoint makes before
// it hands a request on (Accept, Origin and Host, MCP-Protocol-Version,
// Mcp-Session-Id, Last-Event-ID). The socket code around them is left out on
// purpose: these are the pure functions every request meets.
//
// The first byte says where a TCP read would cut the request; the rest is the
// request. Invariants: whether and how a request parses does not depend on
// the cut; a parsed body
// never exceeds the body limit and matches Content-Length; no parsed header
// value holds CR, LF or NUL; Accept and Origin are case-insensitive, and an
// added Accept range only widens what is accepted; an allowed Origin or Host
// names a host the guard allows; a Last-Event-ID is accepted only as the
// decimal form of the id it yields; only the exact id of a session finds it.
#include <algorithm>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcp/protocol_version.hpp"
#include "mcp/random_id.hpp"
#include "mcp/session_registry.hpp"
#include "transport/accept_header.hpp"
#include "transport/http_options.hpp"
#include "transport/last_event_id.hpp"
#include "transport/origin_guard.hpp"

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace transport = blender_bus::transport;
namespace mcp = blender_bus::mcp;

using Parser = http::request_parser<http::string_body>;

constexpr std::size_t kHeaderLimit = 32 * 1024;  // as HttpServer sets it

struct Outcome {
  beast::error_code error;
  bool done = false;
  http::request<http::string_body> request;
};

// Parses as HttpServer's reads do: what has arrived so far is offered to the
// parser, which keeps what it cannot use yet; the rest arrives after `cut`
// bytes, then the peer closes.
Outcome parse(std::string_view input, std::size_t cut, std::size_t body_limit) {
  Parser parser;
  parser.body_limit(body_limit);
  parser.header_limit(kHeaderLimit);
  parser.eager(true);
  std::string buffer(input.substr(0, cut));
  std::string_view pending = input.substr(std::min(cut, input.size()));
  Outcome out;
  for (;;) {
    beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
    buffer.erase(0, used);
    if (parser.is_done()) break;
    if (ec && ec != http::error::need_more) {
      out.error = ec;
      return out;
    }
    if (ec == http::error::need_more || used == 0) {
      if (!pending.empty()) {
        buffer.append(pending);
        pending = {};
        continue;
      }
      if (!parser.got_some()) {  // as http::read reports a peer that sent nothing
        out.error = http::error::end_of_stream;
        return out;
      }
      parser.put_eof(ec);
      if (ec) {
        out.error = ec;
        return out;
      }
      if (!parser.is_done()) {
        out.error = http::error::partial_message;
        return out;
      }
      break;
    }
  }
  out.done = true;
  out.request = parser.release();
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same(const transport::AcceptedMedia& a, const transport::AcceptedMedia& b) {
  return a.json == b.json && a.event_stream == b.event_stream;
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
}

void check_accept(std::string_view value) {
  const auto media = transport::parse_accept(value);
  FUZZ_CHECK(same(media, transport::parse_accept(upper(value))), "Accept depends on letter case");
  if (blank(value)) {
    FUZZ_CHECK(media.json && media.event_stream, "a blank Accept must admit everything");
    return;
  }
  const auto widened = transport::parse_accept(std::string(value) + ", application/json");
  FUZZ_CHECK(widened.json && (widened.event_stream || !media.event_stream),
             "adding application/json to Accept narrowed it");
  const auto star = transport::parse_accept(std::string(value) + ",*/*");
  FUZZ_CHECK(star.json && star.event_stream, "*/* appended to Accept did not admit everything");
}

// The guard of a server on loopback with one extra allowed origin.
const transport::OriginGuard& loopback_guard() {
  static const transport::OriginGuard guard("127.0.0.1", {"https://app.example.com"});
  return guard;
}

bool loopback_or_app(std::string host) {
  host = lower(host);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "app.example.com";
}

void check_origin(std::string_view origin) {
  const auto& guard = loopback_guard();
  const bool allowed = guard.origin_allowed(origin);
  FUZZ_CHECK(allowed == guard.origin_allowed(upper(origin)), "Origin depends on letter case");
  if (!allowed || origin.empty()) return;
  const std::string lowered = lower(origin);  // the URL view points into it
  if (lowered == "https://app.example.com") return;
  const auto url = boost::urls::parse_absolute_uri(lowered);
  FUZZ_CHECK(url.has_value(), "allowed an Origin that is not an absolute URI");
  FUZZ_CHECK(url->scheme() == "http" || url->scheme() == "https",
             "allowed an Origin that is not http(s)");
  FUZZ_CHECK(loopback_or_app(url->host()), "allowed an Origin naming a foreign host");
}

void check_host(std::string_view host) {
  static const transport::OriginGuard any_address("0.0.0.0", {});
  FUZZ_CHECK(any_address.host_allowed(host), "a server on 0.0.0.0 refused a Host");
  if (!loopback_guard().host_allowed(host) || host.empty()) return;
  std::string_view name = host;
  if (name.front() == '[') {
    name = name.substr(0, name.find(']') + 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  FUZZ_CHECK(loopback_or_app(std::string(name)), "a loopback server allowed a foreign Host");
}

void check_last_event_id(std::string_view value) {
  const auto id = transport::parse_last_event_id(value);
  if (!id) return;
  FUZZ_CHECK(!value.empty() && std::all_of(value.begin(), value.end(),
                                           [](char c) { return c >= '0' && c <= '9'; }),
             "accepted a Last-Event-ID that is not decimal digits");
  std::string_view digits = value.substr(std::min(value.find_first_not_of('0'), value.size()));
  FUZZ_CHECK(std::to_string(*id) == (digits.empty() ? "0" : std::string(digits)),
             "a Last-Event-ID parsed to another number");
}

void check_session_id(std::string_view value) {
  static mcp::SessionRegistry sessions{mcp::SessionLimits{}};
  static const mcp::SessionPtr session = sessions.create("alice");
  const bool exact = value == session->id();
  FUZZ_CHECK((sessions.find(std::string(value)) == session) == exact,
             "a session id found another session, or the exact one did not");
  const bool form = value.size() == 32 && std::all_of(value.begin(), value.end(), [](char c) {
                      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                    });
  FUZZ_CHECK(mcp::is_hex_id(value) == form, "is_hex_id disagrees with 32 lowercase hex digits");
}

void check_protocol_version(std::string_view value) {
  const bool supported = mcp::is_supported_protocol_version(value);
  const bool listed =
      std::find(mcp::kSupportedProtocolVersions.begin(), mcp::kSupportedProtocolVersions.end(),
                value) != mcp::kSupportedProtocolVersions.end();
  FUZZ_CHECK(listed == supported, "is_supported_protocol_version is wrong");
  const auto negotiated = mcp::negotiate_protocol_version(value);
  FUZZ_CHECK(mcp::is_supported_protocol_version(negotiated), "negotiated an unsupported version");
  FUZZ_CHECK(!supported || negotiated == value, "a supported version was not echoed");
}

std::string_view field(const http::request<http::string_body>& request, std::string_view name) {
  const auto it = request.find(name);
  return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const std::size_t cut = input.empty() ? 0 : bytes[0] % (input.size() + 1);
  // A small body limit, so that the fuzzer reaches the refusal; the server's
  // own is checked for agreement on inputs below it.
  const std::size_t body_limit = 64;
  const Outcome whole = parse(input, input.size(), body_limit);
  const Outcome split = parse(input, cut, body_limit);
  // Which error a refused request gets may depend on how much of it had
  // arrived (Beast finds a bad field as soon as it sees it); whether it is
  // refused may not.
  FUZZ_CHECK(whole.done == split.done, "whether a request parses depends on where it was cut: " +
                                           whole.error.message() + " / " + split.error.message());
  if (input.size() <= body_limit) {
    const Outcome server = parse(input, input.size(), transport::HttpOptions{}.max_body_bytes);
    FUZZ_CHECK(server.done == whole.done, "a body under every limit parsed differently");
  }
  if (!whole.done) return 0;
  const auto& request = whole.request;
  FUZZ_CHECK(request.method_string() == split.request.method_string() &&
                 request.target() == split.request.target() &&
                 request.body() == split.request.body(),
             "the parsed request depends on where it was cut");
  FUZZ_CHECK(request.body().size() <= body_limit, "a body over the limit was accepted");
  if (const auto length = request.find(http::field::content_length); length != request.end()) {
    // A list of identical values ("0,0", RFC 9112 §6.3) stands for one.
    std::string_view text = length->value();
    for (;;) {
      const std::size_t comma = text.find(',');
      std::string_view item = text.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      std::uint64_t declared = 0;
      const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), declared);
      FUZZ_CHECK(ec == std::errc{} && end == item.data() + item.size() &&
                     declared == request.body().size(),
                 "the body does not match Content-Length");
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
  }
  for (const auto& header : request) {
    FUZZ_CHECK(
        header.value().find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
        "a header value holds CR, LF or NUL");
  }

  check_accept(field(request, "Accept"));
  check_origin(field(request, "Origin"));
  check_host(field(request, "Host"));
  check_protocol_version(field(request, "MCP-Protocol-Version"));
  check_session_id(field(request, "Mcp-Session-Id"));
  check_last_event_id(field(request, "Last-Event-ID"));
  return 0;
}
