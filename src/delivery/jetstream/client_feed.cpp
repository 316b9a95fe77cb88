#include "delivery/jetstream/client_feed.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "delivery/jetstream/record_message.hpp"

namespace blender_bus::delivery::jetstream {

std::shared_ptr<ClientFeed> ClientFeed::open(Services services, std::string record_subject,
                                             std::string live_subject, std::uint64_t after,
                                             Listener on_records) {
  std::shared_ptr<ClientFeed> feed(
      new ClientFeed(services, std::move(record_subject), after, std::move(on_records)));
  // The subscription goes out before the leader read on the same
  // connection, so every record stored after the bound reaches it (or
  // announces itself by the gap rule).
  feed->live_ = std::make_unique<nats::LiveSubscription>(
      services.connection, std::move(live_subject),
      [raw = feed.get()](nats::LiveMessage live) { raw->on_live(std::move(live)); });
  std::lock_guard lock(feed->mutex_);
  feed->want_read_locked();
  return feed;
}

ClientFeed::ClientFeed(Services services, std::string record_subject, std::uint64_t after,
                       Listener on_records)
    : services_(services),
      record_subject_(std::move(record_subject)),
      on_records_(std::move(on_records)),
      taken_(after),
      position_(after) {}

ClientFeed::~ClientFeed() {
  // Reached only when no read holds the feed; the handler never owns it.
  live_.reset();
}

std::vector<LoggedRecord> ClientFeed::next(std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<LoggedRecord> out;
  const std::size_t count = std::min(limit, ready_.size());
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
  if (!out.empty()) position_ = out.back().seq;
  if (paused_ && ready_.size() < kReadChunk) {
    paused_ = false;
    want_read_locked();
  }
  return out;
}

std::uint64_t ClientFeed::position() const {
  std::lock_guard lock(mutex_);
  return position_;
}

bool ClientFeed::caught_up() const {
  std::lock_guard lock(mutex_);
  return caught_up_;
}

std::optional<nats::NatsError> ClientFeed::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void ClientFeed::catch_up() {
  std::lock_guard lock(mutex_);
  read_to_leader_ = true;
  if (!paused_) want_read_locked();
}

void ClientFeed::close() {
  {
    std::lock_guard lock(notify_mutex_);
    notify_closed_ = true;
  }
  std::unique_ptr<nats::LiveSubscription> live;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    live = std::move(live_);
  }
  // Undoing the subscription waits for its handler to return: on the pool,
  // not on the caller's (I/O) thread.
  boost::asio::post(
      services_.pool.executor(),
      [live = std::move(live), self = shared_from_this()]() mutable { live.reset(); });
}

void ClientFeed::on_live(nats::LiveMessage live) {
  if (live.sequence == 0) return;  // not a republished record
  {
    std::lock_guard lock(mutex_);
    if (closed_ || live.sequence <= taken_) return;
    Waiting waiting{logged_record(live.message, live.sequence), live.last_sequence};
    if (reading_ || paused_) {
      waiting_.emplace(live.sequence, std::move(waiting));
      return;
    }
    if (live.last_sequence > taken_) {
      waiting_.emplace(live.sequence, std::move(waiting));
      read_bound_ = std::max(read_bound_, live.sequence - 1);
      want_read_locked();
      return;
    }
    ready_.push_back(std::move(waiting.item));
    taken_ = live.sequence;
  }
  notify();
}

bool ClientFeed::drain_locked() {
  while (!waiting_.empty()) {
    auto it = waiting_.begin();
    if (it->first <= taken_) {
      waiting_.erase(it);
      continue;
    }
    if (it->second.previous > taken_) {
      read_bound_ = std::max(read_bound_, it->first - 1);
      return false;
    }
    ready_.push_back(std::move(it->second.item));
    taken_ = it->first;
    waiting_.erase(it);
  }
  return true;
}

void ClientFeed::want_read_locked() {
  if (reading_ || closed_) return;
  reading_ = true;
  boost::asio::post(services_.pool.executor(), [self = shared_from_this()] { self->run_reads(); });
}

void ClientFeed::run_reads() {
  for (;;) {
    std::uint64_t from = 0;
    std::uint64_t bound = 0;
    bool to_leader = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_) {
        reading_ = false;
        return;
      }
      from = taken_;
      bound = read_bound_;
      to_leader = read_to_leader_;
      read_to_leader_ = false;
    }
    bool paused = false;
    try {
      if (to_leader) bound = std::max(bound, services_.reader.last_sequence(record_subject_));
      while (from < bound && !paused) {
        auto messages = services_.reader.read(record_subject_, from, bound, kReadChunk);
        if (messages.empty()) break;  // the rest was removed meanwhile (limits, purge)
        {
          std::lock_guard lock(mutex_);
          for (const auto& message : messages) {
            const std::uint64_t seq = message.sequence();
            if (seq <= taken_) continue;
            ready_.push_back(logged_record(message, seq));
            taken_ = seq;
          }
          from = std::max(from, messages.back().sequence());
          failure_.reset();
          paused = from < bound && ready_.size() >= kMaxReady;
        }
        notify();
      }
    } catch (const nats::NatsError& error) {
      std::lock_guard lock(mutex_);
      // The live records stay waiting; the next one (a gap) or catch_up()
      // reads again.
      failure_ = error;
      read_to_leader_ = read_to_leader_ || to_leader;
      read_bound_ = std::max(read_bound_, bound);
      reading_ = false;
      return;
    }
    bool more = false;
    {
      std::lock_guard lock(mutex_);
      // next() may have emptied ready_ since (it saw no pause to end): then
      // read on.
      if (paused && ready_.size() >= kReadChunk) {
        read_bound_ = std::max(read_bound_, bound);
        read_to_leader_ = read_to_leader_ || to_leader;
        paused_ = true;
        reading_ = false;
        return;
      }
      if (paused) {
        read_bound_ = std::max(read_bound_, bound);
        read_to_leader_ = read_to_leader_ || to_leader;
        continue;
      }
      // Nothing else of this subject is at or below the bound: a record
      // that names one there as its previous follows on.
      taken_ = std::max(taken_, bound);
      if (to_leader) caught_up_ = true;
      if (read_bound_ <= taken_) read_bound_ = 0;
      more = !drain_locked() || read_to_leader_;
      if (!more) reading_ = false;
    }
    notify();
    if (!more) return;
  }
}

void ClientFeed::notify() {
  std::lock_guard lock(notify_mutex_);
  if (notify_closed_) return;
  on_records_();
}

}  // namespace blender_bus::delivery::jetstream
