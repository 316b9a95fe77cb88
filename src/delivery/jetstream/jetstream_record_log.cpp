#include "delivery/jetstream/jetstream_record_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

#include "delivery/jetstream/cluster_assets.hpp"
#include "delivery/jetstream/cluster_keys.hpp"
#include "delivery/jetstream/record_message.hpp"
#include "nats/nats_error.hpp"
#include "nats/subject_token.hpp"

namespace blender_bus::delivery::jetstream {

namespace {

using Clock = std::chrono::steady_clock;

// Buses whose counts were asked for within this long are kept counted.
constexpr auto kCountedFor = std::chrono::seconds(60);
// A young feed rereads its subject's last sequence once, this long after it
// opened: the subscription's interest has reached every server by then.
constexpr auto kYoungFeed = std::chrono::seconds(1);

std::uint64_t parse_seq(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// A short fixed-size name of a bus for record ids (the duplicate window
// holds every id for two minutes, so ids stay short): FNV-1a, 64 bits.
std::string tag_of(std::string_view bus) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bus) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::vector<LoggedRecord> records_of(const std::vector<nats::Message>& messages) {
  std::vector<LoggedRecord> out;
  out.reserve(messages.size());
  for (const auto& message : messages) out.push_back(logged_record(message, message.sequence()));
  return out;
}

// An append's publishes, built once: the views of its requests point into it.
struct PreparedAppend {
  std::vector<std::string> subjects;
  std::vector<std::string> ids;
  std::vector<std::string> levels;
  std::vector<std::array<nats::Header, 1>> headers;
  std::vector<std::shared_ptr<const std::string>> texts;

  std::vector<nats::PublishRequest> requests() const {
    std::vector<nats::PublishRequest> out;
    out.reserve(subjects.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      out.push_back(nats::PublishRequest{subjects[i], texts[i] ? std::string_view(*texts[i]) : "",
                                         ids[i], std::nullopt, headers[i]});
    }
    return out;
  }
};

// One append: its publishes' acks settle it. A held append publishes only
// when settled() is awaited (after the operation's other change settled),
// so a withdrawn one never reaches anybody; it costs that append one round
// trip more.
class JetStreamAppend : public Append {
 public:
  JetStreamAppend(std::optional<std::string> refusal, std::size_t size,
                  std::function<void(std::uint64_t)> note_seq)
      : refusal_(std::move(refusal)), seqs_(size, 0), note_seq_(std::move(note_seq)) {}
  JetStreamAppend(nats::Publisher& publisher, std::unique_ptr<PreparedAppend> prepared, bool hold,
                  std::function<void(std::uint64_t)> note_seq)
      : publisher_(&publisher),
        seqs_(prepared->subjects.size(), 0),
        note_seq_(std::move(note_seq)) {
    if (hold) {
      held_ = std::move(prepared);
    } else {
      batch_ = publisher.start(prepared->requests());
    }
  }

  boost::asio::awaitable<bool> settled() override {
    if (refusal_ || withdrawn_) co_return false;
    if (held_) {
      batch_ = publisher_->start(held_->requests());
      held_.reset();
    }
    if (!batch_) co_return true;  // nothing to append
    const auto results = co_await batch_->wait();
    bool ok = true;
    std::uint64_t highest = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i].ok()) {
        ok = false;
        spdlog::warn("cluster: a record could not be stored: {}", results[i].error->what());
        continue;
      }
      seqs_[i] = results[i].sequence;
      highest = std::max(highest, results[i].sequence);
    }
    if (highest) note_seq_(highest);
    co_return ok;
  }

  // A held append is dropped unpublished; records of one that was not held
  // are stored already and stay (they were republished on storing).
  void withdraw() override {
    withdrawn_ = true;
    held_.reset();
  }

  const std::optional<std::string>& refusal() const override { return refusal_; }
  const std::vector<std::uint64_t>& seqs() const override { return seqs_; }

 private:
  nats::Publisher* publisher_ = nullptr;
  std::optional<std::string> refusal_;
  std::unique_ptr<PreparedAppend> held_;
  std::shared_ptr<nats::PublishBatch> batch_;
  std::vector<std::uint64_t> seqs_;
  std::function<void(std::uint64_t)> note_seq_;
  bool withdrawn_ = false;
};

}  // namespace

