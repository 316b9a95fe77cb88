#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blender_bus::cli {

// HTTP messages as plain values, so that only http_connection.cpp includes
// Beast (it is heavy to compile) and callers stay readable.

struct HttpHeaders {
  std::vector<std::pair<std::string, std::string>> fields;

  void set(std::string name, std::string value);
  // Case-insensitive lookup; nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  HttpHeaders headers;
  std::string body;
};

struct HttpResponseHead {
  unsigned status = 0;
  HttpHeaders headers;

  // The media type without parameters, lowercased ("text/event-stream").
  std::string media_type() const;
};

struct HttpResponse {
  HttpResponseHead head;
  std::string body;
};

// A response the caller did not expect (status >= 400 or otherwise wrong).
class HttpError : public std::runtime_error {
 public:
  HttpError(unsigned status, std::string body, std::string context);
  unsigned status() const { return status_; }
  const std::string& body() const { return body_; }
  // The server's `{"detail": …}` text when there is one, else the body.
  std::string detail() const;

 private:
  unsigned status_;
  std::string body_;
};

// The most a client reads of one answer, or of one event of a stream: far
// above any answer of ours (an inbox holds at most --inbox-max-bytes, 64 MiB
// by default), so only a broken or hostile server reaches it, and then the
// client stops instead of growing without end.
inline constexpr std::size_t kMaxAnswerBytes = std::size_t{256} << 20;

// An answer (or a stream's event) over its size limit; the connection is
// closed. `what()` says which and the limit.
class AnswerTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The connection failed (refused, reset, timed out). `what()` reads well on
// its own: "cannot connect to 127.0.0.1:8000: Connection refused".
class NetworkError : public std::runtime_error {
 public:
  NetworkError(boost::system::error_code code, const std::string& context);
  const boost::system::error_code& code() const { return code_; }

 private:
  boost::system::error_code code_;
};

}  // namespace blender_bus::cli
