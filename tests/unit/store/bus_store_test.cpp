#include "store/bus_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "store/group_commit.hpp"

namespace blender_bus::store {
namespace {

namespace fs = std::filesystem;

class BusStoreTest : public ::testing::Test {
 protected:
  BusStoreTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("bb-bus-store-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~BusStoreTest() override { fs::remove_all(dir_); }
  fs::path file() const { return dir_ / "blender-bus.db"; }

  static BusMutation upsert(const std::string& user, const std::string& uuid) {
    BusMutation m;
    m.kind = BusMutation::Kind::upsert_client;
    m.client = BusClientRow{user, uuid, "blender", {"rendering", "gpu"}, "g", 1.5, 2.5, 0, 0};
    return m;
  }
  // A batch of one mutation.
  static std::vector<BusMutation> only(BusMutation m) {
    std::vector<BusMutation> batch;
    batch.push_back(std::move(m));
    return batch;
  }
  static BusMutation append(const std::string& user, const std::string& uuid, std::uint64_t seq,
                            std::uint64_t retained_from = 0) {
    BusMutation m;
    m.kind = BusMutation::Kind::append_record;
    m.record =
        BusRecordRow{user,
                     uuid,
                     seq,
                     5,
                     10.0 + static_cast<double>(seq),
                     std::make_shared<const std::string>("{\"seq\":" + std::to_string(seq) + "}")};
    m.retained_from = retained_from;
    return m;
  }
  static BusMutation cursor(const std::string& user, const std::string& uuid, std::uint64_t to,
                            bool exact = false) {
    BusMutation m;
    m.kind = BusMutation::Kind::move_cursor;
    m.user_id = user;
    m.uuid = uuid;
    m.delivered = to;
    m.exact = exact;
    return m;
  }

  fs::path dir_;
};

TEST_F(BusStoreTest, WhatIsWrittenIsLoadedBackAfterReopening) {
  {
    Database db(file());
    BusStore store(db);
    std::vector<BusMutation> batch;
    batch.push_back(upsert("alice", "p-1"));
    batch.push_back(upsert("alice", "p-2"));
    batch.push_back(upsert("bob", "p-1"));
    batch.push_back(append("alice", "p-1", 3));
    batch.push_back(append("alice", "p-1", 4));
    batch.push_back(append("alice", "p-1", 6, 4));  // evicted 3 in memory
    batch.push_back(cursor("alice", "p-1", 4));
    batch.push_back(cursor("alice", "p-1", 2));  // an advance never goes back
    BusMutation seq;
    seq.kind = BusMutation::Kind::sequence;
    seq.user_id = "alice";
    seq.seq = 9;
    batch.push_back(seq);
    BusMutation job;
    job.kind = BusMutation::Kind::open_job;
    job.job = {"alice", "job-1", "llm-1"};
    batch.push_back(job);
    job.job = {"alice", "job-2", "llm-1"};
    batch.push_back(job);
    job.kind = BusMutation::Kind::close_job;
    batch.push_back(job);
    BusMutation gone;
    gone.kind = BusMutation::Kind::delete_client;
    gone.user_id = "bob";
    gone.uuid = "p-1";
    batch.push_back(gone);
    store.apply(batch);
  }
  Database db(file());
  BusStore store(db);
  const BusSnapshot s = store.load();
  ASSERT_EQ(s.clients.size(), 2u);
  EXPECT_EQ(s.clients[0].uuid, "p-1");
  EXPECT_EQ(s.clients[0].user_id, "alice");
  EXPECT_EQ(s.clients[0].capabilities, (std::vector<std::string>{"rendering", "gpu"}));
  EXPECT_EQ(s.clients[0].group_id, "g");
  EXPECT_EQ(s.clients[0].connected_at, 1.5);
  EXPECT_EQ(s.clients[0].delivered, 4u);
  EXPECT_EQ(s.clients[1].uuid, "p-2");
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.records[0].seq, 4u);
  EXPECT_EQ(s.records[1].seq, 6u);
  EXPECT_EQ(*s.records[1].text, "{\"seq\":6}");
  EXPECT_EQ(s.records[1].level, 5);
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_EQ(s.sequences[0], (std::pair<std::string, std::uint64_t>{"alice", 9}));
  ASSERT_EQ(s.jobs.size(), 1u);
  EXPECT_EQ(s.jobs[0].job_id, "job-1");
  EXPECT_EQ(s.jobs[0].originator, "llm-1");
}

TEST_F(BusStoreTest, EvictedRowsAreSweptAFewWithEveryBatch) {
  Database db(file());
  BusStore store(db);
  auto rows = [&] {
    Connection c = db.lock();
    Statement q = c.prepare("SELECT count(*) FROM bus_records");
    q.step();
    return q.column_int64(0);
  };
  store.apply(only(upsert("alice", "p")));
  // An inbox of 10 records: each append evicts the oldest in memory.
  constexpr std::uint64_t kRetained = 10;
  std::uint64_t seq = 0;
  auto append_batches = [&](std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; i += 8) {
      std::vector<BusMutation> batch;
      for (int j = 0; j < 8; ++j) {
        ++seq;
        batch.push_back(append("alice", "p", seq, seq > kRetained ? seq - kRetained + 1 : 0));
      }
      store.apply(batch);
    }
  };
  // The garbage never piles up for one commit to delete a table's worth of
  // it (that commit held every send waiting on it): it stays within a few
  // batches of the live rows.
  for (int round = 0; round < 12; ++round) {
    append_batches(512);
    EXPECT_LT(rows(), static_cast<std::int64_t>(kRetained) + 64) << "after " << seq << " records";
  }
  const BusSnapshot s = store.load();
  ASSERT_EQ(s.records.size(), kRetained);
  EXPECT_EQ(s.records.back().seq, seq);
}

TEST_F(BusStoreTest, AClientRemovedAndRegisteredAgainDoesNotGetItsPredecessorsRecords) {
  {
    Database db(file());
    BusStore store(db);
    std::vector<BusMutation> batch;
    batch.push_back(upsert("alice", "p"));
    batch.push_back(append("alice", "p", 1));
    batch.push_back(append("alice", "p", 2));
    store.apply(batch);
    BusMutation gone;
    gone.kind = BusMutation::Kind::delete_client;
    gone.user_id = "alice";
    gone.uuid = "p";
    std::vector<BusMutation> removal;
    removal.push_back(gone);
    store.apply(removal);
    EXPECT_TRUE(store.load().records.empty());
  }
  // Across a restart too: the new row's floor is stored with it.
  {
    Database db(file());
    BusStore store(db);
    std::vector<BusMutation> again;
    again.push_back(upsert("alice", "p"));
    again.push_back(append("alice", "p", 3));
    store.apply(again);
  }
  Database db(file());
  BusStore store(db);
  const BusSnapshot s = store.load();
  ASSERT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.records[0].seq, 3u);
}

