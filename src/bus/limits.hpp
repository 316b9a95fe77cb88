#pragma once

#include <cstddef>

namespace blender_bus::bus {

// Size limits on what a client may put on a bus, and the quotas that keep one
// user from filling the server's memory and disk for everyone. Identifiers
// are bounded in bytes of UTF-8 (what they cost), checked by the bus so that
// every refusal is a {"status":"error","error":…} result naming the field or
// the limit.
struct Limits {
  // client_uuid (and target_uuid, from_uuid), client_type, group_id, job_id,
  // and each capability.
  std::size_t max_id_bytes = 256;
  std::size_t max_capabilities = 64;
  std::size_t max_label = 256;                  // bytes of UTF-8, like the identifiers
  std::size_t max_payload_bytes = 1024 * 1024;  // serialized JSON
  // Clients registered on one user's bus (--max-clients-per-bus).
  std::size_t max_clients = 1024;
  // Serialized records across all of one user's inboxes
  // (--max-user-inbox-bytes): a 1 MiB broadcast to 1,000 persistent clients
  // would otherwise hold a gigabyte of memory and disk.
  std::size_t max_inbox_bytes = std::size_t{256} * 1024 * 1024;
};

}  // namespace blender_bus::bus
