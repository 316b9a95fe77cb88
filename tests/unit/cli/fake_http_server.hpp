#pragma once

// A scripted HTTP/1.1 server on loopback for the client tests: each request
// is handed to the test's handler, which answers with JSON, with an SSE
// stream written piece by piece, or by dropping the connection. Single
// threaded: it runs on the test's io_context beside the client under test.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace blender_bus::cli::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

class FakeExchange {
 public:
  FakeExchange(tcp::socket& socket, http::request<http::string_body>& request,
               std::size_t connection)
      : socket_(socket), request_(request), connection_(connection) {}

  const http::request<http::string_body>& request() const { return request_; }
  std::string header(std::string_view name) const {
    auto it = request_.find(name);
    return it == request_.end() ? std::string() : std::string(it->value());
  }
  std::size_t connection() const { return connection_; }  // 1-based accept count

  asio::awaitable<void> respond(unsigned status, std::string body,
                                std::vector<std::pair<std::string, std::string>> headers = {},
                                std::string content_type = "application/json") {
    std::string text = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
    if (!body.empty() || status != 202) text += "Content-Type: " + content_type + "\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    co_await asio::async_write(socket_, asio::buffer(text), asio::use_awaitable);
  }

  // `first_chunk`, when given, leaves in the same write as the head.
  asio::awaitable<void> start_stream(std::vector<std::pair<std::string, std::string>> headers = {},
                                     std::string first_chunk = {}) {
    std::string text =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    text += "\r\n";
    if (!first_chunk.empty()) text += chunk_text(first_chunk);
    co_await asio::async_write(socket_, asio::buffer(text), asio::use_awaitable);
  }
  asio::awaitable<void> chunk(const std::string& data) {
    const std::string text = chunk_text(data);
    co_await asio::async_write(socket_, asio::buffer(text), asio::use_awaitable);
  }
  asio::awaitable<void> end_stream() {
    co_await asio::async_write(socket_, asio::buffer(std::string("0\r\n\r\n")),
                               asio::use_awaitable);
  }
  // Drops the connection without a word (a crash, a restart, a proxy cut).
  void drop() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  static std::string chunk_text(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
  }

  tcp::socket& socket_;
  http::request<http::string_body>& request_;
  std::size_t connection_;
};

class FakeHttpServer {
 public:
  using Handler = std::function<asio::awaitable<void>(FakeExchange&)>;

  FakeHttpServer(asio::io_context& io, Handler handler)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        handler_(std::move(handler)) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::size_t connections() const { return accepted_; }
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& socket : sockets_) {
      if (auto alive = socket.lock()) alive->close(ignored);
    }
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      socket.set_option(tcp::no_delay(true), ec);  // each chunk leaves at once
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      sockets_.push_back(shared);
      asio::co_spawn(acceptor_.get_executor(), serve(shared, ++accepted_), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket, std::size_t number) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      co_await http::async_read(*socket, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      FakeExchange exchange(*socket, request, number);
      bool failed = false;
      try {
        co_await handler_(exchange);
      } catch (const std::exception&) {
        failed = true;  // the client went away mid-answer
      }
      if (failed || !socket->is_open()) co_return;
    }
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  std::size_t accepted_ = 0;
  std::vector<std::weak_ptr<tcp::socket>> sockets_;
};

}  // namespace blender_bus::cli::testing