TEST_F(BusStoreTest, APurgedUserLeavesNothingAndANamesakeStartsFromSeqOne) {
  Database db(file());
  BusStore store(db);
  std::vector<BusMutation> batch;
  for (const std::string user : {"alice", "bob"}) {
    batch.push_back(upsert(user, "p"));
    for (std::uint64_t seq = 1; seq <= 3; ++seq) batch.push_back(append(user, "p", seq));
    BusMutation job;
    job.kind = BusMutation::Kind::open_job;
    job.job = {user, "job-1", "llm"};
    batch.push_back(job);
  }
  store.apply(batch);
  // In one batch: what was queued for alice before her purge goes with it.
  std::vector<BusMutation> purge;
  BusMutation sequence;
  sequence.kind = BusMutation::Kind::sequence;
  sequence.user_id = "alice";
  sequence.seq = 3;
  purge.push_back(sequence);
  purge.push_back(cursor("alice", "p", 2));
  BusMutation gone;
  gone.kind = BusMutation::Kind::purge_user;
  gone.user_id = "alice";
  purge.push_back(gone);
  store.apply(purge);
  BusSnapshot s = store.load();
  for (const auto& c : s.clients) EXPECT_EQ(c.user_id, "bob");
  for (const auto& r : s.records) EXPECT_EQ(r.user_id, "bob");
  for (const auto& j : s.jobs) EXPECT_EQ(j.user_id, "bob");
  for (const auto& [user, seq] : s.sequences) EXPECT_EQ(user, "bob");
  EXPECT_EQ(s.records.size(), 3u);
  // A new alice's first client keeps her records from seq 1 on.
  std::vector<BusMutation> namesake;
  namesake.push_back(upsert("alice", "p"));
  namesake.push_back(append("alice", "p", 1));
  store.apply(namesake);
  s = store.load();
  ASSERT_EQ(s.records.size(), 4u);
  EXPECT_EQ(s.records[0].user_id, "alice");
  EXPECT_EQ(s.records[0].seq, 1u);
}

