#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace blender_bus::transport {

// One io_context per thread, each run by exactly one thread. Connections are
// spread over them round robin and stay on theirs, so a connection's work
// needs no strand and the threads share no scheduler lock: one io_context run
// by several threads cost a third more CPU per send on two cores
// (BENCHMARKS.md). Work for another connection is posted to its context.
class IoContextPool {
 public:
  explicit IoContextPool(unsigned threads);
  IoContextPool(const IoContextPool&) = delete;
  IoContextPool& operator=(const IoContextPool&) = delete;

  // The first context: the acceptor, signals and timers live there.
  boost::asio::io_context& first() { return *contexts_.front(); }
  // The context for the next connection.
  boost::asio::io_context& next();
  std::size_t size() const { return contexts_.size(); }

  // Runs every context, one on the calling thread, until stop().
  void run();
  void stop();
  // After run() returns: destroys every handler still queued, and with them
  // the coroutines suspended in them, while what those refer to (declared
  // after the pool) is still alive. The contexts' own destructors would do it
  // last, after the engine a suspended stream reads from is gone.
  void destroy_pending_work();

 private:
  // shutdown() is protected in Asio; it is what ~io_context calls first, and
  // calling it again there finds nothing left to destroy.
  class Context : public boost::asio::io_context {
   public:
    using io_context::io_context;
    void destroy_pending_work() { shutdown(); }
  };

  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace blender_bus::transport
