#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "bus/forwarded_record.hpp"
#include "bus/limits.hpp"
#include "bus/priority.hpp"
#include "bus/random_source.hpp"
#include "bus/requests.hpp"
#include "bus/routing.hpp"

namespace blender_bus::bus {

// A send or job update the bus refused before routing anything.
struct Refusal {
  std::string error;
  // A limit was broken: the tools answer isError. false: the original's
  // unknown-priority answer, a normal result (SPEC §5).
  bool over_limit = true;
};

// A send checked against the rules and limits (SPEC §5) and prepared for
// fan-out: everything its records carry except the recipient.
struct SendPlan {
  Priority priority = Priority::info;
  std::string payload_json;  // the payload, serialized once for the whole send
  std::string message_id;
  std::string job_id;  // the payload's job_id when a usable one, else message_id
  Routing routing;
  std::string origin;  // the record's from_uuid; a broadcast skips it
  bool opens_job = false;
  double timestamp = 0;
  std::string user_id;  // the records' "user_id": the caller's (the bus's own when personal)

  // The record text builder of this send on bus `bus_id` (a shared bus's
  // records carry its wire id as "bus_id").
  ForwardedRecord record(std::string_view bus_id) const;
};

// A job update checked and prepared (SPEC §8), routed later by its job.
struct JobUpdatePlan {
  std::string payload_json;
  std::string message_id;
  std::string origin;
  double timestamp = 0;
  std::string user_id;  // as SendPlan::user_id

  // The record text builder of this update routed by `routing`.
  ForwardedRecord record(std::string_view bus_id, std::string_view job_id,
                         const Routing& routing) const;
};

// Checks the priority first, then the identifiers' and the payload's sizes.
std::variant<SendPlan, Refusal> plan_send(const boost::json::object& payload,
                                          const SendRequest& request, std::string_view bus_id,
                                          const Limits& limits, const RandomSource& random,
                                          double now);

// `updater` is the updating session's first client on the bus (empty: none);
// the record's payload names it, so a sender that sent to several clients can
// tell their replies apart.
std::variant<JobUpdatePlan, Refusal> plan_job_update(const JobUpdate& update,
                                                     std::string_view updater,
                                                     std::string_view bus_id, const Limits& limits,
                                                     const RandomSource& random, double now);

}  // namespace blender_bus::bus
