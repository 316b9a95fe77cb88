#include "cli/line_writer.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <system_error>

namespace blender_bus::cli {

namespace asio = boost::asio;

namespace {

int duplicate(int fd) {
  const int copy = ::dup(fd);
  if (copy < 0) throw std::system_error(errno, std::generic_category(), "dup");
  return copy;
}

}  // namespace

LineWriter::LineWriter(asio::any_io_executor executor, int fd)
    : out_(executor, duplicate(fd)), idle_(executor, asio::steady_timer::time_point::max()) {}

void LineWriter::write(std::string line) {
  if (failed_) return;
  line.push_back('\n');
  queue_.push_back(std::move(line));
  if (writing_) return;
  writing_ = true;
  idle_.expires_at(asio::steady_timer::time_point::max());
  asio::co_spawn(out_.get_executor(), write_queued(), asio::detached);
}

asio::awaitable<void> LineWriter::write_queued() {
  while (!queue_.empty()) {
    const std::string& line = queue_.front();
    auto [ec, n] =
        co_await asio::async_write(out_, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      failed_ = true;
      queue_.clear();
      break;
    }
    queue_.pop_front();
  }
  writing_ = false;
  idle_.cancel();
}

void LineWriter::close() {
  boost::system::error_code ignored;
  out_.close(ignored);
}

asio::awaitable<void> LineWriter::drain() {
  while (writing_) {
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace blender_bus::cli
