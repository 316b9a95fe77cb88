#include "store/bus_store.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>

#include "json/serializer.hpp"
#include "store/migration.hpp"

namespace blender_bus::store {

namespace {

constexpr std::array<Migration, 4> kBusMigrations{{
    {1,
     "CREATE TABLE bus_clients ("
     " user_id TEXT NOT NULL, uuid TEXT NOT NULL, client_type TEXT NOT NULL,"
     " capabilities TEXT NOT NULL, group_id TEXT, connected_at REAL NOT NULL,"
     " last_seen REAL NOT NULL, delivered INTEGER NOT NULL DEFAULT 0,"
     " retained_from INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (user_id, uuid));"
     "CREATE TABLE bus_records ("
     " user_id TEXT NOT NULL, client_uuid TEXT NOT NULL, seq INTEGER NOT NULL,"
     " level INTEGER NOT NULL, timestamp REAL NOT NULL, text TEXT NOT NULL,"
     " PRIMARY KEY (user_id, client_uuid, seq)) WITHOUT ROWID;"
     "CREATE TABLE bus_sequences (user_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);"
     "CREATE TABLE bus_jobs ("
     " user_id TEXT NOT NULL, job_id TEXT NOT NULL, originator TEXT NOT NULL,"
     " PRIMARY KEY (user_id, job_id));"},
    // Records keyed by (user, seq): a user's seq only grows, so a batch appends
    // to one end of the tree and writes a page or two, instead of one page per
    // client it touches. Evicted rows are swept in bulk (see apply).
    {2,
     "CREATE TABLE bus_records_by_seq ("
     " user_id TEXT NOT NULL, seq INTEGER NOT NULL, client_uuid TEXT NOT NULL,"
     " level INTEGER NOT NULL, timestamp REAL NOT NULL, text TEXT NOT NULL,"
     " PRIMARY KEY (user_id, seq)) WITHOUT ROWID;"
     "INSERT INTO bus_records_by_seq (user_id, seq, client_uuid, level, timestamp, text)"
     " SELECT user_id, seq, client_uuid, level, timestamp, text FROM bus_records;"
     "DROP TABLE bus_records;"
     "ALTER TABLE bus_records_by_seq RENAME TO bus_records;"},
    // Records in a plain rowid table with no key or index: every insert
    // appends at the end of one b-tree, the cheapest write SQLite has (about
    // 40% less per row than the keyed tree in batches of a few records). The
    // table is only read whole (load, the sweep), never looked up by key; a
    // removed client's rows are left to the sweep (see apply).
    {3,
     "CREATE TABLE bus_records_log ("
     " user_id TEXT NOT NULL, seq INTEGER NOT NULL, client_uuid TEXT NOT NULL,"
     " level INTEGER NOT NULL, timestamp REAL NOT NULL, text TEXT NOT NULL);"
     "INSERT INTO bus_records_log (user_id, seq, client_uuid, level, timestamp, text)"
     " SELECT user_id, seq, client_uuid, level, timestamp, text FROM bus_records"
     " ORDER BY user_id, seq;"
     "DROP TABLE bus_records;"
     "ALTER TABLE bus_records_log RENAME TO bus_records;"},
    // The newer add-on's label of a client (NULL: none).
    {4, "ALTER TABLE bus_clients ADD COLUMN label TEXT;"},
}};

std::string capabilities_json(const std::vector<std::string>& capabilities) {
  boost::json::array out;
  for (const auto& c : capabilities) out.emplace_back(c);
  return blender_bus::json::to_text(out);
}

std::vector<std::string> capabilities_of(const std::string& text) {
  std::vector<std::string> out;
  const boost::json::value parsed = boost::json::parse(text);
  for (const auto& v : parsed.as_array()) out.emplace_back(v.as_string());
  return out;
}

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace

BusStore::BusStore(Database& db) : db_(db) {
  db_.migrate("bus", kBusMigrations);
  Connection c = db_.lock();
  Statement last = c.prepare("SELECT user_id, max(seq) FROM bus_records GROUP BY user_id");
  while (last.step()) {
    last_seq_[last.column_text(0)] = static_cast<std::uint64_t>(last.column_int64(1));
  }
}

BusSnapshot BusStore::load() {
  BusSnapshot out;
  Connection c = db_.lock();
  Transaction tx = c.transaction(TransactionMode::deferred);
  Statement clients = c.prepare(
      "SELECT user_id, uuid, client_type, capabilities, group_id, connected_at, last_seen,"
      " delivered, retained_from, label FROM bus_clients ORDER BY rowid");
  while (clients.step()) {
    BusClientRow r;
    r.user_id = clients.column_text(0);
    r.uuid = clients.column_text(1);
    r.client_type = clients.column_text(2);
    r.capabilities = capabilities_of(clients.column_text(3));
    if (!clients.column_is_null(4)) r.group_id = clients.column_text(4);
    r.connected_at = clients.column_double(5);
    r.last_seen = clients.column_double(6);
    r.delivered = static_cast<std::uint64_t>(clients.column_int64(7));
    r.retained_from = static_cast<std::uint64_t>(clients.column_int64(8));
    if (!clients.column_is_null(9)) r.label = clients.column_text(9);
    out.clients.push_back(std::move(r));
  }
  // Rows below a client's retained_from were evicted in memory, and rows of
  // removed clients match no client: both wait for the next sweep, and load
  // leaves them out. A (user, seq) is stored once; should a row ever repeat,
  // the first is kept.
  Statement records = c.prepare(
      "SELECT r.user_id, r.client_uuid, r.seq, r.level, r.timestamp, r.text"
      " FROM bus_records r JOIN bus_clients c"
      " ON c.user_id = r.user_id AND c.uuid = r.client_uuid AND r.seq >= c.retained_from"
      " ORDER BY r.user_id, r.seq");
  while (records.step()) {
    if (!out.records.empty() &&
        out.records.back().seq == static_cast<std::uint64_t>(records.column_int64(2)) &&
        out.records.back().user_id == records.column_text(0)) {
      continue;
    }
    BusRecordRow r;
    r.user_id = records.column_text(0);
    r.client_uuid = records.column_text(1);
    r.seq = static_cast<std::uint64_t>(records.column_int64(2));
    r.level = static_cast<int>(records.column_int64(3));
    r.timestamp = records.column_double(4);
    r.text = std::make_shared<const std::string>(records.column_text(5));
    out.records.push_back(std::move(r));
  }
  Statement sequences = c.prepare("SELECT user_id, last_seq FROM bus_sequences");
  while (sequences.step()) {
    out.sequences.emplace_back(sequences.column_text(0),
                               static_cast<std::uint64_t>(sequences.column_int64(1)));
  }
  Statement jobs = c.prepare("SELECT user_id, job_id, originator FROM bus_jobs ORDER BY rowid");
  while (jobs.step()) {
    out.jobs.push_back({jobs.column_text(0), jobs.column_text(1), jobs.column_text(2)});
  }
  return out;
}

BusStore::~BusStore() {
  // The cached statements belong to the connection: finalized while holding it.
  Connection c = db_.lock();
  for (auto& st : statements_) st.reset();
}

Statement& BusStore::statement(Connection& c, Sql which) {
  static constexpr std::array<const char*, kSqlCount> kSql{
      "INSERT INTO bus_clients (user_id, uuid, client_type, capabilities, group_id,"
      " connected_at, last_seen, retained_from, label)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
      " ON CONFLICT (user_id, uuid) DO UPDATE SET client_type = excluded.client_type,"
      " capabilities = excluded.capabilities, group_id = excluded.group_id,"
      " last_seen = excluded.last_seen, label = excluded.label",
      "DELETE FROM bus_clients WHERE user_id = ?1 AND uuid = ?2",
      "INSERT INTO bus_records (user_id, client_uuid, seq, level, timestamp, text)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      "UPDATE bus_clients SET"
      " delivered = CASE WHEN ?5 THEN ?3 ELSE max(delivered, ?3) END,"
      " retained_from = max(retained_from, ?4) WHERE user_id = ?1 AND uuid = ?2",
      "INSERT INTO bus_sequences (user_id, last_seq) VALUES (?1, ?2)"
      " ON CONFLICT (user_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
      "INSERT INTO bus_jobs (user_id, job_id, originator) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (user_id, job_id) DO UPDATE SET originator = excluded.originator",
      "DELETE FROM bus_jobs WHERE user_id = ?1 AND job_id = ?2",
      // The sweep's next range: how many rows (up to ?2) follow rowid ?1, and
      // the last of them.
      "SELECT count(*), max(rowid) FROM (SELECT rowid FROM bus_records WHERE rowid > ?1"
      " ORDER BY rowid LIMIT ?2)",
      "DELETE FROM bus_records WHERE rowid > ?1 AND rowid <= ?2 AND NOT EXISTS"
      " (SELECT 1 FROM bus_clients c WHERE c.user_id = bus_records.user_id"
      " AND c.uuid = bus_records.client_uuid AND bus_records.seq >= c.retained_from)",
  };
  auto& slot = statements_[static_cast<std::size_t>(which)];
  if (!slot) slot.emplace(c.prepare(kSql[static_cast<std::size_t>(which)]));
  slot->reset();
  return *slot;
}

void BusStore::apply(std::span<const BusMutation> mutations) {
  if (mutations.empty()) return;
  // Cursor moves and sequences are coalesced to one write per client / user
  // and applied last (after the rows they update may have been inserted).
  struct Cursor {
    std::uint64_t delivered = 0;
    std::uint64_t retained_from = 0;
    bool exact = false;
  };
  std::map<std::pair<std::string, std::string>, Cursor> cursors;
  std::map<std::string, std::uint64_t> sequences;

  std::int64_t appended = 0;

  Connection c = db_.lock();
  Transaction tx = c.transaction(TransactionMode::immediate);
  using K = BusMutation::Kind;
  for (const BusMutation& m : mutations) {
    switch (m.kind) {
      case K::upsert_client: {
        const BusClientRow& r = m.client;
        statement(c, Sql::upsert_client)
            .bind(1, r.user_id)
            .bind(2, r.uuid)
            .bind(3, r.client_type)
            .bind(4, capabilities_json(r.capabilities))
            .bind(5, r.group_id)
            .bind(6, r.connected_at)
            .bind(7, r.last_seen)
            // A new row starts above every record its user has stored: rows
            // of an earlier client with the same uuid (removed, not yet
            // swept) are not its records. An existing row keeps its own.
            .bind(8, i64(last_seq_[r.user_id] + 1))
            .bind(9, r.label)
            .run();
        break;
      }
      case K::delete_client:
        statement(c, Sql::delete_client).bind(1, m.user_id).bind(2, m.uuid).run();
        // Its records now match no client: load skips them, the sweep
        // deletes them (finding them now would be a scan of the table).
        may_hold_garbage_ = garbage_in_pass_ = true;
        cursors.erase({m.user_id, m.uuid});
        break;
      case K::append_record: {
        const BusRecordRow& r = m.record;
        statement(c, Sql::append_record)
            .bind(1, r.user_id)
            .bind(2, r.client_uuid)
            .bind(3, i64(r.seq))
            .bind(4, r.level)
            .bind(5, r.timestamp)
            .bind(6, *r.text)
            .run();
        ++appended;
        {
          std::uint64_t& last = last_seq_[r.user_id];
          last = std::max(last, r.seq);
        }
        // The user's sequence is not written here: load() takes the highest
        // record's seq into account, and the journal writes the sequence
        // every so many ids (a row per batch was a page per commit).
        if (m.retained_from > 0) {
          may_hold_garbage_ = garbage_in_pass_ = true;
          // The evicted rows stay until the sweep passes them; load skips them.
          Cursor& cur = cursors[{r.user_id, r.client_uuid}];
          cur.retained_from = std::max(cur.retained_from, m.retained_from);
        }
        break;
      }
      case K::move_cursor: {
        Cursor& cur = cursors[{m.user_id, m.uuid}];
        // An exact set replaces what came before it; an advance only grows.
        cur.delivered = m.exact ? m.delivered : std::max(cur.delivered, m.delivered);
        cur.exact = cur.exact || m.exact;
        cur.retained_from = std::max(cur.retained_from, m.retained_from);
        if (m.retained_from > 0) may_hold_garbage_ = garbage_in_pass_ = true;
        break;
      }
      case K::sequence: {
        std::uint64_t& seq = sequences[m.user_id];
        seq = std::max(seq, m.seq);
        break;
      }
      case K::open_job:
        statement(c, Sql::open_job)
            .bind(1, m.job.user_id)
            .bind(2, m.job.job_id)
            .bind(3, m.job.originator)
            .run();
        break;
      case K::close_job:
        statement(c, Sql::close_job).bind(1, m.job.user_id).bind(2, m.job.job_id).run();
        break;
      case K::purge_user:
        purge_user(c, m.user_id);
        // What this batch queued for the user before the purge goes too.
        std::erase_if(cursors, [&](const auto& entry) { return entry.first.first == m.user_id; });
        sequences.erase(m.user_id);
        break;
    }
  }
  for (const auto& [key, cur] : cursors) {
    statement(c, Sql::move_cursor)
        .bind(1, key.first)
        .bind(2, key.second)
        .bind(3, i64(cur.delivered))
        .bind(4, i64(cur.retained_from))
        .bind(5, cur.exact ? 1 : 0)
        .run();
  }
  for (const auto& [user, seq] : sequences) {
    statement(c, Sql::sequence).bind(1, user).bind(2, i64(seq)).run();
  }
  if (may_hold_garbage_) sweep_some(c, std::max(kSweepMin, kSweepPerAppend * appended));
  for (auto& st : statements_) {
    if (st) st->reset();  // no statement stays active across the commit
  }
  tx.commit();
}

void BusStore::purge_user(Connection& c, const std::string& user_id) {
  for (const char* table : {"bus_clients", "bus_records", "bus_sequences", "bus_jobs"}) {
    Statement del = c.prepare(std::string("DELETE FROM ") + table + " WHERE user_id = ?1");
    del.bind(1, user_id);
    del.run();
  }
  // A namesake's first client row starts at seq 1 again (see upsert_client).
  last_seq_.erase(user_id);
}

void BusStore::sweep_some(Connection& c, std::int64_t budget) {
  Statement& range = statement(c, Sql::sweep_range).bind(1, sweep_cursor_).bind(2, budget);
  range.step();
  const std::int64_t visited = range.column_int64(0);
  const std::int64_t end = visited > 0 ? range.column_int64(1) : sweep_cursor_;
  range.reset();
  if (visited > 0) {
    statement(c, Sql::sweep_delete).bind(1, sweep_cursor_).bind(2, end).run();
    sweep_cursor_ = end;
  }
  if (visited < budget) {
    // The table's end: the next pass starts over, if something became
    // garbage since this one began (it may lie behind the cursor).
    sweep_cursor_ = 0;
    may_hold_garbage_ = garbage_in_pass_;
    garbage_in_pass_ = false;
  }
}

}  // namespace blender_bus::store
