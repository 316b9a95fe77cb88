#include "delivery_ledger.hpp"

namespace blender_bus::bench {

void DeliveryLedger::expect(const std::string& message_id,
                            const std::vector<std::string>& targets) {
  for (const auto& target : targets) {
    Recipient& recipient = recipients_[target];
    Entry& entry = recipient.records[message_id];
    // Gone before the sender heard back: expected only if it was read.
    if (recipient.departed && entry.reads == 0) {
      ++to_departed_;
      continue;
    }
    if (entry.expected) continue;  // a target named twice counts once
    entry.expected = true;
    ++expected_;
    if (entry.reads > 0) {
      ++delivered_;  // the record came before the sender's answer did
    } else {
      ++recipient.missing;
    }
  }
}

void DeliveryLedger::read(const std::string& reader, std::uint64_t event_id, const std::string& key,
                          std::string_view target_uuid) {
  if (target_uuid != reader) ++misrouted_;
  Recipient& recipient = recipients_[reader];
  if (!recipient.event_ids.insert(event_id).second) ++duplicate_event_ids_;
  Entry& entry = recipient.records[key];
  if (++entry.reads > 1) {
    ++duplicated_;
    return;
  }
  // (A record read after its reader departed was withdrawn, not missing.)
  if (entry.expected && !recipient.departed) {
    ++delivered_;
    --recipient.missing;
  }
}

void DeliveryLedger::depart(const std::string& recipient) {
  Recipient& gone = recipients_[recipient];
  withdrawn_ += gone.missing;
  gone.missing = 0;
  gone.departed = true;
}

std::uint64_t DeliveryLedger::missing(const std::string& recipient) const {
  const auto it = recipients_.find(recipient);
  return it == recipients_.end() ? 0 : it->second.missing;
}

DeliveryLedger::Figures DeliveryLedger::figures() const {
  Figures out;
  out.expected = expected_;
  out.delivered = delivered_;
  out.lost = expected_ - delivered_ - withdrawn_;
  out.withdrawn = withdrawn_;
  out.to_departed = to_departed_;
  out.duplicated = duplicated_;
  out.duplicate_event_ids = duplicate_event_ids_;
  out.misrouted = misrouted_;
  for (const auto& [uuid, recipient] : recipients_) {
    for (const auto& [id, entry] : recipient.records) {
      if (!entry.expected && entry.reads > 0) ++out.unanswered;
    }
  }
  return out;
}

}  // namespace blender_bus::bench