TEST_F(BusStoreTest, AStoreFromTheKeyedRecordLayoutIsMigratedWithItsRecords) {
  {
    // The bus schema as version 2 left it.
    Database db(file());
    Connection c = db.lock();
    c.exec(
        "CREATE TABLE bus_clients (user_id TEXT NOT NULL, uuid TEXT NOT NULL,"
        " client_type TEXT NOT NULL, capabilities TEXT NOT NULL, group_id TEXT,"
        " connected_at REAL NOT NULL, last_seen REAL NOT NULL,"
        " delivered INTEGER NOT NULL DEFAULT 0, retained_from INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (user_id, uuid));"
        "CREATE TABLE bus_records (user_id TEXT NOT NULL, seq INTEGER NOT NULL,"
        " client_uuid TEXT NOT NULL, level INTEGER NOT NULL, timestamp REAL NOT NULL,"
        " text TEXT NOT NULL, PRIMARY KEY (user_id, seq)) WITHOUT ROWID;"
        "CREATE TABLE bus_sequences (user_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);"
        "CREATE TABLE bus_jobs (user_id TEXT NOT NULL, job_id TEXT NOT NULL,"
        " originator TEXT NOT NULL, PRIMARY KEY (user_id, job_id));"
        "INSERT INTO schema_migrations (component, version) VALUES ('bus', 2);"
        "INSERT INTO bus_clients VALUES ('alice', 'p', 'blender', '[]', NULL, 1, 2, 1, 0);"
        "INSERT INTO bus_records VALUES ('alice', 2, 'p', 5, 3.5, '{\"n\":2}');"
        "INSERT INTO bus_records VALUES ('alice', 1, 'p', 5, 3.0, '{\"n\":1}');");
  }
  Database db(file());
  BusStore store(db);
  EXPECT_EQ(db.schema_version("bus"), 4);
  const BusSnapshot s = store.load();
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.records[0].seq, 1u);
  EXPECT_EQ(*s.records[1].text, "{\"n\":2}");
  EXPECT_EQ(s.clients.at(0).delivered, 1u);
  EXPECT_EQ(s.clients.at(0).label, std::nullopt);  // migration 4: no label yet
}

TEST_F(BusStoreTest, AClientsLabelIsKeptAndUpdatedByReRegistration) {
  {
    Database db(file());
    BusStore store(db);
    BusMutation labelled = upsert("alice", "p-1");
    labelled.client.label = "Studio PC";
    store.apply(only(labelled));
    EXPECT_EQ(store.load().clients.at(0).label, "Studio PC");
    labelled.client.label = "Render node";
    store.apply(only(labelled));
    store.apply(only(upsert("alice", "p-2")));
  }
  Database db(file());
  BusStore store(db);
  const BusSnapshot s = store.load();
  ASSERT_EQ(s.clients.size(), 2u);
  EXPECT_EQ(s.clients[0].label, "Render node");
  EXPECT_EQ(s.clients[1].label, std::nullopt);
}

TEST_F(BusStoreTest, AnExactCursorMayGoBackAndReRegistrationKeepsIt) {
  Database db(file());
  BusStore store(db);
  std::vector<BusMutation> batch;
  batch.push_back(upsert("alice", "p"));
  batch.push_back(cursor("alice", "p", 8));
  batch.push_back(cursor("alice", "p", 5, true));
  batch.push_back(upsert("alice", "p"));
  store.apply(batch);
  EXPECT_EQ(store.load().clients.at(0).delivered, 5u);
}

