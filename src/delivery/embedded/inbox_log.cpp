#include "delivery/embedded/inbox_log.hpp"

#include <mutex>
#include <utility>

namespace blender_bus::delivery::embedded {

namespace {

std::vector<LoggedRecord> logged(std::vector<InboxItem> items) {
  std::vector<LoggedRecord> out;
  out.reserve(items.size());
  for (auto& item : items) out.push_back({item.seq, item.level, std::move(item.text)});
  return out;
}

ResumeError resume_error(ResumeResult result) {
  return result == ResumeResult::not_issued ? ResumeError::not_issued : ResumeError::not_retained;
}

}  // namespace

// A feed over one client's inbox: next() reads after its own position (no
// acknowledgement), acknowledge() moves the client's delivered cursor.
class InboxLog::InboxFeed final : public Feed {
 public:
  InboxFeed(InboxLog& log, BusId bus, std::string client_uuid, std::uint64_t position,
            FeedListener& listener)
      : log_(log),
        bus_(std::move(bus)),
        client_uuid_(std::move(client_uuid)),
        position_(position),
        listener_(std::make_shared<FeedRegistry::Listener>()) {
    listener_->listener = &listener;
    log_.feeds_.add(bus_, client_uuid_, listener_);
  }
  ~InboxFeed() override {
    log_.feeds_.remove(bus_, client_uuid_, *listener_);
    std::lock_guard lock(listener_->mutex);  // waits for a call in progress
    listener_->listener = nullptr;
  }

  std::vector<LoggedRecord> next(std::size_t limit) override {
    auto bus = log_.buses_.find(bus_);
    if (!bus) return {};
    std::lock_guard lock(mutex_);
    auto items = bus->peek(client_uuid_, position_, limit);
    if (!items || items->empty()) return {};
    position_ = items->back().seq;
    return logged(std::move(*items));
  }

  void acknowledge(std::uint64_t through) override {
    log_.acknowledge(bus_, client_uuid_, through);
  }

 private:
  InboxLog& log_;
  const BusId bus_;
  const std::string client_uuid_;
  std::mutex mutex_;
  std::uint64_t position_;
  std::shared_ptr<FeedRegistry::Listener> listener_;
};

InboxLog::InboxLog(BusManager& buses, BusJournal* journal, mcp::SessionRegistry* sessions)
    : buses_(buses),
      journal_(journal),
      sessions_(sessions),
      visible_([this](const BusId& bus, const Outcome& outcome) { wake_readers(bus, outcome); }) {}

std::unique_ptr<Append> InboxLog::append(const BusId& bus_id, AppendRequest request) {
  auto bus = buses_.bus(bus_id);
  Outcome out;
  out.deliveries.reserve(request.records.size());
  for (auto& r : request.records) {
    Delivery d;
    d.target_uuid = std::move(r.client_uuid);
    d.level = r.level;
    d.text = std::move(r.text);
    d.timestamp = r.timestamp;
    out.deliveries.push_back(std::move(d));
  }
  std::optional<std::string> refusal = bus->append(out, request.hold);
  cursors_moved(bus_id, out.cursors);
  if (refusal) return std::make_unique<ChangeSettlement>(std::move(*refusal));
  // Journal first: a record must be on its way to disk before anyone can
  // acknowledge it (a delivered cursor must never overtake its record).
  const std::uint64_t ticket = journal_ ? journal_->record(bus_id, out) : 0;
  if (!out.held) wake_readers(bus_id, out);
  return std::make_unique<ChangeSettlement>(bus_id, std::move(bus), std::move(out), journal_,
                                            ticket, &visible_);
}

void InboxLog::wake_readers(const BusId& bus, const Outcome& outcome) {
  // One wake per session, however many records a send put there.
  std::string_view last_session;
  for (const auto& d : outcome.deliveries) {
    if (sessions_ && !d.session_id.empty() && d.session_id != last_session) {
      if (auto session = sessions_->find(d.session_id)) session->stream_signal().wake();
      last_session = d.session_id;
    }
    feeds_.notify(bus, d.target_uuid);
  }
}

FeedOpening InboxLog::open_feed(const BusId& bus_id, std::string_view client_uuid,
                                std::optional<std::uint64_t> after, FeedListener& listener) {
  FeedOpening out;
  auto bus = buses_.find(bus_id);
  std::optional<std::uint64_t> delivered = bus ? bus->delivered_through(client_uuid) : std::nullopt;
  if (!delivered) {
    out.unknown_client = true;
    return out;
  }
  if (after) {
    if (auto error = bus->check_cursor(client_uuid, *after)) {
      out.error = resume_error(*error);
      return out;
    }
  }
  out.feed = std::make_unique<InboxFeed>(*this, bus_id, std::string(client_uuid),
                                         after.value_or(*delivered), listener);
  return out;
}

boost::asio::awaitable<RecordRead> InboxLog::read(const BusId& bus_id, std::string_view client_uuid,
                                                  std::optional<std::uint64_t> after,
                                                  std::size_t limit) {
  RecordRead out;
  auto bus = buses_.find(bus_id);
  if (!bus) co_return out;
  PullRead read = bus->receive(client_uuid, after, limit);
  if (read.cursor) cursors_moved(bus_id, {*read.cursor});
  out.found = read.found;
  out.next = read.next;
  out.records = logged(std::move(read.items));
  co_return out;
}

std::optional<ResumeError> InboxLog::check_cursor(const BusId& bus_id, std::string_view client_uuid,
                                                  std::uint64_t after) const {
  auto bus = buses_.find(bus_id);
  if (!bus) {
    if (after == 0) return std::nullopt;
    return ResumeError::not_issued;
  }
  if (auto error = bus->check_cursor(client_uuid, after)) return resume_error(*error);
  return std::nullopt;
}

void InboxLog::acknowledge(const BusId& bus_id, std::string_view client_uuid,
                           std::uint64_t through) {
  auto bus = buses_.find(bus_id);
  if (!bus) return;
  cursors_moved(bus_id, bus->mark_delivered({InboxProgress{std::string(client_uuid), through}}));
}

RecordCounts InboxLog::counts(const BusId& bus_id, std::string_view client_uuid) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return {};
  auto info = bus->find(client_uuid);
  if (!info) return {};
  return {info->pending_records, info->dropped_records};
}

RecordCounts InboxLog::bus_counts(const BusId& bus_id) const {
  auto bus = buses_.find(bus_id);
  if (!bus) return {};
  const bus::BusStats stats = bus->stats();
  return {stats.pending_records, stats.dropped_records};
}

std::uint64_t InboxLog::last_seq(const BusId& bus_id) const {
  auto bus = buses_.find(bus_id);
  return bus ? bus->last_record_seq() : 0;
}

void InboxLog::forget_client(const BusId& bus_id, std::string_view client_uuid) {
  auto bus = buses_.find(bus_id);
  if (!bus) return;
  cursors_moved(bus_id, bus->forget_records(client_uuid));
  feeds_.notify(bus_id, client_uuid);
}

void InboxLog::purge_bus(const BusId& bus_id) {
  buses_.remove(bus_id);
  if (journal_) journal_->forget_user(bus_id);
  feeds_.notify_bus(bus_id);
}

void InboxLog::cursors_moved(std::string_view bus, const std::vector<CursorUpdate>& updates) {
  if (journal_ && !updates.empty()) journal_->record_cursors(bus, updates);
}

}  // namespace blender_bus::delivery::embedded
