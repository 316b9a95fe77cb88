#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "transport/http_stream.hpp"

namespace blender_bus::transport {

// One HTTP/1.1 chunk of a chunked response body on its way to a socket: the
// size line, the body, the closing CRLF, and how much of that the connection
// has taken so far. Written first without waiting (HttpStream::write_now: most
// chunks fit in the socket's buffer, so no asynchronous operation, timer or
// completion is needed); what is left over is the rest() an asynchronous
// write finishes.
class HttpChunk {
 public:
  // Frames `body` (which must not be empty: an empty chunk ends the body).
  void assign(std::string body);
  void clear();

  bool pending() const { return written_ < size(); }  // assigned, not all written
  std::size_t size() const;

  // Writes what the connection takes now. Returns false on a socket error
  // (`ec` set); a full buffer is not an error.
  bool write_now(HttpStream& stream, boost::system::error_code& ec);

  // Writes the whole chunk: what the connection takes now, then the rest
  // within `timeout`; then clears it. False on an error or the timeout.
  boost::asio::awaitable<bool> write(HttpStream& stream, std::chrono::seconds timeout);

  // What is left to write, as a buffer sequence (valid until the next change).
  std::array<boost::asio::const_buffer, 3> rest() const;

 private:
  std::array<boost::asio::const_buffer, 3> whole() const;

  std::string body_;
  std::array<char, 20> size_line_{};  // hex length + CRLF
  std::size_t size_line_length_ = 0;
  std::size_t written_ = 0;
};

}  // namespace blender_bus::transport
