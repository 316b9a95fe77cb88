#include "sharing_kv/sharing_bucket.hpp"

namespace blender_bus::sharing_kv {

nats::KvSpec sharing_bucket() {
  nats::KvSpec spec;
  spec.bucket = kSharingBucket;
  return spec;
}

}  // namespace blender_bus::sharing_kv
