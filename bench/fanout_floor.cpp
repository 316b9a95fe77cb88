#include "fanout_floor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <string>

#include "clock.hpp"

namespace blender_bus::bench {

namespace json = boost::json;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("fanout-floor: " + what + ": " + std::strerror(errno));
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Exactly `size` bytes over a pipe, both ways (the rounds' handshake).
void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("pipe write");
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

void read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("pipe read");
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

// What the child reports after each round.
struct RoundReport {
  std::int64_t first_write_ns = 0;
  double cpu_seconds = 0;
};

// The child: listens, accepts `size` connections, then for each round writes
// one message to every connection and reports when it started.
[[noreturn]] void run_writer(std::size_t size, std::size_t rounds, std::size_t record_bytes,
                             int command_fd, int report_fd) {
  try {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) fail("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
    if (::listen(listener, SOMAXCONN) != 0) fail("listen");
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    const std::uint16_t port = ntohs(address.sin_port);
    write_all(report_fd, &port, sizeof port);
    std::vector<int> connections;
    connections.reserve(size);
    while (connections.size() < size) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) fail("accept");
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      connections.push_back(fd);
    }
    const std::string record(record_bytes, 'r');
    for (std::size_t round = 0; round < rounds; ++round) {
      char go = 0;
      read_all(command_fd, &go, 1);
      const double cpu_before = cpu_seconds();
      RoundReport report;
      report.first_write_ns = steady_ns();
      for (int fd : connections) {
        if (::send(fd, record.data(), record.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(record.size())) {
          fail("send");
        }
      }
      report.cpu_seconds = cpu_seconds() - cpu_before;
      write_all(report_fd, &report, sizeof report);
    }
    // Hold the connections until the reader is done with them: an early
    // close would show there as end-of-stream.
    char done = 0;
    read_all(command_fd, &done, 1);
    _exit(0);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    _exit(1);
  }
}

json::object measure(std::size_t size, const FanoutFloorOptions& options) {
  int command[2];
  int report[2];
  if (::pipe(command) != 0 || ::pipe(report) != 0) fail("pipe");
  const pid_t child = ::fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    ::close(command[1]);
    ::close(report[0]);
    run_writer(size, options.rounds, options.record_bytes, command[0], report[1]);
  }
  ::close(command[0]);
  ::close(report[1]);

  std::uint16_t port = 0;
  read_all(report[0], &port, sizeof port);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const int poller = ::epoll_create1(0);
  if (poller < 0) fail("epoll_create1");
  std::vector<int> connections;
  std::vector<std::size_t> received(size, 0);
  for (std::size_t i = 0; i < size; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("socket");
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
      fail("connect");
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    if (::epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl");
    connections.push_back(fd);
  }

  std::vector<double> times;
  double reader_cpu = 0;
  double writer_cpu = 0;
  std::vector<char> buffer(64 * 1024);
  std::vector<epoll_event> events(256);
  for (std::size_t round = 0; round < options.rounds; ++round) {
    std::fill(received.begin(), received.end(), 0);
    const double cpu_before = cpu_seconds();
    const char go = 1;
    write_all(command[1], &go, 1);
    std::size_t complete = 0;
    std::int64_t last_ns = 0;
    while (complete < size) {
      const int n = ::epoll_wait(poller, events.data(), static_cast<int>(events.size()), 10000);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) errno = ETIMEDOUT;
      if (n <= 0) fail("epoll_wait (messages missing)");
      for (int e = 0; e < n; ++e) {
        const auto i = static_cast<std::size_t>(events[static_cast<std::size_t>(e)].data.u64);
        for (;;) {
          const ssize_t got = ::recv(connections[i], buffer.data(), buffer.size(), 0);
          if (got > 0) {
            received[i] += static_cast<std::size_t>(got);
            continue;
          }
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          if (got == 0) errno = ECONNRESET;  // the writer closed before the reader was done
          fail("recv");
        }
        if (received[i] == options.record_bytes) {
          ++complete;
          received[i] = options.record_bytes + 1;  // counted
          last_ns = steady_ns();
        }
      }
    }
    reader_cpu += cpu_seconds() - cpu_before;
    RoundReport done;
    read_all(report[0], &done, sizeof done);
    writer_cpu += done.cpu_seconds;
    times.push_back(seconds_between(done.first_write_ns, last_ns));
  }
  const char done = 0;
  write_all(command[1], &done, 1);
  for (int fd : connections) ::close(fd);
  ::close(poller);
  ::close(command[1]);
  ::close(report[0]);
  int status = 0;
  ::waitpid(child, &status, 0);

  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double records = static_cast<double>(size * options.rounds);
  std::cerr << "bench: fan-out floor " << size << ": last message after " << median * 1e3
            << " ms (median of " << options.rounds << ")\n";
  return json::object{{"scenario", "fanout-floor"},
                      {"sessions", size},
                      {"rounds", options.rounds},
                      {"record_bytes", options.record_bytes},
                      {"last_record_ms_median", median * 1e3},
                      {"last_record_ms_best", times.front() * 1e3},
                      {"last_record_ms_worst", times.back() * 1e3},
                      {"records_per_s", static_cast<double>(size) / median},
                      {"writer_cpu_us_per_record", writer_cpu / records * 1e6},
                      {"reader_cpu_us_per_record", reader_cpu / records * 1e6}};
}

}  // namespace

json::array run_fanout_floor(const FanoutFloorOptions& options) {
  json::array out;
  for (std::size_t size : options.sizes) out.push_back(measure(size, options));
  return out;
}

}  // namespace blender_bus::bench
