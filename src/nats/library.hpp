#pragma once

#include <chrono>

namespace blender_bus::nats {

// nats.c's process-wide state, opened and closed once: the composition root
// (or a test environment) owns the one Library and outlives every Connection.
//
// The global message delivery pool: every async subscription of a connection
// made with ConnectionOptions (which asks for the global pool) is served by
// `delivery_threads` shared threads instead of one thread per subscription
// (10,000 live streams would otherwise be 10,000 threads). Order per
// subscription is kept.
class Library {
 public:
  struct Options {
    int delivery_threads = 2;
    // How long the destructor waits for nats.c's threads to end.
    std::chrono::milliseconds close_timeout{5000};
  };

  Library();
  explicit Library(const Options& options);
  // Releases nats.c's memory and waits for its threads (so that leak checkers
  // see nothing). Every nats.c object must be destroyed before.
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

 private:
  Options options_;
};

}  // namespace blender_bus::nats
