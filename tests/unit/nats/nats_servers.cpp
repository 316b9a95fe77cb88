#include "nats_servers.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>

#ifndef NATS_CLUSTER_SCRIPT
#error "NATS_CLUSTER_SCRIPT must name tests/cluster/nats-cluster.sh"
#endif

namespace blender_bus::nats::testing {

namespace {

constexpr const char* kScript = NATS_CLUSTER_SCRIPT;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) {
    while (!item.empty() && (item.back() == '\n' || item.back() == ' ')) item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "a b c".
std::string words(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += ' ';
    out += part;
  }
  return out;
}

}  // namespace

bool NatsServers::available() {
  return std::system("command -v nats-server >/dev/null 2>&1 || test -x /usr/sbin/nats-server") ==
         0;
}

NatsServers::NatsServers(int count) {
  char pattern[] = "/tmp/bb-nats-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  run(words({"start", dir_, std::to_string(count)}));
  urls_ = split(run(words({"urls", dir_})), ',');
  for (int i = 1; i <= count; ++i) {
    std::string name = "n";  // (GCC 12 warns falsely on "n" + std::to_string(i))
    names_.push_back(name += std::to_string(i));
  }
}

NatsServers::~NatsServers() {
  try {
    run(words({"stop", dir_}));
  } catch (const std::exception&) {
    // Best effort: the watchdog ends them with this process anyway.
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NatsServers::url_of(const std::string& name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return urls_.at(i);
  }
  throw std::invalid_argument("no server " + name);
}

ConnectionOptions NatsServers::options() const {
  ConnectionOptions options;
  options.servers = urls_;
  options.name = "unit-test";
  return options;
}

void NatsServers::kill(const std::string& name) {
  run(words({"kill", dir_, name}));
}
void NatsServers::term(const std::string& name) {
  run(words({"term", dir_, name}));
}
void NatsServers::restart(const std::string& name) {
  run(words({"restart", dir_, name}));
}

std::string NatsServers::run(const std::string& arguments) const {
  std::string command = "PATH=\"$PATH:/usr/sbin\" NATS_CLUSTER_OWNER=";
  command += std::to_string(getpid());
  command += ' ';
  command += kScript;
  command += ' ';
  command += arguments;
  command += " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
  int status = pclose(pipe.release());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("nats-cluster.sh " + arguments + " failed:\n" + output);
  }
  return output;
}

}  // namespace blender_bus::nats::testing
