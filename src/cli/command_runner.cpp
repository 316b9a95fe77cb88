#include "cli/command_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "cli/auth_client.hpp"
#include "cli/http_message.hpp"
#include "cli/json_rpc.hpp"
#include "cli/mcp_client.hpp"

namespace blender_bus::cli {

namespace asio = boost::asio;

bool CommandContext::interrupt() {
  if (interrupted_) return false;
  interrupted_ = true;
  if (!interrupt_) return false;
  interrupt_();
  return true;
}

std::string describe_failure(const std::exception& error) {
  if (const auto* refused = dynamic_cast<const AuthRefused*>(&error)) {
    return "refused: " + refused->detail();
  }
  if (const auto* gone = dynamic_cast<const SessionGone*>(&error)) {
    return std::string(gone->what()) + " (the server ended the session; it may have restarted)";
  }
  if (const auto* http = dynamic_cast<const HttpError*>(&error)) {
    if (http->status() == 401) {
      return "not authorized: " + http->detail() +
             "\n  log in with `blender-bus login --server URL`, or pass --token-file";
    }
    return http->what();
  }
  if (const auto* network = dynamic_cast<const NetworkError*>(&error)) {
    std::string text = network->what();
    if (network->code() == asio::error::connection_refused) {
      text += "\n  is the server running? (`blender-bus serve`, or pass --server URL)";
    }
    return text;
  }
  return error.what();
}

int run_command(const std::string& name, const CommandBody& body, int error_status) {
  // A reader that goes away (`blender-bus listen | head -1`) closes our
  // stdout: the write fails with EPIPE and is reported below, instead of the
  // signal ending the process without a word. Sockets never raise it (Asio
  // sends with MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context io(1);
  CommandContext context(io.get_executor());
  asio::signal_set signals(io, SIGINT, SIGTERM);
  int status = error_status;
  bool finished = false;
  bool forced = false;

  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;  // cancelled: the command finished
      if (!context.interrupt()) {
        forced = true;
        io.stop();
        return;
      }
      wait_signal();
    });
  };
  wait_signal();

  asio::co_spawn(io, body(context), [&](std::exception_ptr error, int result) {
    finished = true;
    signals.cancel();
    if (!error) {
      status = result;
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::cerr << "blender-bus " << name << ": " << describe_failure(e) << "\n";
    }
  });
  io.run();
  if (forced && !finished) return 130;  // 128 + SIGINT, as shells report it
  if (!std::cout.flush()) {
    std::cerr << "blender-bus " << name << ": stdout was closed; the output is lost\n";
    if (status == 0) status = error_status;
  }
  return status;
}

}  // namespace blender_bus::cli
