#include "delivery/bus_stream_source.hpp"

#include "delivery/log_level_of.hpp"

namespace blender_bus::delivery {

std::optional<mcp::StreamSource::ResumeError> BusStreamSource::resume(const mcp::Session& session,
                                                                      std::uint64_t last_event_id) {
  auto bus = service_.buses().find(session.user_id());
  if (!bus) {
    if (last_event_id == 0) return std::nullopt;
    return ResumeError::not_issued;
  }
  std::vector<delivery::embedded::CursorUpdate> changed;
  switch (bus->resume_session(session.id(), last_event_id, changed)) {
    case delivery::embedded::ResumeResult::not_issued:
      return ResumeError::not_issued;
    case delivery::embedded::ResumeResult::not_retained:
      return ResumeError::not_retained;
    case delivery::embedded::ResumeResult::ok:
      break;
  }
  service_.cursors_moved(session.user_id(), changed);
  return std::nullopt;
}

mcp::StreamBatch BusStreamSource::next(const mcp::Session& session, std::size_t limit) {
  mcp::StreamBatch batch;
  auto bus = service_.buses().find(session.user_id());
  if (!bus) return batch;
  delivery::embedded::SessionRead read = bus->read_session(session.id(), limit);
  batch.events.reserve(read.items.size());
  for (const auto& item : read.items) {
    // Below the session's logging/setLevel threshold: skipped for good, not
    // re-sent (the progress still covers it).
    if (!session.admits(log_level_of(item.level))) continue;
    batch.events.push_back(mcp::OutboundEvent{item.seq, item.text});
  }
  batch.more = read.items.size() >= limit;
  batch.progress.reserve(read.progress.size());
  for (auto& p : read.progress) {
    batch.progress.push_back(mcp::StreamProgress{std::move(p.client_uuid), p.through});
  }
  return batch;
}

void BusStreamSource::delivered(const mcp::Session& session, const mcp::StreamBatch& batch) {
  service_.count_delivered(batch.events.size());
  auto bus = service_.buses().find(session.user_id());
  if (!bus) return;
  std::vector<delivery::embedded::InboxProgress> progress;
  progress.reserve(batch.progress.size());
  for (const auto& p : batch.progress) progress.push_back({p.key, p.through});
  service_.cursors_moved(session.user_id(), bus->mark_delivered(progress, session.id()));
}

}  // namespace blender_bus::delivery
