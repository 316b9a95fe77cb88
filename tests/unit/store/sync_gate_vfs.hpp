#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>

namespace blender_bus::store {

// A SQLite VFS, registered as the default one while it lives, that passes
// everything to the real default VFS except that a file's sync (fsync,
// fdatasync) waits while the gate is closed. With synchronous=NORMAL in WAL
// mode only a checkpoint syncs, so a closed gate holds a checkpoint in the
// middle of its work, on whichever thread runs it. One at a time.
class SyncGateVfs {
 public:
  SyncGateVfs();
  ~SyncGateVfs();  // opens the gate, restores the previous default VFS
  SyncGateVfs(const SyncGateVfs&) = delete;
  SyncGateVfs& operator=(const SyncGateVfs&) = delete;

  void close();
  void open();
  // Blocks until a sync waits at the closed gate.
  void wait_for_held_sync();
  int syncs() const;  // syncs that reached the gate so far

  // Used by the VFS's callbacks.
  void pass_sync();
  sqlite3_vfs* real() const { return real_; }

 private:
  sqlite3_vfs vfs_{};
  sqlite3_vfs* real_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool closed_ = false;
  int held_ = 0;
  int syncs_ = 0;
};

}  // namespace blender_bus::store
