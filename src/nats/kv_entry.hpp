#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace blender_bus::nats {

// One revision of a KV key (revision = the bucket stream's sequence).
struct KvEntry {
  enum class Operation { put, erase, purge };  // erase/purge: the key is gone
  std::string key;
  std::string value;
  std::uint64_t revision = 0;
  std::int64_t created_ns = 0;  // when the server stored it, ns since the epoch
  Operation operation = Operation::put;
};

// The outcome of a conditional write: written at a new revision, or refused
// because the key is not at the expected revision.
struct KvWritten {
  std::uint64_t revision;
};
struct KvConflict {
  std::uint64_t revision;  // the key's actual revision (0: none)
};
using KvWrite = std::variant<KvWritten, KvConflict>;

}  // namespace blender_bus::nats
