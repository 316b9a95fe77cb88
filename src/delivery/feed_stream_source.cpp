#include "delivery/feed_stream_source.hpp"

#include <algorithm>
#include <vector>

#include "bus/displaced_notice.hpp"
#include "bus/shared_bus_id.hpp"
#include "bus/uuid_v4.hpp"
#include "delivery/log_level_of.hpp"

namespace blender_bus::delivery {

namespace {

// A client's key among the session's feeds, and its progress key: the uuid
// on the personal bus; on a shared bus, the bus and the uuid joined by a
// newline (no bus id has one), as BusStreamSource writes them.
std::string feed_key(const BusId& personal, const BusId& bus, std::string_view uuid) {
  if (bus == personal) return std::string(uuid);
  std::string key = bus;
  key.push_back('\n');
  key += uuid;
  return key;
}

}  // namespace

// Wakes the session's stream when one of its feeds has records (any thread;
// the lookup finds nothing once the session is gone).
class FeedStreamSource::SessionWake final : public FeedListener {
 public:
  SessionWake(mcp::SessionRegistry& sessions, std::string session_id)
      : sessions_(sessions), session_id_(std::move(session_id)) {}
  void on_records() override {
    if (auto session = sessions_.find(session_id_)) session->stream_signal().wake();
  }

 private:
  mcp::SessionRegistry& sessions_;
  const std::string session_id_;
};

struct FeedStreamSource::SessionFeeds {
  SessionFeeds(mcp::SessionRegistry& sessions, const mcp::Session& session)
      : bus(session.user_id()), session_id(session.id()), wake(sessions, session.id()) {}

  std::mutex mutex;
  const BusId bus;
  const std::string session_id;
  SessionWake wake;  // outlives the feeds (declared before them)
  std::optional<std::uint64_t> resume_after;
  std::chrono::steady_clock::time_point resumed_at{};
  std::map<std::string, ClientFeed, std::less<>> clients;  // by feed_key, with a feed open
  // client_displaced records not yet written, oldest first; the last pull
  // handed out the first `notices_handed` of them.
  std::deque<std::shared_ptr<const std::string>> notices;
  std::size_t notices_handed = 0;
};

FeedStreamSource::FeedStreamSource(BusService& service) : service_(service) {
  service_.sessions().on_end([this](const mcp::Session& session) { ended(session); });
}

FeedStreamSource::~FeedStreamSource() {
  std::lock_guard lock(mutex_);
  for (auto& [id, state] : sessions_) {
    std::lock_guard state_lock(state->mutex);
    close_locked(*state);
  }
}

std::shared_ptr<FeedStreamSource::SessionFeeds> FeedStreamSource::state_of(
    const mcp::Session& session, bool create) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session.id());
  if (it != sessions_.end()) return it->second;
  if (!create || session.ended()) return nullptr;
  auto state = std::make_shared<SessionFeeds>(service_.sessions(), session);
  sessions_.emplace(session.id(), state);
  return state;
}

void FeedStreamSource::close_locked(SessionFeeds& state) {
  for (auto& [key, client] : state.clients) {
    client.feed.reset();  // no on_records() after this
    service_.directory().release(client.bus, client.uuid, state.session_id);
  }
  state.clients.clear();
}

bool FeedStreamSource::taken_over(const SessionFeeds& state, const ClientFeed& client) const {
  const auto info = service_.directory().find(client.bus, client.uuid);
  return info && !info->session_id.empty() && info->session_id != state.session_id;
}

void FeedStreamSource::notice_displaced(SessionFeeds& state, const ClientFeed& client) {
  constexpr std::size_t kMaxNotices = 64;  // as many as a stream may owe; the oldest go
  if (state.notices.size() >= kMaxNotices) {
    state.notices.pop_front();
    if (state.notices_handed > 0) --state.notices_handed;
  }
  // The session's user is the client's: on a shared bus only its member
  // may register it again.
  const std::string message_id = bus::make_uuid_v4(service_.buses().random());
  state.notices.push_back(std::make_shared<const std::string>(bus::displaced_notice(
      client.bus, state.bus, client.uuid, message_id, service_.buses().now())));
}

