#pragma once

#include <boost/asio/awaitable.hpp>

namespace blender_bus::delivery {

// A change a port has started (records appended, a job opened or closed)
// and not yet settled. Starting it is cheap and never blocks; it becomes
// safe by the engine's rule later (embedded: at once in memory, or once the
// SQLite group commit holds what must survive a restart; JetStream: once
// the stream or the KV bucket acked it).
//
// A caller that starts several changes for one operation (a send that opens
// a job) starts them all first, then awaits them: an engine that batches
// its writes puts them in one batch.
class Settlement {
 public:
  virtual ~Settlement() = default;

  // Completes once the change is safe, on the awaiting coroutine's executor
  // (no thread blocks). false: it could not be made safe and has been
  // withdrawn: nothing of it is delivered or visible, ever. Await it once.
  virtual boost::asio::awaitable<bool> settled() = 0;

  // Gives the change up before settled() was awaited (another change of the
  // same operation failed): it is undone and nothing of it is delivered.
  virtual void withdraw() = 0;
};

}  // namespace blender_bus::delivery
