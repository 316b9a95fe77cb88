#include "store/wal_checkpointer.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <random>
#include <semaphore>
#include <set>
#include <string>

#include "store/bus_store.hpp"
#include "store/database.hpp"
#include "store/group_commit.hpp"
#include "sync_gate_vfs.hpp"
#include "temp_dir.hpp"

namespace blender_bus::store {
namespace {

namespace fs = std::filesystem;

constexpr int kPageSize = 4096;
constexpr int kPagesPerCommit = 64;  // a 256 KiB blob: its overflow pages

void commit_blobs(Database& db, int commits) {
  for (int i = 0; i < commits; ++i) {
    Connection c = db.lock();
    Statement insert = c.prepare("INSERT INTO t VALUES (zeroblob(?1))");
    insert.bind(1, kPagesPerCommit * kPageSize);
    insert.run();
  }
}

// The defect: a checkpoint ran inside the commit that crossed its threshold,
// so every send waiting on that commit waited for the copy and both syncs.
// With the sync held, a commit that waits for the checkpoint never finishes
// (the bound below only keeps a failure from hanging the suite).
TEST(WalCheckpointer, CommitsGoOnWhileACheckpointWaitsForTheDisk) {
  TempDir dir;
  SyncGateVfs gate;
  Database db(Database::file_in(dir.path()));
  db.lock().exec("CREATE TABLE t (x BLOB)");
  gate.close();
  // Past the default threshold (8,192 pages), well under four times it.
  const int commits = 8192 * 5 / 4 / kPagesPerCommit;
  auto writer = std::async(std::launch::async, [&] { commit_blobs(db, commits); });
  gate.wait_for_held_sync();  // a checkpoint is in the middle of its work
  const bool finished = writer.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  gate.open();
  writer.get();
  EXPECT_TRUE(finished) << "a commit waited for the checkpoint's sync";
}

// Rounds copy the WAL back as it grows; it starts again from its beginning
// (here as soon as a round has copied it all, between two commits; under a
// stream of commits the round's RESTART past the restart bound does it), so
// the file stops growing.
TEST(WalCheckpointer, RoundsKeepTheWalFromGrowing) {
  TempDir dir;
  DatabaseOptions options;
  options.checkpoint_pages = 4 * kPagesPerCommit;
  Database db(Database::file_in(dir.path()), options);
  db.lock().exec("CREATE TABLE t (x BLOB)");
  const int restart_pages = WalCheckpointer::kRestartFactor * options.checkpoint_pages;
  // The WAL file keeps its largest size when the WAL starts again: its size
  // is the most pages the WAL ever held (a frame is a page and 24 bytes).
  const fs::path wal = Database::file_in(dir.path()).string() + "-wal";
  for (int i = 0; i < 3 * restart_pages / kPagesPerCommit; ++i) {
    commit_blobs(db, 1);
    db.checkpointer()->wait_idle();  // the round this commit asked for, if any
  }
  EXPECT_GE(db.checkpointer()->rounds(), 3u);
  EXPECT_LE(static_cast<int>(fs::file_size(wal) / (kPageSize + 24)),
            restart_pages + 2 * kPagesPerCommit);
}

// A server killed with -9 while its checkpoints run loses no record whose
// commit it reported: the copy into the database file only ever follows the
// WAL, and the next open recovers from the WAL. The child process commits
// records of its own (a tiny threshold: a checkpoint round every few
// commits) and writes each committed seq into a pipe; the parent kills it
// after a while and reads everything back.
TEST(WalCheckpointer, KilledWhileCheckpointingItLosesNoCommittedRecord) {
  TempDir dir;
  const fs::path file = Database::file_in(dir.path());
  DatabaseOptions options;
  options.checkpoint_pages = 16;
  const std::string text(6000, 'r');
  std::set<std::uint64_t> committed;
  std::uint64_t first = 1;
  std::mt19937 random(12345);
  for (int run = 0; run < 4; ++run) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      try {
        Database db(file, options);
        BusStore store(db);
        GroupCommit commit(store);
        BusMutation client;
        client.kind = BusMutation::Kind::upsert_client;
        client.client = BusClientRow{"u", "c", "blender", {}, std::nullopt, 1.0, 1.0};
        commit.submit({client});
        std::counting_semaphore<8> in_flight(8);
        for (std::uint64_t seq = first;; ++seq) {
          in_flight.acquire();
          BusMutation m;
          m.kind = BusMutation::Kind::append_record;
          m.record = BusRecordRow{"u", "c", seq, 6, 1.0, std::make_shared<const std::string>(text)};
          const std::uint64_t ticket = commit.submit({m});
          commit.when_committed(ticket, [&, seq, fd = fds[1]](bool ok) {
            if (ok && ::write(fd, &seq, sizeof seq) != sizeof seq) ::_exit(4);
            in_flight.release();
          });
          commit.request_commit();
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    ::close(fds[1]);
    const std::size_t kill_after = 150 + random() % 300;
    std::uint64_t seq = 0;
    std::size_t read = 0;
    while (::read(fds[0], &seq, sizeof seq) == sizeof seq) {
      committed.insert(seq);
      if (++read == kill_after) ::kill(child, SIGKILL);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended by itself: " << status;
    ASSERT_GE(read, kill_after);
    first = *committed.rbegin() + 1000;

    Database db(file, options);
    BusStore store(db);
    std::set<std::uint64_t> stored;
    for (const BusRecordRow& r : store.load().records) stored.insert(r.seq);
    for (std::uint64_t c : committed) ASSERT_TRUE(stored.count(c)) << "lost seq " << c;
    // The checkpoints ran: the records are in the database file, not only
    // in its WAL.
    EXPECT_GT(fs::file_size(file), 100u * 6000u);
  }
}

}  // namespace
}  // namespace blender_bus::store