void FeedStreamSource::sync_locked(SessionFeeds& state) {
  // (bus, uuid) of every client bound to the session: the personal bus's,
  // then those on its shared buses (one lookup when there are none).
  std::vector<std::pair<BusId, std::string>> bound;
  for (auto& uuid : service_.directory().clients_of(state.bus, state.session_id)) {
    bound.emplace_back(state.bus, std::move(uuid));
  }
  for (const BusId& shared : service_.shared_buses_of(state.session_id)) {
    for (auto& uuid : service_.directory().clients_of(shared, state.session_id)) {
      bound.emplace_back(shared, std::move(uuid));
    }
  }
  std::vector<std::string> keys;
  keys.reserve(bound.size());
  for (const auto& [bus, uuid] : bound) keys.push_back(feed_key(state.bus, bus, uuid));
  for (auto it = state.clients.begin(); it != state.clients.end();) {
    if (std::find(keys.begin(), keys.end(), it->first) == keys.end()) {
      if (taken_over(state, it->second)) notice_displaced(state, it->second);
      it->second.feed.reset();
      service_.directory().release(it->second.bus, it->second.uuid, state.session_id);
      it = state.clients.erase(it);
    } else {
      ++it;
    }
  }
  RecordLog& log = service_.record_log();
  for (std::size_t i = 0; i < bound.size(); ++i) {
    const auto& [bus, uuid] = bound[i];
    if (state.clients.contains(keys[i])) continue;
    // A resume point names the personal bus's position: a shared bus's
    // client starts at its own delivered cursor.
    const bool personal = bus == state.bus;
    FeedOpening opening =
        log.open_feed(bus, uuid, personal ? state.resume_after : std::nullopt, state.wake);
    // A resume point this client cannot start from (it came after the
    // stream opened): it starts at its own delivered cursor.
    if (opening.error) opening = log.open_feed(bus, uuid, std::nullopt, state.wake);
    if (!opening.feed) continue;  // not on the bus here yet: the next pull looks again
    service_.directory().hold(bus, uuid, state.session_id);
    state.clients.emplace(keys[i], ClientFeed{bus, uuid, std::move(opening.feed), {}});
  }
}

std::optional<mcp::StreamSource::ResumeError> FeedStreamSource::resume(
    const mcp::Session& session, std::uint64_t last_event_id) {
  auto state = state_of(session, true);
  if (!state) return std::nullopt;
  std::lock_guard lock(state->mutex);
  RecordLog& log = service_.record_log();
  const std::vector<std::string> bound =
      service_.directory().clients_of(state->bus, state->session_id);
  for (const auto& uuid : bound) {
    if (auto error = log.check_cursor(state->bus, uuid, last_event_id)) {
      return *error == delivery::ResumeError::not_issued ? ResumeError::not_issued
                                                         : ResumeError::not_retained;
    }
  }
  if (bound.empty() && last_event_id > 0) {
    if (auto error = log.check_cursor(state->bus, "", last_event_id);
        error == delivery::ResumeError::not_issued) {
      return ResumeError::not_issued;
    }
  }
  // The feeds open again after the resume point, at the next pull.
  close_locked(*state);
  for (const auto& uuid : bound) log.acknowledge(state->bus, uuid, last_event_id);
  state->resume_after = last_event_id;
  state->resumed_at = std::chrono::steady_clock::now();
  return std::nullopt;
}

