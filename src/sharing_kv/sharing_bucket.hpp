#pragma once

#include "nats/kv_spec.hpp"

namespace blender_bus::sharing_kv {

// The shared buses in the cluster's KV, one key per row of the embedded
// store's tables (sharing/shared_bus_store.hpp):
//   bus.<bus>               {"bus_id","name","created_by","created_at","archived",
//                            "owners":[...]}; the owners are here so that one
//                            conditional write decides the last-owner rule
//   member.<bus>.<user>     {"bus_id","username","role","joined_at"}
//   invite.<code hash>      {"code_hash","bus_id","username","role","invited_by",
//                            "expires_at","used"}; used once by a conditional write
//   client.<bus>.<uuid>     {"bus_id","client_uuid","username"}; made by a
//                            create, so one member holds a uuid
// (<bus>, <user> and <uuid> are subject tokens, nats::encode_subject_token.)
inline constexpr const char* kSharingBucket = "BUS_SHARING";

// The bucket (replicas are the cluster's; no age limit: buses stay).
nats::KvSpec sharing_bucket();

}  // namespace blender_bus::sharing_kv
