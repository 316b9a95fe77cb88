// blender-bus: command-line entry. Parses the command line only; the server
// is composed in src/server/.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"blender-bus: a per-user MCP message bus between AI assistants and Blender"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
