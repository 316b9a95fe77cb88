#include "server/stdio_application.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <thread>

#include "mcp/dispatcher.hpp"
#include "mcp/session_registry.hpp"
#include "server/instructions.hpp"
#include "transport/stdio_transport.hpp"

namespace blender_bus::server {

namespace asio = boost::asio;

int run_stdio_server() {
  std::ios::sync_with_stdio(false);
  asio::io_context io(1);
  auto work = asio::make_work_guard(io);
  std::thread worker([&io] { io.run(); });

  mcp::ToolRegistry tools;
  mcp::ResourceRegistry resources;
  mcp::PromptRegistry prompts;
  mcp::Dispatcher dispatcher(
      mcp::ServerIdentity{"blender-bus", BLENDER_BUS_VERSION,
                          "This stdio server has no identity and therefore no message bus. "
                          "Connect to blender-bus over HTTP with a bearer token to use the "
                          "blender_* tools."},
      tools, resources, prompts);
  mcp::SessionRegistry sessions(mcp::SessionLimits{});
  auto session = sessions.create("");
  transport::StdioTransport transport(io, dispatcher, session, std::cin, std::cout,
                                      4 * 1024 * 1024);
  transport.run();
  work.reset();
  io.stop();
  worker.join();
  return 0;
}

}  // namespace blender_bus::server
