#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

struct sqlite3;

namespace blender_bus::store {

// Checkpoints a database's WAL on a thread and a connection of its own, so
// that no commit copies the WAL back into the database file and syncs both.
// SQLite's automatic checkpoint runs inside the commit that crosses its
// threshold: with the buses' group commit that held every waiting send for
// the whole checkpoint (hundreds of milliseconds for 32 MiB of WAL on a
// busy disk), the durable tail.
//
// - After each commit (SQLite's WAL hook, on the committing thread) the WAL's
//   growth since the last round is compared with the threshold; past it,
//   this thread is asked for a round.
// - A round checkpoints PASSIVE: the copy and the syncs, while commits go on
//   appending. Once the WAL holds kRestartFactor times the threshold, the
//   round then checkpoints RESTART for what was appended meanwhile: that holds
//   the writer lock (a commit waits, as for another writer, through its busy
//   timeout) for a small copy and two syncs, and lets the next commit write
//   the WAL from its start again, so the file stops growing. Copying often
//   and restarting rarely keeps those stalls rare and short.
// - Past kInlineFactor times the threshold (the thread is behind, or a
//   reader in another process pins the WAL) the committing thread
//   checkpoints itself, as SQLite would: the WAL stays bounded.
//
// Durability is SQLite's: a checkpoint only copies committed pages; a crash
// in the middle of one is recovered from the WAL on the next open.
class WalCheckpointer {
 public:
  static constexpr int kRestartFactor = 4;
  static constexpr int kInlineFactor = 8;

  // Opens its own connection to `file` (an existing database in WAL mode)
  // with the writer's synchronous level (`synchronous` as PRAGMA synchronous
  // takes it) and busy timeout, and hooks the commits of `writer`:
  // checkpoints start past `threshold_pages` of WAL.
  WalCheckpointer(const std::filesystem::path& file, sqlite3* writer, int synchronous,
                  std::chrono::milliseconds busy_timeout, int threshold_pages);
  // Unhooks `writer`, waits for a checkpoint in progress, closes its connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoint rounds finished so far, and a wait until no round is asked
  // for or running (for tests).
  std::uint64_t rounds() const;
  void wait_idle() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void ask();
  void run();
  void checkpoint();

  sqlite3* writer_;
  const int threshold_pages_;
  const int restart_pages_;
  const int inline_pages_;
  int round_base_ = 0;  // WAL pages at the last ask (committing thread only)
  sqlite3* own_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool asked_ = false;  // a round is due or running: commits need not ask again
  bool stopping_ = false;
  std::uint64_t rounds_ = 0;
  std::thread thread_;
};

}  // namespace blender_bus::store
