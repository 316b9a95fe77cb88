#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

// What became of one publish: the stream's ack, or the error that ended its
// attempts. A value: a conflict (wrong last sequence) is an expected outcome.
struct PublishResult {
  std::uint64_t sequence = 0;  // the stream sequence it is stored at (when ok)
  bool duplicate = false;      // the stream already had its Nats-Msg-Id
  unsigned attempts = 0;       // sends to the server (1 unless retried)
  // With wrong_last_sequence(): the sequence the subject's last message has
  // (0: none), from the server's answer.
  std::uint64_t actual_last_sequence = 0;
  std::optional<NatsError> error;  // set when it failed

  bool ok() const { return !error.has_value(); }
  // The expectation (expect_last_subject_seq) did not hold: jerr 10071.
  bool wrong_last_sequence() const {
    return error && error->js_code() == JSStreamWrongLastSequenceErr;
  }
  // Throws the error, if any.
  void check() const {
    if (error) throw *error;
  }
};

// Whether every result is ok.
inline bool all_ok(std::span<const PublishResult> results) {
  for (const auto& result : results) {
    if (!result.ok()) return false;
  }
  return true;
}

}  // namespace blender_bus::nats
