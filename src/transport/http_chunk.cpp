#include "transport/http_chunk.hpp"

#include <algorithm>
#include <charconv>

namespace blender_bus::transport {

namespace asio = boost::asio;

namespace {
constexpr std::string_view kCrlf = "\r\n";
}

void HttpChunk::assign(std::string body) {
  body_ = std::move(body);
  auto [end, ec] =
      std::to_chars(size_line_.data(), size_line_.data() + size_line_.size() - 2, body_.size(), 16);
  (void)ec;  // 18 hex digits hold any size_t
  *end++ = '\r';
  *end++ = '\n';
  size_line_length_ = static_cast<std::size_t>(end - size_line_.data());
  written_ = 0;
}

void HttpChunk::clear() {
  body_.clear();
  size_line_length_ = 0;
  written_ = 0;
}

std::size_t HttpChunk::size() const {
  return size_line_length_ == 0 ? 0 : size_line_length_ + body_.size() + kCrlf.size();
}

std::array<asio::const_buffer, 3> HttpChunk::whole() const {
  return {asio::buffer(size_line_.data(), size_line_length_), asio::buffer(body_),
          asio::buffer(kCrlf.data(), kCrlf.size())};
}

std::array<asio::const_buffer, 3> HttpChunk::rest() const {
  std::array<asio::const_buffer, 3> out = whole();
  std::size_t skip = written_;
  for (auto& b : out) {
    const std::size_t n = std::min(skip, b.size());
    b += n;
    skip -= n;
  }
  return out;
}

bool HttpChunk::write_now(HttpStream& stream, boost::system::error_code& ec) {
  while (pending()) {
    const std::size_t n = stream.write_now(rest(), ec);
    if (ec) return false;
    if (n == 0) return true;  // the socket's buffer is full
    written_ += n;
  }
  return true;
}

boost::asio::awaitable<bool> HttpChunk::write(HttpStream& stream, std::chrono::seconds timeout) {
  boost::system::error_code ec;
  if (!write_now(stream, ec)) co_return false;
  if (pending() && !co_await stream.write_rest(rest(), timeout)) co_return false;
  clear();
  co_return true;
}

}  // namespace blender_bus::transport
