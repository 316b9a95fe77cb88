#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

namespace blender_bus::cli {

// What a running client command may ask of its runner.
class CommandContext {
 public:
  explicit CommandContext(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  const boost::asio::any_io_executor& executor() const { return executor_; }
  // Called on the first Ctrl-C / SIGTERM so the command can wind down (close
  // its session); a second signal ends the process's loop at once.
  void on_interrupt(std::function<void()> handler) { interrupt_ = std::move(handler); }
  bool interrupted() const { return interrupted_; }

  // For the runner.
  bool interrupt();

 private:
  boost::asio::any_io_executor executor_;
  std::function<void()> interrupt_;
  bool interrupted_ = false;
};

using CommandBody = std::function<boost::asio::awaitable<int>(CommandContext&)>;

// Runs one command's coroutine on its own event loop and returns its exit
// status. An exception becomes a one-line message on stderr ("blender-bus
// NAME: …", with a hint for the usual causes) and `error_status`.
int run_command(const std::string& name, const CommandBody& body, int error_status = 1);

// The message run_command prints for an exception (exposed for tests).
std::string describe_failure(const std::exception& error);

}  // namespace blender_bus::cli