// A held feed as the port's Feed: closing it stops the listener's calls.
class JetStreamFeed : public Feed {
 public:
  JetStreamFeed(JetStreamRecordLog& log, BusId bus, std::string client,
                std::shared_ptr<ClientFeed> feed)
      : log_(log), bus_(std::move(bus)), client_(std::move(client)), feed_(std::move(feed)) {}
  ~JetStreamFeed() override {
    feed_->close();
    log_.drop_feed(feed_.get());
  }

  std::vector<LoggedRecord> next(std::size_t limit) override {
    auto records = feed_->next(limit);
    if (!records.empty()) log_.note_seq(records.back().seq);
    return records;
  }
  void acknowledge(std::uint64_t through) override { log_.acknowledge(bus_, client_, through); }

 private:
  JetStreamRecordLog& log_;
  BusId bus_;
  std::string client_;
  std::shared_ptr<ClientFeed> feed_;
};

JetStreamRecordLog::JetStreamRecordLog(nats::Connection& connection, nats::Publisher& publisher,
                                       nats::BlockingPool& pool, ClientKnown client_known)
    : JetStreamRecordLog(connection, publisher, pool, std::move(client_known), Options{}) {}

JetStreamRecordLog::JetStreamRecordLog(nats::Connection& connection, nats::Publisher& publisher,
                                       nats::BlockingPool& pool, ClientKnown client_known,
                                       Options options)
    : connection_(connection),
      publisher_(publisher),
      pool_(pool),
      client_known_(std::move(client_known)),
      options_(options),
      reader_(connection, kRecordStream),
      admin_(connection, kRecordStream),
      cursors_(connection, publisher, pool, kCursorsBucket),
      cursor_mirror_(std::make_unique<nats::KvMirror>(connection, kCursorsBucket)) {
  refresh_last_seq();
  connection_listener_ = connection_.add_listener([this](const nats::ConnectionEvent& event) {
    // Core messages sent while disconnected are lost: every feed rereads.
    if (event.kind != nats::ConnectionEvent::Kind::reconnected &&
        event.kind != nats::ConnectionEvent::Kind::error) {
      return;
    }
    std::lock_guard lock(mutex_);
    catch_up_all_ = true;
    wake_.notify_one();
  });
  maintenance_ = std::thread([this] { run_maintenance(); });
}