mcp::StreamBatch FeedStreamSource::next(const mcp::Session& session, std::size_t limit) {
  mcp::StreamBatch batch;
  auto state = state_of(session, true);
  if (!state) return batch;
  std::lock_guard lock(state->mutex);
  sync_locked(*state);
  // Notices first, without an SSE id (they are no record of the bus's log);
  // one below the session's logging/setLevel threshold is dropped.
  state->notices_handed = 0;
  for (auto it = state->notices.begin(); it != state->notices.end();) {
    if (!session.admits(mcp::LogLevel::warning)) {
      it = state->notices.erase(it);
      continue;
    }
    if (batch.events.size() >= limit) break;
    batch.events.push_back(mcp::OutboundEvent{0, *it});
    ++state->notices_handed;
    ++it;
  }
  for (auto& [uuid, client] : state->clients) {
    if (client.pending.size() >= limit) continue;
    for (auto& record : client.feed->next(limit - client.pending.size())) {
      client.pending.push_back(std::move(record));
    }
  }
  // A k-way merge by seq; k is the number of the session's clients (small).
  std::map<std::string_view, std::uint64_t> through;
  std::size_t taken = state->notices_handed;
  while (taken < limit) {
    ClientFeed* best = nullptr;
    std::string_view best_key;
    for (auto& [key, client] : state->clients) {
      if (client.pending.empty()) continue;
      if (!best || client.pending.front().seq < best->pending.front().seq) {
        best = &client;
        best_key = key;
      }
    }
    if (!best) break;
    LoggedRecord record = std::move(best->pending.front());
    best->pending.pop_front();
    ++taken;
    through[best_key] = record.seq;
    // Below the session's logging/setLevel threshold: skipped for good (the
    // progress still covers it).
    if (session.admits(log_level_of(record.level))) {
      const std::uint64_t id = best->bus == state->bus ? record.seq : 0;
      batch.events.push_back(mcp::OutboundEvent{id, std::move(record.text)});
    }
  }
  batch.more = taken >= limit;
  batch.progress.reserve(through.size());
  for (const auto& [uuid, seq] : through) {
    batch.progress.push_back(mcp::StreamProgress{std::string(uuid), seq});
  }
  return batch;
}

void FeedStreamSource::delivered(const mcp::Session& session, const mcp::StreamBatch& batch) {
  service_.count_delivered(batch.events.size());
  auto state = state_of(session, false);
  if (!state) return;
  std::lock_guard lock(state->mutex);
  const std::size_t written = std::min(state->notices_handed, state->notices.size());
  state->notices.erase(state->notices.begin(), state->notices.begin() + written);
  state->notices_handed = 0;
  for (const auto& p : batch.progress) {
    auto it = state->clients.find(p.key);
    if (it != state->clients.end()) {
      it->second.feed->acknowledge(p.through);
      continue;
    }
    const auto split = p.key.find('\n');
    if (bus::is_shared_bus(p.key) && split != std::string::npos) {
      service_.record_log().acknowledge(p.key.substr(0, split), p.key.substr(split + 1), p.through);
    } else {
      service_.record_log().acknowledge(state->bus, p.key, p.through);
    }
  }
}

std::size_t FeedStreamSource::sweep() {
  // A stream that resumed a moment ago may not have attached yet.
  constexpr auto kAttachGrace = std::chrono::seconds(5);
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<SessionFeeds>> states;
  {
    std::lock_guard lock(mutex_);
    states.reserve(sessions_.size());
    for (const auto& [id, state] : sessions_) states.push_back(state);
  }
  std::size_t closed = 0;
  for (const auto& state : states) {
    auto session = service_.sessions().find(state->session_id);
    if (session && session->stream_signal().has_consumer()) {
      // A client taken over on another node: that node wakes no stream
      // here, so the stream is woken to send its client_displaced notice.
      // Woken without the lock: a wake on the stream's own thread pulls at
      // once, and the pull takes the lock.
      bool displaced = false;
      {
        std::lock_guard lock(state->mutex);
        for (const auto& [key, client] : state->clients) {
          if ((displaced = taken_over(*state, client))) break;
        }
      }
      if (displaced) session->stream_signal().wake();
      continue;
    }
    std::lock_guard lock(state->mutex);
    if (state->clients.empty() || now - state->resumed_at < kAttachGrace) continue;
    close_locked(*state);
    state->resume_after.reset();  // the cursors cover it now
    ++closed;
  }
  return closed;
}

void FeedStreamSource::ended(const mcp::Session& session) {
  std::shared_ptr<SessionFeeds> state;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session.id());
    if (it == sessions_.end()) return;
    state = std::move(it->second);
    sessions_.erase(it);
  }
  std::lock_guard lock(state->mutex);
  close_locked(*state);
}

}  // namespace blender_bus::delivery
