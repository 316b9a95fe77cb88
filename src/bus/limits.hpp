#pragma once

#include <cstddef>

namespace blender_bus::bus {

// Size limits on what a client may put on a bus. Lengths count Unicode code
// points, as JSON Schema's maxLength does, so the tools' schemas and the bus
// agree on every string.
struct Limits {
  std::size_t max_client_uuid = 256;  // client_uuid, target_uuid, from_uuid
  std::size_t max_group_id = 256;
  std::size_t max_client_type = 64;
  std::size_t max_capabilities = 64;
  std::size_t max_capability = 128;
  std::size_t max_label = 256;
  std::size_t max_payload_bytes = 1024 * 1024;  // serialized JSON
};

}  // namespace blender_bus::bus
