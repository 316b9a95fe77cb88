#include "delivery/bus_stream_source.hpp"

#include <algorithm>

#include "bus/shared_bus_id.hpp"
#include "delivery/log_level_of.hpp"

namespace blender_bus::delivery {

namespace {

// Progress keys: a client uuid on the session's personal bus; on a shared
// bus, the bus and the uuid joined by a newline (no bus id has one). The
// transport hands them back unread.
std::string shared_progress_key(const BusId& bus, std::string_view client_uuid) {
  std::string key = bus;
  key.push_back('\n');
  key += client_uuid;
  return key;
}

// Appends what `read` holds to `batch`; records of a shared bus get event id
// 0, written without an id, so a Last-Event-ID always names the personal
// bus's sequence (a shared bus's records are delivered once, by cursor).
void add_read(mcp::StreamBatch& batch, const mcp::Session& session, embedded::SessionRead& read,
              const BusId* shared) {
  for (const auto& item : read.items) {
    // Below the session's logging/setLevel threshold: skipped for good, not
    // re-sent (the progress still covers it).
    if (!session.admits(log_level_of(item.level))) continue;
    batch.events.push_back(mcp::OutboundEvent{shared ? 0 : item.seq, item.text});
  }
  for (auto& p : read.progress) {
    batch.progress.push_back(mcp::StreamProgress{
        shared ? shared_progress_key(*shared, p.client_uuid) : std::move(p.client_uuid),
        p.through});
  }
}

}  // namespace

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
  std::size_t read_count = 0;
  if (auto bus = service_.buses().find(session.user_id())) {
    delivery::embedded::SessionRead read = bus->read_session(session.id(), limit);
    read_count = read.items.size();
    batch.events.reserve(read.items.size());
    add_read(batch, session, read, nullptr);
  }
  // One lookup when the session is on no shared bus, the usual case.
  for (const BusId& shared : service_.shared_buses_of(session.id())) {
    if (read_count >= limit) break;
    auto bus = service_.buses().find(shared);
    if (!bus) continue;
    delivery::embedded::SessionRead read = bus->read_session(session.id(), limit - read_count);
    read_count += read.items.size();
    add_read(batch, session, read, &shared);
  }
  batch.more = read_count >= limit;
  return batch;
}

void BusStreamSource::delivered(const mcp::Session& session, const mcp::StreamBatch& batch) {
  service_.count_delivered(batch.events.size());
  std::vector<delivery::embedded::InboxProgress> personal;
  personal.reserve(batch.progress.size());
  // Shared buses' progress, by bus (few per session).
  std::vector<std::pair<BusId, std::vector<delivery::embedded::InboxProgress>>> shared;
  for (const auto& p : batch.progress) {
    const auto split = p.key.find('\n');
    if (!bus::is_shared_bus(p.key) || split == std::string::npos) {
      personal.push_back({p.key, p.through});
      continue;
    }
    BusId bus = p.key.substr(0, split);
    auto it = std::find_if(shared.begin(), shared.end(),
                           [&](const auto& entry) { return entry.first == bus; });
    if (it == shared.end()) it = shared.insert(shared.end(), {std::move(bus), {}});
    it->second.push_back({p.key.substr(split + 1), p.through});
  }
  if (auto bus = service_.buses().find(session.user_id())) {
    service_.cursors_moved(session.user_id(), bus->mark_delivered(personal, session.id()));
  }
  for (auto& [id, progress] : shared) {
    if (auto bus = service_.buses().find(id)) {
      service_.cursors_moved(id, bus->mark_delivered(progress, session.id()));
    }
  }
}

}  // namespace blender_bus::delivery
