#include "cli/http_connection.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace blender_bus::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

constexpr const char* kUserAgent = "blender-bus-cli/0.1";

// Errors that mean "the server had already closed this idle keep-alive
// connection": safe to resend, since the server never read the request.
bool is_stale_connection(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;  // TLS: the TCP connection ended
}

// Trust for an https:// server: TLS 1.2 or newer, the server's certificate
// checked against the system's CAs (or only `ca_file`'s) and its name.
// Made once per HttpConnection, at its first connect: loading the system's
// CA store costs a few milliseconds.
std::shared_ptr<ssl::context> client_tls_context(const ServerUrl& server) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  try {
    if (server.ca_file().empty()) {
      context->set_default_verify_paths();
    } else {
      context->load_verify_file(server.ca_file());
    }
  } catch (const boost::system::system_error& e) {
    throw NetworkError(e.code(), "cannot use --ca-file " + server.ca_file());
  }
  return context;
}

}  // namespace

struct HttpConnection::Impl {
  Impl(asio::any_io_executor executor, ServerUrl url, std::size_t max_answer)
      : stream(executor), server(std::move(url)), max_answer_bytes(max_answer) {}

  beast::tcp_stream stream;
  // For https://, TLS over `stream` (made at each connect).
  std::shared_ptr<ssl::context> tls_context;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream&>> tls;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  ServerUrl server;
  std::size_t max_answer_bytes;
  std::string last_request;                             // "GET /mcp", for errors
  std::optional<std::vector<tcp::endpoint>> endpoints;  // resolved once
  bool open = false;
  std::uint64_t exchanges = 0;  // completed on the current socket

