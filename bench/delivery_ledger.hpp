#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace blender_bus::bench {

// The soak's checker: what each recipient must get and what it got. An
// answered send names its message_id and its targets; each target must then
// read that record exactly once, on whichever session and stream it holds
// at the time. One thread touches it (parallel.hpp).
//
// Cost: one map entry per (recipient, record) for the whole run, ~100 bytes;
// a 30-minute soak at its default rate holds a few hundred thousand.
class DeliveryLedger {
 public:
  struct Figures {
    std::uint64_t expected = 0;             // (record, target) pairs from answered sends
    std::uint64_t delivered = 0;            // expected pairs read at least once
    std::uint64_t lost = 0;                 // expected pairs never read
    std::uint64_t duplicated = 0;           // extra reads of a record already read
    std::uint64_t duplicate_event_ids = 0;  // an event id read twice by one recipient
    std::uint64_t misrouted = 0;            // a record whose target_uuid is not its reader
    std::uint64_t unanswered = 0;           // read, but no answered send named it (the send failed)
    // Addressed to an ephemeral client after it had read everything it was
    // sent and begun to leave (a job update racing its departure): not lost.
    std::uint64_t withdrawn = 0;
    std::uint64_t to_departed = 0;  // addressed to a client already gone (not expected)
  };

  // A send was answered: `targets` must each read `message_id`.
  void expect(const std::string& message_id, const std::vector<std::string>& targets);
  // `reader` read a record (event `event_id`) addressed to `target_uuid`.
  // `key` names the record: its message_id, or "update:<job_id>" for a job
  // update (whose answer names no message_id).
  void read(const std::string& reader, std::uint64_t event_id, const std::string& key,
            std::string_view target_uuid);
  // An ephemeral client has left: what it still misses is withdrawn, and
  // nothing addressed to it from now on is expected.
  void depart(const std::string& recipient);

  // Records `recipient` must still read.
  std::uint64_t missing(const std::string& recipient) const;
  std::uint64_t missing() const { return expected_ - delivered_ - withdrawn_; }

  Figures figures() const;

 private:
  struct Entry {
    bool expected = false;
    std::uint32_t reads = 0;
  };
  struct Recipient {
    std::unordered_map<std::string, Entry> records;  // by message_id
    std::unordered_set<std::uint64_t> event_ids;
    std::uint64_t missing = 0;
    bool departed = false;
  };

  std::unordered_map<std::string, Recipient> recipients_;
  std::uint64_t expected_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t duplicated_ = 0;
  std::uint64_t duplicate_event_ids_ = 0;
  std::uint64_t misrouted_ = 0;
  std::uint64_t withdrawn_ = 0;
  std::uint64_t to_departed_ = 0;
};

}  // namespace blender_bus::bench
