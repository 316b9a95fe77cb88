#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blender_bus::store {

// The durable part of the message buses (SPEC §9), as plain rows: the store
// knows no bus types, the tools layer translates.

struct BusClientRow {
  std::string user_id;
  std::string uuid;
  std::string client_type;
  std::vector<std::string> capabilities;
  std::optional<std::string> group_id;
  double connected_at = 0;
  double last_seen = 0;
  std::uint64_t delivered = 0;      // inbox cursor: records up to it were delivered
  std::uint64_t retained_from = 0;  // records below it were evicted
  std::optional<std::string> label = std::nullopt;
};

struct BusRecordRow {
  std::string user_id;
  std::string client_uuid;
  std::uint64_t seq = 0;
  int level = 6;
  double timestamp = 0;
  // Shared with the in-memory inbox: a durable record is not copied to be written.
  std::shared_ptr<const std::string> text;
};

struct BusJobRow {
  std::string user_id;
  std::string job_id;
  std::string originator;
};

// Everything a restart restores, clients in first-registration order and
// records in (user, client, seq) order.
struct BusSnapshot {
  std::vector<BusClientRow> clients;
  std::vector<BusRecordRow> records;
  std::vector<std::pair<std::string, std::uint64_t>> sequences;  // user -> last seq issued
  std::vector<BusJobRow> jobs;
};

// One change to the durable buses.
struct BusMutation {
  enum class Kind {
    upsert_client,  // client (cursor columns untouched on update)
    delete_client,  // user_id, uuid: the client (its records are left to the sweep)
    append_record,  // record; retained_from > 0: the client's records below it were evicted
    move_cursor,    // user_id, uuid, delivered (max, or exact when `exact`), retained_from
    sequence,       // user_id, seq: the user's last issued seq (max)
    open_job,       // job
    close_job,      // user_id, job_id
    purge_user,     // user_id: every client, record, sequence and job of the user
  };
  Kind kind = Kind::sequence;
  BusClientRow client;  // upsert_client
  BusRecordRow record;  // append_record
  BusJobRow job;        // open_job, close_job
  std::string user_id;
  std::string uuid;
  std::uint64_t delivered = 0;
  std::uint64_t retained_from = 0;
  std::uint64_t seq = 0;
  bool exact = false;
};

}  // namespace blender_bus::store
