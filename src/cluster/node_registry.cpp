#include "cluster/node_registry.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/json.hpp>
#include <future>

#include "nats/kv_spec.hpp"
#include "nats/nats_error.hpp"
#include "nats/subject_token.hpp"
#include "nats/transient.hpp"
#include "nats/unique_ids.hpp"

namespace blender_bus::cluster {

namespace {

using namespace std::chrono_literals;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// How long ago (by the system clock) the server stored an entry: for the
// entries of the initial load only, which were not "heard" now. Clamped, so
// a skewed clock cannot make a node look heard in the future.
std::chrono::milliseconds age_of(const nats::KvEntry& entry) {
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto age = std::chrono::nanoseconds(std::max<std::int64_t>(0, now_ns - entry.created_ns));
  return std::chrono::duration_cast<std::chrono::milliseconds>(age);
}

double started_at_of(std::string_view value) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(value, ec);
  if (ec || !json.is_object()) return 0;
  const auto* started = json.as_object().if_contains("started");
  return started && started->is_number() ? started->to_number<double>() : 0;
}

}  // namespace

NodeRegistry::NodeRegistry(nats::Connection& connection, nats::Publisher& publisher,
                           nats::BlockingPool& pool, std::string self,
                           std::chrono::milliseconds heartbeat_interval,
                           std::chrono::milliseconds dead_after)
    : publisher_(publisher),
      bucket_(connection, publisher, pool, kNodesBucket),
      self_(std::move(self)),
      key_(nats::encode_subject_token(self_)),
      interval_(heartbeat_interval),
      dead_after_(dead_after) {
  value_ = boost::json::serialize(boost::json::object{
      {"node", self_},
      {"instance", nats::UniqueIds().next()},
      {"started", unix_now()},
      {"heartbeat_ms", interval_.count()},
  });
  nats::KvMirror::Callbacks callbacks;
  callbacks.on_change = [this](const nats::KvEntry& entry) { note(entry); };
  callbacks.on_loaded = [this] { initial_load_done_.store(true); };
  // Making its consumer needs the bucket's leader: wait out an election.
  mirror_ = nats::retry_transient(Clock::now() + dead_after_, [&] {
    return std::make_unique<nats::KvMirror>(connection, kNodesBucket, callbacks);
  });
  if (!mirror_->wait_loaded_for(dead_after_)) {
    throw nats::NatsError(NATS_TIMEOUT, 0,
                          std::string("node registry: the ") + kNodesBucket +
                              " bucket did not load within " + std::to_string(dead_after_.count()) +
                              " ms");
  }
  beat();
  thread_ = std::thread([this] { run(); });
}

NodeRegistry::~NodeRegistry() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  {
    // A heartbeat's ack handler uses this object.
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return beats_in_flight_ == 0; });
  }
  // Leaving: a delete marker tells the others now rather than in dead_after.
  const std::string subject = nats::kv_subject(kNodesBucket, key_);
  const std::array<nats::Header, 1> headers{nats::Header{"KV-Operation", "DEL"}};
  auto batch = publisher_.start(nats::PublishRequest{subject, {}, {}, std::nullopt, headers});
  auto done = std::make_shared<std::promise<void>>();
  auto settled = done->get_future();
  batch->on_settled([done](const std::vector<nats::PublishResult>&) { done->set_value(); });
  if (settled.wait_for(2s) != std::future_status::ready) {
    spdlog::warn("node '{}': leaving the registry timed out; the others see it dead in {} s", self_,
                 dead_after_.count() / 1000);
  }
  mirror_.reset();
}

void NodeRegistry::note(const nats::KvEntry& entry) {
  std::string name;
  try {
    name = nats::decode_subject_token(entry.key);
  } catch (const nats::SubjectTokenError&) {
    return;  // not a key this program writes
  }
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  Known& known = known_[name];
  if (entry.operation != nats::KvEntry::Operation::put) {
    known.left = true;
    if (known.live) {
      known.live = false;
      pending_events_.push_back({NodeEvent::Kind::died, name});
    }
  } else {
    // The initial load's entries were written some time ago.
    known.heard = initial_load_done_.load() ? now : now - age_of(entry);
    known.started_at = started_at_of(entry.value);
    known.left = false;
    if (!known.live && now - known.heard < dead_after_) {
      known.live = true;
      pending_events_.push_back({NodeEvent::Kind::joined, name});
    }
  }
  if (!pending_events_.empty()) wake_.notify_all();
}

void NodeRegistry::beat() {
  {
    std::lock_guard lock(mutex_);
    ++beats_in_flight_;
  }
  bucket_.put_later(key_, value_, [this](const nats::PublishResult& result) {
    std::lock_guard lock(mutex_);
    --beats_in_flight_;
    wake_.notify_all();
    if (result.ok()) {
      last_ack_ = Clock::now();
      last_error_.clear();
    } else {
      last_error_ = result.error->what();
    }
  });
}

void NodeRegistry::sweep() {
  std::vector<NodeEvent> events;
  {
    std::lock_guard lock(mutex_);
    events.swap(pending_events_);
    const auto now = Clock::now();
    for (auto& [name, known] : known_) {
      if (known.live && now - known.heard >= dead_after_) {
        known.live = false;
        events.push_back({NodeEvent::Kind::died, name});
      }
    }
  }
  for (const NodeEvent& event : events) {
    spdlog::info("cluster: node '{}' {}", event.name,
                 event.kind == NodeEvent::Kind::joined ? "joined" : "is gone");
  }
  notify(events);
}

void NodeRegistry::notify(const std::vector<NodeEvent>& events) {
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
  }
  for (const NodeEvent& event : events) {
    for (const Listener& listener : listeners) listener(event);
  }
}

void NodeRegistry::run() {
  auto next_beat = Clock::now() + interval_;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto until = std::min(next_beat, Clock::now() + 1s);
    wake_.wait_until(lock, until, [this] { return stopping_ || !pending_events_.empty(); });
    if (stopping_) break;
    lock.unlock();
    if (Clock::now() >= next_beat) {
      beat();
      next_beat = Clock::now() + interval_;
    }
    sweep();
    lock.lock();
  }
}

bool NodeRegistry::is_live(std::string_view node) const {
  std::lock_guard lock(mutex_);
  const auto it = known_.find(node);
  return it != known_.end() && it->second.live;
}

std::vector<NodeInfo> NodeRegistry::nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<NodeInfo> out;
  const auto now = Clock::now();
  for (const auto& [name, known] : known_) {
    out.push_back({name, known.live,
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - known.heard),
                   known.started_at});
  }
  return out;
}

std::vector<std::string> NodeRegistry::live_nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, known] : known_) {
    if (known.live) out.push_back(name);
  }
  return out;
}

void NodeRegistry::on_change(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

bool NodeRegistry::heartbeat_ok() const {
  std::lock_guard lock(mutex_);
  return last_ack_ && Clock::now() - *last_ack_ < 2 * interval_ + 1s;
}

std::string NodeRegistry::heartbeat_error() const {
  std::lock_guard lock(mutex_);
  if (!last_error_.empty()) return last_error_;
  if (!last_ack_) return "no heartbeat stored yet";
  return "no heartbeat stored for " +
         std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *last_ack_).count()) +
         " s";
}

}  // namespace blender_bus::cluster