  // Errors come back as values (redirect_error), not exceptions: a failed
  // exchange is an ordinary event for a client that reconnects.
  asio::awaitable<boost::system::error_code> connect(Duration timeout) {
    boost::system::error_code ec;
    if (!endpoints) {
      const auto address = asio::ip::make_address(server.host(), ec);
      // A literal address skips the resolver, which runs getaddrinfo on a
      // helper thread: that matters when a benchmark opens 10,000 sockets.
      if (!ec) {
        endpoints.emplace(std::vector<tcp::endpoint>{
            {address, static_cast<unsigned short>(std::stoi(server.port()))}});
      } else {
        ec.clear();
        tcp::resolver resolver(stream.get_executor());
        auto results = co_await resolver.async_resolve(
            server.host(), server.port(), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return ec;
        endpoints.emplace(results.begin(), results.end());
      }
    }
    stream.expires_after(timeout);
    co_await stream.async_connect(*endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      stream.close();
      co_return ec;
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    if (server.secure()) {
      ec = co_await start_tls();
      if (ec) {
        reset();
        co_return ec;
      }
    }
    buffer.clear();
    open = true;
    exchanges = 0;
    co_return boost::system::error_code{};
  }

  asio::awaitable<boost::system::error_code> start_tls() {
    if (!tls_context) tls_context = client_tls_context(server);
    tls = std::make_unique<beast::ssl_stream<beast::tcp_stream&>>(stream, *tls_context);
    boost::system::error_code ec;
    asio::ip::make_address(server.host(), ec);
    // SNI (a name, never an address), for a server or proxy with several
    // names on one address.
    if (ec) SSL_set_tlsext_host_name(tls->native_handle(), server.host().c_str());
    tls->set_verify_callback(ssl::host_name_verification(server.host()));
    ec.clear();
    co_await tls->async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  // Runs one asynchronous operation on the connection: over TLS when it is
  // https://, else on the TCP stream.
  template <class Operation>
  auto on_stream(Operation&& operation) {
    return tls ? operation(*tls) : operation(stream);
  }

  // Only the socket: an operation still pending (its completion may already
  // be queued, with bytes parsed) reads into `buffer`, `parser` and the TLS
  // stream, so they stay until it has returned; its failure, or the next
  // send(), resets them.
  void close_socket() {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    open = false;
  }

  void reset() {
    close_socket();
    tls.reset();
    buffer.clear();
    parser.reset();
  }

  // The response is complete: keep the socket for the next request unless
  // the server said it closes it.
  void finish() {
    const bool keep = parser && parser->keep_alive();
    parser.reset();
    ++exchanges;
    if (!keep) reset();
  }

  http::request<http::string_body> build(const HttpRequest& request) const {
    http::request<http::string_body> message{http::string_to_verb(request.method), request.target,
                                             11};
    message.set(http::field::host, server.authority());
    message.set(http::field::user_agent, kUserAgent);
    for (const auto& [name, value] : request.headers.fields) message.set(name, value);
    message.body() = request.body;
    message.keep_alive(true);
    message.prepare_payload();
    return message;
  }

  HttpResponseHead head() const {
    HttpResponseHead result;
    const auto& message = parser->get();
    result.status = message.result_int();
    for (const auto& field : message) {
      result.headers.fields.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
    }
    return result;
  }

  void arm(Duration timeout) {
    if (timeout == Duration::zero()) {
      stream.expires_never();
    } else {
      stream.expires_after(timeout);
    }
  }
};

HttpConnection::HttpConnection(asio::any_io_executor executor, ServerUrl server,
                               std::size_t max_answer_bytes)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(server), max_answer_bytes)) {}
HttpConnection::~HttpConnection() = default;
HttpConnection::HttpConnection(HttpConnection&&) noexcept = default;
HttpConnection& HttpConnection::operator=(HttpConnection&&) noexcept = default;

const ServerUrl& HttpConnection::server() const {
  return impl_->server;
}
asio::any_io_executor HttpConnection::get_executor() const {
  return impl_->stream.get_executor();
}
bool HttpConnection::is_open() const {
  return impl_->open;
}

void HttpConnection::close() {
  if (impl_->open) impl_->close_socket();
}

asio::awaitable<HttpResponseHead> HttpConnection::send(const HttpRequest& request,
                                                       Duration timeout) {
  auto& s = *impl_;
  auto message = s.build(request);
  s.last_request = request.method + " " + request.target;
  for (int attempt = 0;; ++attempt) {
    if (s.parser) s.reset();  // the previous body was not read to its end
    const bool reused = s.open && s.exchanges > 0;
    boost::system::error_code ec;
    if (!s.open) {
      ec = co_await s.connect(timeout);
      if (ec && ec.category() == asio::error::get_ssl_category()) {
        throw NetworkError(ec, "TLS with " + s.server.authority() +
                                   " failed (a certificate from a private CA needs --ca-file)");
      }
      if (ec) throw NetworkError(ec, "cannot connect to " + s.server.authority());
    }
    s.arm(timeout);
    co_await s.on_stream([&](auto& stream) {
      return http::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
    });
    if (!ec) {
      s.parser.emplace();
      // Event streams are endless: the limit is on us reading them, not on size.
      s.parser->body_limit(boost::none);
      co_await s.on_stream([&](auto& stream) {
        return http::async_read_header(stream, s.buffer, *s.parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      });
    }
    if (!ec && !s.open) ec = asio::error::operation_aborted;  // close() while it was pending
    if (!ec) break;
    s.reset();
    if (!(reused && attempt == 0 && is_stale_connection(ec))) {
      throw NetworkError(ec, request.method + " " + s.server.authority() + request.target);
    }
  }
  auto head = s.head();
  if (s.parser->is_done()) s.finish();  // e.g. 202 with no body
  co_return head;
}

asio::awaitable<std::optional<std::string>> HttpConnection::read_some(Duration idle_timeout) {
  auto& s = *impl_;
  if (!s.parser) co_return std::nullopt;
  if (s.parser->is_done()) {
    s.finish();
    co_return std::nullopt;
  }
  boost::system::error_code ec;
  if (s.open) {
    s.arm(idle_timeout);
    co_await s.on_stream([&](auto& stream) {
      return http::async_read_some(stream, s.buffer, *s.parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
    });
  }
  // close() before or during the read: what it parsed is dropped with the
  // connection, as a network failure would drop it.
  if (!s.open) ec = asio::error::operation_aborted;
  // need_buffer only means "the body buffer is full": ours grows.
  if (ec && ec != http::error::need_buffer) {
    s.reset();
    throw NetworkError(ec, "reading from " + s.server.authority());
  }
  std::string piece = std::move(s.parser->get().body());
  s.parser->get().body().clear();
  if (s.parser->is_done()) s.finish();
  co_return piece;
}

asio::awaitable<std::string> HttpConnection::read_rest(Duration timeout) {
  auto& s = *impl_;
  if (!s.parser) co_return std::string();
  if (!s.parser->is_done()) {
    const auto too_large = [&] {
      s.reset();
      return AnswerTooLarge("the answer to " + s.last_request + " is larger than " +
                            std::to_string(s.max_answer_bytes) + " bytes");
    };
    // A declared length is checked here; the limit counts the bytes of a
    // chunked or read-to-the-end body as they come.
    const auto declared = s.parser->content_length();
    const std::size_t read = s.parser->get().body().size();
    if (read > s.max_answer_bytes || (declared && *declared > s.max_answer_bytes)) {
      throw too_large();
    }
    s.parser->body_limit(s.max_answer_bytes - read);
    boost::system::error_code ec;
    if (s.open) {
      s.arm(timeout);
      co_await s.on_stream([&](auto& stream) {
        return http::async_read(stream, s.buffer, *s.parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      });
    }
    if (!s.open) ec = asio::error::operation_aborted;  // close() before or during the read
    if (ec == http::error::body_limit) throw too_large();
    if (ec) {
      s.reset();
      throw NetworkError(ec, "reading from " + s.server.authority());
    }
  }
  std::string body = std::move(s.parser->get().body());
  s.finish();
  co_return body;
}

asio::awaitable<HttpResponse> HttpConnection::exchange(const HttpRequest& request,
                                                       Duration timeout) {
  HttpResponse response;
  response.head = co_await send(request, timeout);
  response.body = co_await read_rest(timeout);
  co_return response;
}

}  // namespace blender_bus::cli
