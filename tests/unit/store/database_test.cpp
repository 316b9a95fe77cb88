#include "store/database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store_error.hpp"
#include "temp_dir.hpp"

namespace blender_bus::store {
namespace {

namespace fs = std::filesystem;

std::string query_text(Database& db, const std::string& sql) {
  Connection c = db.lock();
  Statement s = c.prepare(sql);
  EXPECT_TRUE(s.step());
  return s.column_text(0);
}

std::int64_t query_int(Database& db, const std::string& sql) {
  Connection c = db.lock();
  Statement s = c.prepare(sql);
  EXPECT_TRUE(s.step());
  return s.column_int64(0);
}

TEST(Database, DataVersionMovesForAnotherConnectionsCommitsOnly) {
  TempDir dir;
  Database server(dir.path() / "blender-bus.db");
  Database cli(dir.path() / "blender-bus.db");
  server.lock().exec("CREATE TABLE t (x INTEGER)");
  const std::int64_t start = server.data_version();
  server.lock().exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(server.data_version(), start);  // its own write
  cli.lock().exec("INSERT INTO t VALUES (2)");
  EXPECT_NE(server.data_version(), start);
}

TEST(Database, FileInDataDirIsBlenderBusDb) {
  EXPECT_EQ(Database::file_in("/var/lib/bb"), fs::path("/var/lib/bb/blender-bus.db"));
}

TEST(Database, CreatesPrivateFileInWalModeWithForeignKeys) {
  TempDir dir;
  const fs::path file = Database::file_in(dir.path());
  Database db(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int(db, "PRAGMA user_version"), 1);
}

TEST(Database, SyncIsNormalByDefaultAndFullWhenAsked) {
  TempDir dir;
  {
    Database db(Database::file_in(dir.path()));
    EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 1);  // NORMAL
  }
  DatabaseOptions full;
  full.sync = DatabaseOptions::Sync::full;
  Database db(Database::file_in(dir.path()), full);
  EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 2);  // FULL
}

TEST(Database, MissingDirectoryIsAStoreError) {
  TempDir dir;
  EXPECT_THROW(Database(dir.path() / "no" / "such" / "dir" / "x.db"), StoreError);
}

TEST(Database, BindsAndReadsEveryType) {
  Database db(":memory:");
  Connection c = db.lock();
  c.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)");
  const std::string tricky = std::string("quote' \"semi;colon -- ") + '\0' + "after-nul";
  const std::array<std::byte, 3> blob{std::byte{0}, std::byte{0xff}, std::byte{7}};
  Statement ins = c.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
  ins.bind(1, std::int64_t{1} << 40).bind(2, 2.5).bind(3, tricky).bind(4, std::span(blob));
  ins.bind(5, std::optional<std::string>{});
  ins.run();
  EXPECT_EQ(c.changes(), 1);
  EXPECT_EQ(c.last_insert_rowid(), 1);

  Statement sel = c.prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_TRUE(sel.step());
  EXPECT_EQ(sel.column_count(), 5);
  EXPECT_EQ(sel.column_int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(sel.column_double(1), 2.5);
  EXPECT_EQ(sel.column_text(2), tricky);
  EXPECT_EQ(sel.column_blob(3), std::vector<std::byte>(blob.begin(), blob.end()));
  EXPECT_TRUE(sel.column_is_null(4));
  EXPECT_FALSE(sel.step());
}

TEST(Database, StringLiteralBindsAsTextNotAsBool) {
  Database db(":memory:");
  Connection c = db.lock();
  Statement s = c.prepare("SELECT typeof(?1), ?1, typeof(?2)");
  s.bind(1, "abc").bind(2, std::string_view{});
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "text");
  EXPECT_EQ(s.column_text(1), "abc");
  EXPECT_EQ(s.column_text(2), "text");  // empty, not NULL
}

TEST(Database, ResetRunsAStatementAgainWithNewBindings) {
  Database db(":memory:");
  Connection c = db.lock();
  c.exec("CREATE TABLE t (v INTEGER)");
  Statement ins = c.prepare("INSERT INTO t VALUES (?1)");
  for (int v = 1; v <= 3; ++v) {
    ins.bind(1, v);
    ins.run();
    ins.reset();
  }
  Statement sum = c.prepare("SELECT sum(v) FROM t");
  ASSERT_TRUE(sum.step());
  EXPECT_EQ(sum.column_int64(0), 6);
}

TEST(Database, SqliteErrorsBecomeStoreErrorsWithSqlitesMessage) {
  Database db(":memory:");
  Connection c = db.lock();
  try {
    c.prepare("SELEC nonsense");
    FAIL() << "no exception";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  c.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
  c.exec("INSERT INTO t VALUES ('a')");
  Statement dup = c.prepare("INSERT INTO t VALUES ('a')");
  try {
    dup.run();
    FAIL() << "no exception";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), SQLITE_CONSTRAINT_PRIMARYKEY);
    EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed: t.k"), std::string::npos)
        << e.what();
  }
}