TEST_F(BusStoreTest, GroupCommitBatchesConcurrentWritersAndReportsEachCommit) {
  Database db(file());
  BusStore store(db);
  store.apply(only(upsert("alice", "p")));
  GroupCommit commit(store);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::atomic<int> confirmed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<BusMutation> m;
        m.push_back(append("alice", "p", static_cast<std::uint64_t>(t * kPerThread + i + 1)));
        const auto ticket = commit.submit(std::move(m));
        commit.when_committed(ticket, [&](bool ok) {
          EXPECT_TRUE(ok);
          ++confirmed;
        });
        commit.request_commit();  // as an I/O thread does at the end of its turn
      }
    });
  }
  for (auto& w : writers) w.join();
  commit.flush();
  EXPECT_EQ(confirmed.load(), kThreads * kPerThread);
  EXPECT_LT(commit.commits(), static_cast<std::uint64_t>(kThreads * kPerThread))
      << "concurrent submissions share commits";
  EXPECT_EQ(store.load().records.size(), static_cast<std::size_t>(kThreads * kPerThread));
  // Already committed: answered at once.
  bool now = false;
  commit.when_committed(1, [&](bool ok) { now = ok; });
  EXPECT_TRUE(now);
}

TEST_F(BusStoreTest, AFailedBatchIsReportedToItsWaiters) {
  Database db(file());
  BusStore store(db);
  GroupCommit commit(store);
  std::vector<BusMutation> bad;
  BusMutation m = upsert("alice", "p");
  m.client.client_type = "blender";
  bad.push_back(m);
  {
    // Drop the table under the store's feet: the next batch must fail, loudly.
    Connection c = db.lock();
    c.exec("DROP TABLE bus_clients");
  }
  std::atomic<int> result{-1};
  const auto ticket = commit.submit(std::move(bad));
  commit.when_committed(ticket, [&](bool ok) { result = ok ? 1 : 0; });
  commit.flush();
  EXPECT_EQ(result.load(), 0);
}

TEST_F(BusStoreTest, StopFlushesWhatWasSubmitted) {
  Database db(file());
  BusStore store(db);
  {
    GroupCommit commit(store);
    commit.submit(only(upsert("alice", "p")));
    commit.stop();
  }
  EXPECT_EQ(store.load().clients.size(), 1u);
}

TEST_F(BusStoreTest, WritesNobodyWaitsForAreCommittedAnyway) {
  // Cursor moves and sequences are submitted for later: they ride along with
  // a later commit, or go on their own within about kMaxDelay.
  Database db(file());
  BusStore store(db);
  GroupCommit commit(store);
  commit.submit_later(only(upsert("alice", "p")));
  // No request, no flush: only the writer's own clock commits it. (The bound
  // is a hang guard, not a timing assertion.)
  for (int i = 0; i < 1000 && commit.commits() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(commit.commits(), 1u);
  EXPECT_EQ(store.load().clients.size(), 1u);
}

TEST_F(BusStoreTest, FlushCommitsTheLaterWritesToo) {
  Database db(file());
  BusStore store(db);
  GroupCommit commit(store);
  commit.submit_later(only(upsert("alice", "p")));
  commit.flush();
  EXPECT_EQ(store.load().clients.size(), 1u);
}

TEST_F(BusStoreTest, ARequestedCommitTakesEverythingSubmittedBeforeIt) {
  Database db(file());
  BusStore store(db);
  store.apply(only(upsert("alice", "p")));
  GroupCommit commit(store);
  std::vector<std::uint64_t> tickets;
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    std::vector<BusMutation> batch;
    batch.push_back(append("alice", "p", seq));
    tickets.push_back(commit.submit(std::move(batch)));
  }
  commit.request_commit();
  std::promise<bool> done;
  commit.when_committed(tickets.back(), [&](bool ok) { done.set_value(ok); });
  EXPECT_TRUE(done.get_future().get());
  EXPECT_EQ(store.load().records.size(), 10u);
}

}  // namespace
}  // namespace blender_bus::store
