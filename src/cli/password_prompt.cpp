#include "cli/password_prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <stdexcept>

namespace blender_bus::cli {

namespace {

// Turns terminal echo off for its lifetime and back on after, also when the
// read throws.
class EchoOff {
 public:
  EchoOff() : active_(::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    if (!active_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_;
};

std::string read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("no password given on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string prompt_hidden(const char* prompt, std::istream& in, std::ostream& out) {
  out << prompt << std::flush;
  std::string line;
  {
    EchoOff quiet;
    line = read_line(in);
  }
  out << "\n";  // the user's Enter was not echoed
  return line;
}

}  // namespace

std::string read_new_password(bool from_stdin, std::istream& in, std::ostream& prompt_out) {
  if (from_stdin) return read_line(in);
  if (!::isatty(STDIN_FILENO)) {
    throw std::runtime_error(
        "stdin is not a terminal: pass --password-stdin to read the password from it");
  }
  const std::string first = prompt_hidden("New password: ", in, prompt_out);
  const std::string again = prompt_hidden("Repeat it: ", in, prompt_out);
  if (first != again) throw std::runtime_error("the passwords do not match");
  return first;
}

}  // namespace blender_bus::cli