TEST(Database, ForeignKeysAreEnforced) {
  Database db(":memory:");
  Connection c = db.lock();
  c.exec(
      "CREATE TABLE p (id INTEGER PRIMARY KEY);"
      "CREATE TABLE ch (p INTEGER NOT NULL REFERENCES p(id))");
  EXPECT_THROW(c.exec("INSERT INTO ch VALUES (42)"), StoreError);
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
  Database db(":memory:");
  Connection c = db.lock();
  c.exec("CREATE TABLE t (v INTEGER)");
  {
    Transaction tx = c.transaction();
    c.exec("INSERT INTO t VALUES (1)");
  }
  {
    Transaction tx = c.transaction();
    c.exec("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  Statement s = c.prepare("SELECT group_concat(v) FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "2");
}

TEST(Database, NestedTransactionIsAStoreError) {
  Database db(":memory:");
  Connection c = db.lock();
  Transaction outer = c.transaction();
  EXPECT_THROW(c.transaction(), StoreError);
}

constexpr std::array<Migration, 2> kSteps{{
    {1, "CREATE TABLE a (v INTEGER)"},
    {2, "ALTER TABLE a ADD COLUMN w TEXT; CREATE TABLE b (v INTEGER)"},
}};

TEST(Database, MigrateAppliesStepsOnceAndRecordsTheVersion) {
  Database db(":memory:");
  EXPECT_EQ(db.schema_version("demo"), 0);
  db.migrate("demo", std::span(kSteps).first(1));
  EXPECT_EQ(db.schema_version("demo"), 1);
  db.migrate("demo", kSteps);  // applies only step 2
  EXPECT_EQ(db.schema_version("demo"), 2);
  db.migrate("demo", kSteps);  // nothing left: must not re-run CREATE TABLE
  EXPECT_EQ(db.schema_version("demo"), 2);
  Connection c = db.lock();
  c.exec("INSERT INTO a (v, w) VALUES (1, 'x'); INSERT INTO b VALUES (1)");
}

TEST(Database, ComponentsMigrateIndependently) {
  Database db(":memory:");
  db.migrate("demo", kSteps);
  const std::array<Migration, 1> other{{{1, "CREATE TABLE other (v INTEGER)"}}};
  db.migrate("other", other);
  EXPECT_EQ(db.schema_version("demo"), 2);
  EXPECT_EQ(db.schema_version("other"), 1);
}

TEST(Database, MigrateRejectsMisnumberedSteps) {
  Database db(":memory:");
  const std::array<Migration, 2> bad{{{1, "CREATE TABLE a (v INTEGER)"}, {3, "SELECT 1"}}};
  EXPECT_THROW(db.migrate("demo", bad), StoreError);
  EXPECT_EQ(db.schema_version("demo"), 0);
}

TEST(Database, MigrateRefusesASchemaNewerThanTheBuild) {
  Database db(":memory:");
  db.migrate("demo", kSteps);
  EXPECT_THROW(db.migrate("demo", std::span(kSteps).first(1)), StoreError);
}

TEST(Database, AFailingStepLeavesNothingBehind) {
  Database db(":memory:");
  const std::array<Migration, 2> failing{{{1, "CREATE TABLE a (v INTEGER)"}, {2, "NOT SQL"}}};
  EXPECT_THROW(db.migrate("demo", failing), StoreError);
  EXPECT_EQ(db.schema_version("demo"), 0);
  Connection c = db.lock();
  EXPECT_THROW(c.exec("INSERT INTO a VALUES (1)"), StoreError);  // table a rolled back
}

TEST(Database, DataSurvivesReopening) {
  TempDir dir;
  const fs::path file = Database::file_in(dir.path());
  {
    Database db(file);
    db.migrate("demo", kSteps);
    Connection c = db.lock();
    c.exec("INSERT INTO b VALUES (7)");
  }
  Database db(file);
  EXPECT_EQ(db.schema_version("demo"), 2);
  EXPECT_EQ(query_int(db, "SELECT v FROM b"), 7);
}

TEST(Database, TwoHandlesOnOneFileSeeEachOthersWrites) {
  // As a running server and `blender-bus user add` do.
  TempDir dir;
  const fs::path file = Database::file_in(dir.path());
  Database server(file);
  Database cli(file);
  server.migrate("demo", kSteps);
  cli.migrate("demo", kSteps);
  {
    Connection c = cli.lock();
    c.exec("INSERT INTO b VALUES (5)");
  }
  EXPECT_EQ(query_int(server, "SELECT v FROM b"), 5);
}

TEST(Database, LockSerialisesReadModifyWriteAcrossThreads) {
  Database db(":memory:");
  {
    Connection c = db.lock();
    c.exec("CREATE TABLE counter (v INTEGER); INSERT INTO counter VALUES (0)");
  }
  constexpr int kThreads = 4;
  constexpr int kIncrements = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&db] {
      for (int i = 0; i < kIncrements; ++i) {
        Connection c = db.lock();
        Statement read = c.prepare("SELECT v FROM counter");
        read.step();
        const std::int64_t v = read.column_int64(0);
        read.reset();
        Statement write = c.prepare("UPDATE counter SET v = ?1");
        write.bind(1, v + 1);
        write.run();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(query_int(db, "SELECT v FROM counter"), kThreads * kIncrements);
}

}  // namespace
}  // namespace blender_bus::store
