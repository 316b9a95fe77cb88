#include "transport/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <optional>

namespace blender_bus::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 32 * 1024;
// After a refusal, what the client still sends is read and thrown away
// before the connection closes (a lingering close), so that it reads the
// answer instead of losing it to a reset: up to this much, for this long.
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
constexpr std::chrono::seconds kLingerTime{5};
// A refused request's body up to this size is read (and dropped) instead,
// so that the connection serves the next request; a larger one, or one of
// unknown length, closes the connection.
constexpr std::size_t kSkippableBodyBytes = 64 * 1024;
// Longest wait between two accepts while descriptors are short.
constexpr std::chrono::milliseconds kMaxAcceptDelay{1000};

// The answer to a connection over --max-connections, whole.
const std::string& over_capacity_answer() {
  static const std::string answer = [] {
    const std::string body = R"({"detail":"Too many connections; try again in a while"})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: blender-bus\r\n"
           "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
  }();
  return answer;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

bool is_mcp_path(std::string_view path) {
  return path == "/mcp" || path == "/mcp/";
}

HttpResponse detail_response(unsigned version, http::status status, std::string_view detail) {
  HttpResponse response{status, version};
  response.set(http::field::server, "blender-bus");
  response.set(http::field::content_type, "application/json");
  response.body() = boost::json::serialize(boost::json::object{{"detail", detail}});
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

HttpResponse too_large(unsigned version, std::size_t limit) {
  return detail_response(version, http::status::payload_too_large,
                         "Request body larger than " + std::to_string(limit) + " bytes");
}

// Stops sending, reads and drops what the client still sends, then closes.
// Raw TCP bytes, also under TLS: nothing in them is looked at.
asio::awaitable<void> drain_and_close(HttpStream& stream, beast::flat_buffer& buffer,
                                      std::size_t max_bytes = kLingerBytes,
                                      std::chrono::seconds max_time = kLingerTime) {
  beast::error_code ignored;
  stream.tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::size_t drained = buffer.size();
  buffer.consume(buffer.size());
  std::array<char, 16 * 1024> scratch{};
  stream.expires_after(max_time);
  while (drained < max_bytes) {
    auto [ec, n] = co_await stream.tcp().async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
    drained += n;
  }
  stream.close();
}

bool is_resource_shortage(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

// The end of what could be read of a request's header: answers what
// deserves an answer. The connection closes after it.
// The peer went away or was too slow: nobody is there to read an answer.
bool peer_gone(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted;
}

asio::awaitable<void> answer_unread_header(HttpStream& stream, beast::flat_buffer& buffer,
                                           const boost::system::error_code& ec,
                                           const HttpOptions& options) {
  if (ec == http::error::body_limit) {  // a declared Content-Length over the limit
    co_await write_response(stream, too_large(11, options.max_body_bytes), options.write_timeout);
    co_await drain_and_close(stream, buffer);
  } else if (ec == http::error::header_limit) {
    co_await write_response(stream,
                            detail_response(11, http::status::request_header_fields_too_large,
                                            "Request header too large"),
                            options.write_timeout);
  } else if (!peer_gone(ec)) {
    co_await write_response(
        stream, detail_response(11, http::status::bad_request, "Malformed HTTP request"),
        options.write_timeout);
  }
}

// Tells a TLS client hello from anything else, then does the handshake.
// Returns whether HTTP may follow.
asio::awaitable<bool> start_tls(HttpStream& stream, beast::flat_buffer& buffer,
                                asio::ssl::context& context, const HttpOptions& options) {
  stream.expires_after(options.header_timeout);
  auto [detect_ec, is_tls] = co_await beast::async_detect_ssl(stream.tcp(), buffer, kTuple);
  if (detect_ec) co_return false;
  if (!is_tls) {
    co_await write_response(stream,
                            detail_response(11, http::status::bad_request,
                                            "This port speaks HTTPS: use an https:// URL"),
                            options.write_timeout);
    co_await drain_and_close(stream, buffer);
    co_return false;
  }
  const auto ec = co_await stream.tls_handshake(context, buffer);
  if (ec) {
    spdlog::debug("TLS handshake failed: {}", ec.message());
    co_return false;
  }
  co_return true;
}

// Whether the whole body came with the header (the usual small request):
// reading it then waits for nothing and needs no deadline.
bool body_buffered(const http::request_parser<http::string_body>& parser,
                   const beast::flat_buffer& buffer) {
  const auto declared = parser.content_length();
  return declared && buffer.size() >= *declared;
}

// Reads the rest of a body whose header was judged, within the body
// deadline. Not a coroutine of its own: one frame fewer per request.
auto read_body(HttpStream& stream, beast::flat_buffer& buffer,
               http::request_parser<http::string_body>& parser, const HttpOptions& options) {
  if (!body_buffered(parser, buffer)) stream.expires_after(options.body_timeout);
  return http::async_read(stream, buffer, parser, kTuple);
}

}  // namespace

HttpServer::HttpServer(IoContextPool& pool, const HttpOptions& options,
                       std::shared_ptr<asio::ssl::context> tls)
    : pool_(pool),
      options_(options),
      tls_(std::move(tls)),
      acceptor_(pool.first()),
      accept_retry_(pool.first()),
      connections_(options.max_connections) {}

tcp::endpoint HttpServer::listen() {
  const tcp::endpoint endpoint{asio::ip::make_address(options_.host), options_.port};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void HttpServer::start(McpEndpoint& endpoint, std::vector<RouteHandler> routes,
                       std::vector<EventRoute> event_routes) {
  endpoint_ = &endpoint;
  routes_ = std::move(routes);
  event_routes_ = std::move(event_routes);
  asio::co_spawn(pool_.first(), accept_loop(), asio::detached);
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::any_io_executor(pool_.next().get_executor()), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      if (is_resource_shortage(ec)) {
        co_await back_off(ec);
      } else if (auto unlogged = accept_failures_log_.occurred()) {
        // e.g. a client that gave up while queued (ECONNABORTED)
        spdlog::warn("accept failed: {} ({} more since the last report)", ec.message(), *unlogged);
      }
      continue;  // keep serving the connections we have
    }
    accept_delay_ = std::chrono::milliseconds(0);
    socket.set_option(tcp::no_delay(true), ec);
    // Answers are written without waiting first (HttpStream::write_now); a
    // full buffer must then say so instead of blocking the thread.
    if (!ec) socket.non_blocking(true, ec);
    if (ec) {
      spdlog::warn("accepted connection dropped: {}", ec.message());
      continue;
    }
    auto slot = connections_.try_acquire();
    if (!slot) {
      refuse_connection(std::move(socket));
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_connection(std::move(socket), std::move(*slot)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::back_off(const boost::system::error_code& ec) {
  accept_delay_ = std::clamp(accept_delay_ * 2, std::chrono::milliseconds(10), kMaxAcceptDelay);
  if (auto unlogged = accept_failures_log_.occurred()) {
    spdlog::error(
        "accept failed: {}; retrying in {} ms, then less and less often, up to every {} ms "
        "(raise the descriptor limit, ulimit -n, or lower --max-connections; {} more failures "
        "since the last report)",
        ec.message(), accept_delay_.count(), kMaxAcceptDelay.count(), *unlogged);
  }
  accept_retry_.expires_after(accept_delay_);
  co_await accept_retry_.async_wait(kTuple);
}

void HttpServer::refuse_connection(tcp::socket socket) {
  const std::uint64_t refused = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (auto unlogged = refusals_log_.occurred()) {
    spdlog::warn(
        "refusing connections: {} are open, as many as --max-connections allows ({} refused so "
        "far, {} since the last report)",
        connections_.max(), refused, *unlogged + 1);
  }
  if (tls_) {
    // An answer over TLS would cost a handshake, which is what the limit
    // sheds: the client sees the connection close.
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  auto executor = socket.get_executor();
  asio::co_spawn(
      executor,
      [](tcp::socket s) -> asio::awaitable<void> {
        HttpStream stream(std::move(s));
        boost::system::error_code ec;
        // A fresh socket's buffer takes these few bytes at once.
        stream.write_now(asio::buffer(over_capacity_answer()), ec);
        beast::flat_buffer buffer;
        co_await drain_and_close(stream, buffer, 64 * 1024, std::chrono::seconds(1));
      }(std::move(socket)),
      asio::detached);
}

asio::awaitable<void> HttpServer::serve_connection(tcp::socket socket,
                                                   ConnectionLimit::Slot /*held while open*/) {
  auto stream = std::make_shared<HttpStream>(std::move(socket));
  beast::flat_buffer buffer;
  try {
    bool open = !tls_ || co_await start_tls(*stream, buffer, *tls_, options_);
    while (open) open = co_await serve_request(stream, buffer);
  } catch (const std::exception& e) {
    // Not the client's doing and not answerable here (part of an answer may
    // be out): said, and the connection closes.
    spdlog::error("connection closed after an error: {}", e.what());
  }
  stream->close();
}

asio::awaitable<bool> HttpServer::serve_request(const std::shared_ptr<HttpStream>& stream,
                                                beast::flat_buffer& buffer) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(options_.max_body_bytes);
  parser.header_limit(kHeaderLimit);
  stream->expires_after(options_.header_timeout);
  auto [header_ec, header_n] = co_await http::async_read_header(*stream, buffer, parser, kTuple);
  if (header_ec) {
    co_await answer_unread_header(*stream, buffer, header_ec, options_);
    co_return false;
  }

  // The header decides before the body is read.
  const bool mcp = is_mcp_path(path_of(parser.get().target()));
  std::optional<McpGate> gate;  // a refusal (HttpResponse) or, for /mcp, an admission
  std::size_t body_limit = options_.max_body_bytes;
  stream->set_response_fields(mcp ? endpoint_->cors_fields(parser.get()) : ResponseFields{});
  if (mcp) {
    gate.emplace(endpoint_->admit(parser.get()));
  } else {
    body_limit = options_.max_route_body_bytes;
    parser.body_limit(body_limit);  // for a chunked body; a declared one is checked here
    const auto declared = parser.content_length();
    if (declared && *declared > body_limit)
      gate.emplace(too_large(parser.get().version(), body_limit));
  }

  if (HttpResponse* refusal = gate ? std::get_if<HttpResponse>(&*gate) : nullptr) {
    bool linger = false;
    if (!parser.is_done()) {
      const auto declared = parser.content_length();
      if (declared && *declared <= kSkippableBodyBytes) {
        auto [ec, n] = co_await read_body(*stream, buffer, parser, options_);
        if (ec) co_return false;
      } else {
        refusal->keep_alive(false);
        linger = true;
      }
    }
    stream->expires_never();
    const bool keep_alive =
        co_await write_response(*stream, std::move(*refusal), options_.write_timeout);
    if (linger) co_await drain_and_close(*stream, buffer);
    co_return keep_alive && !linger;
  }

  if (!parser.is_done()) {
    // A client that asked before sending its body (curl does, above 1 KiB)
    // hears at once that it may; one unanswered waits a second first.
    if (!body_buffered(parser, buffer) &&
        beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      boost::system::error_code ec;
      stream->write_now(asio::buffer(std::string_view("HTTP/1.1 100 Continue\r\n\r\n")), ec);
    }
    auto [body_ec, body_n] = co_await read_body(*stream, buffer, parser, options_);
    if (body_ec == http::error::body_limit) {
      co_await write_response(*stream, too_large(parser.get().version(), body_limit),
                              options_.write_timeout);
      co_await drain_and_close(*stream, buffer);
      co_return false;
    }
    if (body_ec) {
      // A broken body (a bad chunk size, say) is answered like a broken
      // header; a deadline passed or the client left: nothing to answer.
      if (!peer_gone(body_ec)) {
        co_await write_response(*stream,
                                detail_response(parser.get().version(), http::status::bad_request,
                                                "Malformed HTTP request"),
                                options_.write_timeout);
      }
      co_return false;
    }
  }
  stream->expires_never();
  HttpRequest request = parser.release();
  if (mcp) co_return co_await endpoint_->serve(stream, request, std::get<McpAdmission>(*gate));
  const std::string_view path = path_of(request.target());
  for (const auto& events : event_routes_) {
    if (events.path != path || request.method() != http::verb::get) continue;
    auto opened = events.open(view_of(*stream, request));
    if (auto* refusal = std::get_if<auth::HttpReply>(&opened)) {
      co_return co_await write_response(*stream, response_of(request, std::move(*refusal)),
                                        options_.write_timeout);
    }
    co_await serve_event_stream(stream, request,
                                std::move(std::get<std::unique_ptr<EventFeed>>(opened)),
                                events.interval, options_);
    co_return false;
  }
  co_return co_await write_response(*stream, co_await route(*stream, request),
                                    options_.write_timeout);
}

auth::HttpRequestView HttpServer::view_of(HttpStream& stream, HttpRequest& request) const {
  boost::system::error_code peer_ec;
  const auto peer = stream.tcp().socket().remote_endpoint(peer_ec);
  const std::string_view target = request.target();
  const std::size_t question = target.find('?');
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  return auth::HttpRequestView{std::string(request.method_string()),
                               std::string(path_of(target)),
                               std::string(request[http::field::authorization]),
                               std::move(request.body()),
                               peer_ec ? std::string() : peer.address().to_string(),
                               std::string(query),
                               std::string(request[http::field::cookie]),
                               std::string(request[http::field::origin])};
}

HttpResponse HttpServer::response_of(const HttpRequest& request, auth::HttpReply reply) const {
  HttpResponse response =
      make_json_response(request, static_cast<http::status>(reply.status), std::move(reply.body));
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  // Every 401 names where the resource metadata is (RFC 9728).
  if (reply.status == 401) {
    response.set(http::field::www_authenticate, endpoint_->authenticate_challenge());
  }
  return response;
}

asio::awaitable<HttpResponse> HttpServer::route(HttpStream& stream, HttpRequest& request) {
  auth::HttpRequestView view = view_of(stream, request);
  std::optional<auth::HttpReply> reply;
  bool failed = false;
  try {
    reply = co_await answer_route(routes_, view);
  } catch (const std::exception& e) {
    // A store that is busy or full: the client hears it failed, the log why.
    spdlog::error("{} {}: {}", view.method, view.path, e.what());
    failed = true;
  }
  if (failed) {
    co_return make_json_response(
        request, http::status::internal_server_error,
        boost::json::serialize(boost::json::object{{"detail", "Internal server error"}}));
  }
  if (!reply) {
    co_return make_json_response(
        request, http::status::not_found,
        boost::json::serialize(boost::json::object{{"detail", "Not Found"}}));
  }
  co_return response_of(request, std::move(*reply));
}

}  // namespace blender_bus::transport
