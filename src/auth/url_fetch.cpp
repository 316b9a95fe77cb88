#include "auth/url_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <exception>
#include <optional>

#include "auth/public_address.hpp"

namespace blender_bus::auth {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  bool https = false;
  std::string host;
  std::string port;
  std::string path;  // with the query
};

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(std::string(host), ec);
  return !ec && address.is_loopback();
}

std::optional<Target> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->host().empty()) return std::nullopt;
  Target t;
  if (parsed->scheme() == "https") {
    t.https = true;
  } else if (parsed->scheme() != "http") {
    return std::nullopt;
  }
  t.host = parsed->host();  // IPv6 in brackets, as the URL writes it
  if (!t.https && !loopback_host(t.host)) return std::nullopt;
  t.port = parsed->has_port() ? std::string(parsed->port()) : (t.https ? "443" : "80");
  t.path = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) t.path += "?" + std::string(parsed->encoded_query());
  return t;
}

std::string bare_host(const std::string& host) {
  if (host.size() > 2 && host.front() == '[') return host.substr(1, host.size() - 2);
  return host;
}

template <class Stream>
asio::awaitable<FetchedDocument> exchange(Stream& stream, const Target& target,
                                          const FetchLimits& limits) {
  http::request<http::empty_body> request{http::verb::get, target.path, 11};
  request.set(http::field::host, target.host);
  request.set(http::field::accept, "application/json");
  request.set(http::field::user_agent, "blender-bus");
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body_bytes);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  const auto& response = parser.get();
  co_return FetchedDocument{response.result_int(), std::string(response[http::field::content_type]),
                            response.body(), std::string(response[http::field::cache_control])};
}

asio::awaitable<FetchedDocument> fetch(const Target& target, const FetchLimits& limits) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints =
      co_await resolver.async_resolve(bare_host(target.host), target.port, asio::use_awaitable);
  if (limits.public_addresses_only) {
    for (const auto& endpoint : endpoints) {
      if (!is_public_address(endpoint.endpoint().address())) {
        throw FetchError(target.host + " resolves to " + endpoint.endpoint().address().to_string() +
                         ", not a public address");
      }
    }
  }
  if (!target.https) {
    beast::tcp_stream stream(executor);
    stream.expires_after(limits.timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    co_return co_await exchange(stream, target, limits);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  const std::string host = bare_host(target.host);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    throw FetchError("cannot set the TLS server name");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(host));
  beast::get_lowest_layer(stream).expires_after(limits.timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_return co_await exchange(stream, target, limits);
}

}  // namespace

bool fetchable_url(const std::string& url) {
  return parse_target(url).has_value();
}

FetchedDocument fetch_url(const std::string& url, const FetchLimits& limits) {
  const auto target = parse_target(url);
  if (!target) throw FetchError("not an https URL (or http to loopback): " + url.substr(0, 200));
  asio::io_context io;
  std::optional<FetchedDocument> result;
  std::exception_ptr failure;
  asio::co_spawn(io, fetch(*target, limits), [&](std::exception_ptr e, FetchedDocument document) {
    if (e) {
      failure = e;
    } else {
      result = std::move(document);
    }
  });
  // The stream's own deadline covers connect and each read and write; this
  // bounds the whole exchange (the resolver included).
  io.run_for(limits.timeout + std::chrono::milliseconds(500));
  if (!result && !failure) throw FetchError(target->host + ": no answer within the timeout");
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const FetchError&) {
      throw;
    } catch (const std::exception& e) {
      throw FetchError(target->host + ": " + e.what());
    }
  }
  return std::move(*result);
}

}  // namespace blender_bus::auth
