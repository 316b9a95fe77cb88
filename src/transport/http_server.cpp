#include "transport/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json.hpp>

namespace blender_bus::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Bytes read and thrown away after a 413, so the client can read the answer
// instead of hitting a reset while it is still sending.
constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
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

// The peer went away or was too slow: nobody is there to read an answer.
bool peer_gone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted;
}

asio::awaitable<void> drain_and_close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  stream.socket().shutdown(tcp::socket::shutdown_send);
  std::size_t drained = buffer.size();
  buffer.consume(buffer.size());
  std::array<char, 16 * 1024> scratch{};
  stream.expires_after(std::chrono::seconds(5));
  while (drained < kMaxDrainBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
    drained += n;
  }
  stream.close();
}

}  // namespace

HttpServer::HttpServer(IoContextPool& pool, const HttpOptions& options)
    : pool_(pool), options_(options), acceptor_(pool.first()) {}

tcp::endpoint HttpServer::listen() {
  const tcp::endpoint endpoint{asio::ip::make_address(options_.host), options_.port};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void HttpServer::start(McpEndpoint& endpoint, std::vector<RouteHandler> routes) {
  endpoint_ = &endpoint;
  routes_ = std::move(routes);
  asio::co_spawn(pool_.first(), accept_loop(), asio::detached);
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::any_io_executor(pool_.next().get_executor()), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      spdlog::warn("accept failed: {}", ec.message());
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true));
    // Answers are written without waiting first (write_now); a full buffer
    // must then say so instead of blocking the thread.
    boost::system::error_code nb_ec;
    socket.non_blocking(true, nb_ec);
    if (nb_ec) {
      spdlog::warn("accepted connection dropped: {}", nb_ec.message());
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_connection(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::serve_connection(tcp::socket socket) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    parser.header_limit(32 * 1024);
    stream->expires_after(options_.read_timeout);
    auto [header_ec, header_n] = co_await http::async_read_header(*stream, buffer, parser, kTuple);
    if (header_ec) {
      if (header_ec == http::error::header_limit) {
        auto response = detail_response(11, http::status::request_header_fields_too_large,
                                        "Request header too large");
        co_await http::async_write(*stream, response, kTuple);
      } else if (!peer_gone(header_ec)) {
        auto response = detail_response(11, http::status::bad_request, "Malformed HTTP request");
        co_await http::async_write(*stream, response, kTuple);
      }
      break;
    }
    const unsigned version = parser.get().version();
    const auto declared = parser.content_length();
    bool too_large = declared && *declared > options_.max_body_bytes;
    if (!too_large) {
      auto [body_ec, body_n] = co_await http::async_read(*stream, buffer, parser, kTuple);
      too_large = body_ec == http::error::body_limit;
      if (body_ec && !too_large) {
        // A broken body (a bad chunk size, say) is answered like a broken header.
        if (!peer_gone(body_ec)) {
          co_await http::async_write(
              *stream,
              detail_response(version, http::status::bad_request, "Malformed HTTP request"),
              kTuple);
        }
        break;
      }
    }
    if (too_large) {
      co_await write_response(
          *stream,
          detail_response(
              version, http::status::payload_too_large,
              "Request body larger than " + std::to_string(options_.max_body_bytes) + " bytes"),
          options_.write_timeout);
      co_await drain_and_close(*stream, buffer);
      co_return;
    }
    stream->expires_never();
    HttpRequest request = parser.release();

    const std::string_view path = path_of(request.target());
    bool keep_alive = false;
    if (path == "/mcp" || path == "/mcp/") {
      keep_alive = co_await endpoint_->serve(stream, request);
    } else {
      auth::HttpRequestView view{std::string(request.method_string()), std::string(path),
                                 std::string(request[http::field::authorization]),
                                 std::move(request.body())};
      std::optional<auth::HttpReply> reply;
      for (const auto& route : routes_) {
        reply = route(view);
        if (reply) break;
      }
      HttpResponse response;
      if (reply) {
        response = make_json_response(request, static_cast<http::status>(reply->status),
                                      std::move(reply->body));
        for (const auto& [name, value] : reply->headers) response.set(name, value);
        // Every 401 names where the resource metadata is (RFC 9728).
        if (reply->status == 401) {
          response.set(http::field::www_authenticate, endpoint_->authenticate_challenge());
        }
      } else {
        response = make_json_response(
            request, http::status::not_found,
            boost::json::serialize(boost::json::object{{"detail", "Not Found"}}));
      }
      keep_alive = co_await write_response(*stream, std::move(response), options_.write_timeout);
    }
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream->close();
}

}  // namespace blender_bus::transport
