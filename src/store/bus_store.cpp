#include "store/bus_store.hpp"

#include <array>
#include <boost/json.hpp>
#include <unordered_map>

#include "store/migration.hpp"

namespace blender_bus::store {

namespace {

constexpr std::array<Migration, 1> kBusMigrations{{
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
}};

std::string capabilities_json(const std::vector<std::string>& capabilities) {
  boost::json::array out;
  for (const auto& c : capabilities) out.emplace_back(c);
  return boost::json::serialize(out);
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
}

BusSnapshot BusStore::load() {
  BusSnapshot out;
  Connection c = db_.lock();
  Transaction tx = c.transaction(TransactionMode::deferred);
  Statement clients = c.prepare(
      "SELECT user_id, uuid, client_type, capabilities, group_id, connected_at, last_seen,"
      " delivered, retained_from FROM bus_clients ORDER BY rowid");
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
    out.clients.push_back(std::move(r));
  }
  // Rows below a client's retained_from were evicted in memory; a trim that
  // reached the store before their insert may have left them behind.
  Statement records = c.prepare(
      "SELECT r.user_id, r.client_uuid, r.seq, r.level, r.timestamp, r.text"
      " FROM bus_records r JOIN bus_clients c"
      " ON c.user_id = r.user_id AND c.uuid = r.client_uuid AND r.seq >= c.retained_from"
      " ORDER BY r.user_id, r.client_uuid, r.seq");
  while (records.step()) {
    BusRecordRow r;
    r.user_id = records.column_text(0);
    r.client_uuid = records.column_text(1);
    r.seq = static_cast<std::uint64_t>(records.column_int64(2));
    r.level = static_cast<int>(records.column_int64(3));
    r.timestamp = records.column_double(4);
    r.text = records.column_text(5);
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

void BusStore::apply(std::span<const BusMutation> mutations) {
  if (mutations.empty()) return;
  Connection c = db_.lock();
  Transaction tx = c.transaction(TransactionMode::immediate);
  // Prepared once per batch, on first use.
  std::unordered_map<int, Statement> cache;
  auto statement = [&](BusMutation::Kind kind, const char* sql) -> Statement& {
    auto it = cache.find(static_cast<int>(kind));
    if (it == cache.end()) it = cache.emplace(static_cast<int>(kind), c.prepare(sql)).first;
    it->second.reset();
    return it->second;
  };
  std::optional<Statement> trim;
  using K = BusMutation::Kind;
  for (const BusMutation& m : mutations) {
    switch (m.kind) {
      case K::upsert_client: {
        const BusClientRow& r = m.client;
        statement(m.kind,
                  "INSERT INTO bus_clients (user_id, uuid, client_type, capabilities, group_id,"
                  " connected_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                  " ON CONFLICT (user_id, uuid) DO UPDATE SET client_type = excluded.client_type,"
                  " capabilities = excluded.capabilities, group_id = excluded.group_id,"
                  " last_seen = excluded.last_seen")
            .bind(1, r.user_id)
            .bind(2, r.uuid)
            .bind(3, r.client_type)
            .bind(4, capabilities_json(r.capabilities))
            .bind(5, r.group_id)
            .bind(6, r.connected_at)
            .bind(7, r.last_seen)
            .run();
        break;
      }
      case K::delete_client: {
        statement(m.kind, "DELETE FROM bus_clients WHERE user_id = ?1 AND uuid = ?2")
            .bind(1, m.user_id)
            .bind(2, m.uuid)
            .run();
        if (!trim) {
          trim = c.prepare(
              "DELETE FROM bus_records WHERE user_id = ?1 AND client_uuid = ?2 AND seq < ?3");
        }
        trim->reset();
        trim->bind(1, m.user_id).bind(2, m.uuid).bind(3, INT64_MAX).run();
        break;
      }
      case K::append_record: {
        const BusRecordRow& r = m.record;
        statement(m.kind,
                  "INSERT OR REPLACE INTO bus_records (user_id, client_uuid, seq, level,"
                  " timestamp, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .bind(1, r.user_id)
            .bind(2, r.client_uuid)
            .bind(3, i64(r.seq))
            .bind(4, r.level)
            .bind(5, r.timestamp)
            .bind(6, r.text)
            .run();
        if (m.retained_from > 0) {
          if (!trim) {
            trim = c.prepare(
                "DELETE FROM bus_records WHERE user_id = ?1 AND client_uuid = ?2 AND seq < ?3");
          }
          trim->reset();
          trim->bind(1, r.user_id).bind(2, r.client_uuid).bind(3, i64(m.retained_from)).run();
        }
        break;
      }
      case K::move_cursor: {
        statement(m.kind,
                  "UPDATE bus_clients SET"
                  " delivered = CASE WHEN ?5 THEN ?3 ELSE max(delivered, ?3) END,"
                  " retained_from = max(retained_from, ?4) WHERE user_id = ?1 AND uuid = ?2")
            .bind(1, m.user_id)
            .bind(2, m.uuid)
            .bind(3, i64(m.delivered))
            .bind(4, i64(m.retained_from))
            .bind(5, m.exact ? 1 : 0)
            .run();
        if (m.retained_from > 0) {
          if (!trim) {
            trim = c.prepare(
                "DELETE FROM bus_records WHERE user_id = ?1 AND client_uuid = ?2 AND seq < ?3");
          }
          trim->reset();
          trim->bind(1, m.user_id).bind(2, m.uuid).bind(3, i64(m.retained_from)).run();
        }
        break;
      }
      case K::sequence:
        statement(m.kind,
                  "INSERT INTO bus_sequences (user_id, last_seq) VALUES (?1, ?2)"
                  " ON CONFLICT (user_id) DO UPDATE SET"
                  " last_seq = max(last_seq, excluded.last_seq)")
            .bind(1, m.user_id)
            .bind(2, i64(m.seq))
            .run();
        break;
      case K::open_job:
        statement(m.kind,
                  "INSERT INTO bus_jobs (user_id, job_id, originator) VALUES (?1, ?2, ?3)"
                  " ON CONFLICT (user_id, job_id) DO UPDATE SET originator = excluded.originator")
            .bind(1, m.job.user_id)
            .bind(2, m.job.job_id)
            .bind(3, m.job.originator)
            .run();
        break;
      case K::close_job:
        statement(m.kind, "DELETE FROM bus_jobs WHERE user_id = ?1 AND job_id = ?2")
            .bind(1, m.job.user_id)
            .bind(2, m.job.job_id)
            .run();
        break;
    }
  }
  // Statements must be finalized before the connection is released.
  trim.reset();
  cache.clear();
  tx.commit();
}

}  // namespace blender_bus::store