JetStreamRecordLog::~JetStreamRecordLog() {
  connection_.remove_listener(connection_listener_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  maintenance_.join();
  flush_cursors();
}

std::unique_ptr<Append> JetStreamRecordLog::append(const BusId& bus, AppendRequest request) {
  const std::size_t size = request.records.size();
  auto note = [this](std::uint64_t seq) { note_seq(seq); };
  if (size == 0) return std::make_unique<JetStreamAppend>(std::nullopt, 0, note);
  const std::int64_t max_payload = connection_.max_payload();
  const std::string bus_tag = tag_of(bus);
  auto prepared = std::make_unique<PreparedAppend>();
  prepared->levels.resize(size);  // fixed: the headers view into it
  prepared->subjects.reserve(size);
  prepared->ids.reserve(size);
  prepared->headers.reserve(size);
  prepared->texts.reserve(size);
  try {
    for (std::size_t i = 0; i < size; ++i) {
      auto& record = request.records[i];
      if (max_payload > 0 && record.text &&
          static_cast<std::int64_t>(record.text->size()) > max_payload) {
        return std::make_unique<JetStreamAppend>(
            "record of " + std::to_string(record.text->size()) +
                " bytes exceeds the cluster's largest message (max_payload " +
                std::to_string(max_payload) + " bytes)",
            size, note);
      }
      prepared->subjects.push_back(record_subject(bus, record.client_uuid));
      // A retried publish of the same record keeps its id (the operation's
      // id, the record's place in it, the bus): stored once.
      prepared->ids.push_back(request.message_id.empty()
                                  ? std::string()
                                  : request.message_id + "." + std::to_string(i) + "." + bus_tag);
      prepared->headers.push_back(record_headers(record.level, prepared->levels[i]));
      prepared->texts.push_back(std::move(record.text));
    }
  } catch (const nats::SubjectTokenError& error) {
    return std::make_unique<JetStreamAppend>(error.what(), size, note);
  }
  return std::make_unique<JetStreamAppend>(publisher_, std::move(prepared), request.hold, note);
}

FeedOpening JetStreamRecordLog::open_feed(const BusId& bus, std::string_view client_uuid,
                                          std::optional<std::uint64_t> after,
                                          FeedListener& listener) {
  FeedOpening out;
  if (client_known_ && !client_known_(bus, client_uuid)) {
    out.unknown_client = true;
    return out;
  }
  if (after) {
    if (auto error = check_cursor(bus, client_uuid, *after)) {
      out.error = error;
      return out;
    }
  }
  const std::uint64_t from = after.value_or(cursor(bus, client_uuid));
  auto feed = ClientFeed::open(ClientFeed::Services{connection_, pool_, reader_},
                               record_subject(bus, client_uuid), live_subject(bus, client_uuid),
                               from, [&listener] { listener.on_records(); });
  {
    std::lock_guard lock(mutex_);
    feeds_[feed.get()] = HeldFeed{feed, Clock::now(), true};
  }
  out.feed = std::make_unique<JetStreamFeed>(*this, bus, std::string(client_uuid), std::move(feed));
  return out;
}

boost::asio::awaitable<RecordRead> JetStreamRecordLog::read(const BusId& bus,
                                                            std::string_view client_uuid,
                                                            std::optional<std::uint64_t> after,
                                                            std::size_t limit) {
  RecordRead out;
  if (client_known_ && !client_known_(bus, client_uuid)) co_return out;
  out.found = true;
  const std::uint64_t from = after.value_or(cursor(bus, client_uuid));
  if (after) acknowledge(bus, client_uuid, *after);
  auto read_all = [this, subject = record_subject(bus, client_uuid), from, limit] {
    return reader_.read_all(subject, from, limit);
  };
  const auto messages = co_await pool_.run(std::move(read_all));
  out.records = records_of(messages);
  out.next = out.records.empty() ? from : out.records.back().seq;
  if (!out.records.empty()) note_seq(out.next);
  co_return out;
}

std::optional<ResumeError> JetStreamRecordLog::check_cursor(const BusId&, std::string_view,
                                                            std::uint64_t after) const {
  if (after <= last_seq_.load(std::memory_order_relaxed)) return std::nullopt;
  // A miss may be a record stored on another node since the last poll (a
  // client that moved here resumes with the id that node gave it): one
  // request to the stream's leader decides. Blocks its caller for a round
  // trip, on this rare path only.
  try {
    note_seq(admin_.state().last_sequence);
  } catch (const nats::NatsError&) {
    // Unreachable now: the poll's view answers.
  }
  if (after > last_seq_.load(std::memory_order_relaxed)) return ResumeError::not_issued;
  return std::nullopt;
}

void JetStreamRecordLog::acknowledge(const BusId& bus, std::string_view client_uuid,
                                     std::uint64_t through) {
  std::string key = item_key(bus, client_uuid);
  std::lock_guard lock(mutex_);
  auto& known = acknowledged_[key];
  if (through <= known) return;
  known = through;
  dirty_[std::move(key)] = through;
}

std::uint64_t JetStreamRecordLog::cursor(const BusId& bus, std::string_view client_uuid) const {
  const std::string key = item_key(bus, client_uuid);
  std::uint64_t local = 0;
  {
    std::lock_guard lock(mutex_);
    if (auto it = acknowledged_.find(key); it != acknowledged_.end()) local = it->second;
  }
  const auto stored = cursor_mirror_->get(key);
  const std::uint64_t remote =
      stored && stored->operation == nats::KvEntry::Operation::put ? parse_seq(stored->value) : 0;
  return std::max(local, remote);
}

RecordCounts JetStreamRecordLog::counts(const BusId& bus, std::string_view client_uuid) const {
  const std::string subject = record_subject(bus, client_uuid);
  std::lock_guard lock(mutex_);
  counted_buses_[bus] = Clock::now();
  RecordCounts out;
  if (auto it = subject_counts_.find(bus); it != subject_counts_.end()) {
    if (auto found = it->second.find(subject); found != it->second.end()) {
      out.pending = found->second;
    }
  }
  return out;
}

RecordCounts JetStreamRecordLog::bus_counts(const BusId& bus) const {
  std::lock_guard lock(mutex_);
  counted_buses_[bus] = Clock::now();
  RecordCounts out;
  if (auto it = subject_counts_.find(bus); it != subject_counts_.end()) {
    for (const auto& [subject, count] : it->second) out.pending += count;
  }
  return out;
}

std::uint64_t JetStreamRecordLog::last_seq(const BusId&) const {
  return last_seq_.load(std::memory_order_relaxed);
}

void JetStreamRecordLog::forget_client(const BusId& bus, std::string_view client_uuid) {
  std::string key = item_key(bus, client_uuid);
  {
    std::lock_guard lock(mutex_);
    acknowledged_.erase(key);
    dirty_.erase(key);
  }
  auto purge = [this, subject = record_subject(bus, client_uuid), key = std::move(key)] {
    try {
      admin_.purge(subject);
      if (cursor_mirror_->revision(key) != 0) cursors_.put_later(key, "0");
    } catch (const nats::NatsError& error) {
      spdlog::warn("cluster: the records of a client that left stay until they age out: {}",
                   error.what());
    }
  };
  boost::asio::post(pool_.executor(), std::move(purge));
}

void JetStreamRecordLog::purge_bus(const BusId& bus) {
  admin_.purge(bus_record_filter(bus));
  const std::string prefix = nats::encode_subject_token(bus) + ".";
  {
    std::lock_guard lock(mutex_);
    std::erase_if(acknowledged_,
                  [&](const auto& entry) { return entry.first.starts_with(prefix); });
    std::erase_if(dirty_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
    subject_counts_.erase(bus);
  }
  for (const auto& entry : cursor_mirror_->entries()) {
    if (entry.key.starts_with(prefix) && entry.operation == nats::KvEntry::Operation::put) {
      cursors_.put_later(entry.key, "0");
    }
  }
}

void JetStreamRecordLog::refresh_last_seq() {
  note_seq(admin_.state().last_sequence);
}

void JetStreamRecordLog::flush_cursors() {
  std::unordered_map<std::string, std::uint64_t> dirty;
  {
    std::lock_guard lock(mutex_);
    dirty.swap(dirty_);
  }
  for (const auto& [key, seq] : dirty) cursors_.put_later(key, std::to_string(seq));
}

std::size_t JetStreamRecordLog::feed_count() const {
  std::lock_guard lock(mutex_);
  return feeds_.size();
}

void JetStreamRecordLog::note_seq(std::uint64_t seq) const {
  std::uint64_t known = last_seq_.load(std::memory_order_relaxed);
  while (seq > known && !last_seq_.compare_exchange_weak(known, seq, std::memory_order_relaxed)) {
  }
}

void JetStreamRecordLog::drop_feed(const ClientFeed* feed) {
  std::lock_guard lock(mutex_);
  feeds_.erase(feed);
}

void JetStreamRecordLog::catch_up_feeds(bool all) {
  std::vector<std::shared_ptr<ClientFeed>> due;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (auto& [raw, held] : feeds_) {
      const bool young_due = held.young && now - held.opened >= kYoungFeed;
      if (!all && !young_due) continue;
      held.young = held.young && !young_due;
      if (auto feed = held.feed.lock()) due.push_back(std::move(feed));
    }
  }
  for (auto& feed : due) feed->catch_up();
}

void JetStreamRecordLog::run_maintenance() {
  auto last_sweep = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.poll, [this] { return stopping_ || catch_up_all_; });
    if (stopping_) break;
    const bool reconnected = std::exchange(catch_up_all_, false);
    const auto now = Clock::now();
    std::vector<BusId> counted;
    std::erase_if(counted_buses_,
                  [&](const auto& entry) { return now - entry.second > kCountedFor; });
    for (const auto& [bus, asked] : counted_buses_) counted.push_back(bus);
    lock.unlock();

    flush_cursors();
    const bool sweep = reconnected || now - last_sweep >= options_.sweep;
    if (sweep) last_sweep = now;
    catch_up_feeds(sweep);
    try {
      refresh_last_seq();
      for (const auto& bus : counted) {
        auto counts = admin_.subject_counts(bus_record_filter(bus));
        std::lock_guard relock(mutex_);
        subject_counts_[bus] = std::move(counts);
      }
    } catch (const nats::NatsError& error) {
      spdlog::warn("cluster: reading the record stream's state: {}", error.what());
    }
    lock.lock();
  }
}

}  // namespace blender_bus::delivery::jetstream
