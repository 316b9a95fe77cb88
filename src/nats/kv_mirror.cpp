#include "nats/kv_mirror.hpp"

#include "nats/kv_bucket.hpp"
#include "nats/kv_spec.hpp"
#include "nats/message.hpp"
#include "nats/nats_error.hpp"

namespace blender_bus::nats {

KvMirror::KvMirror(Connection& connection, std::string bucket, Callbacks callbacks)
    : KvMirror(connection, std::move(bucket), std::move(callbacks), Options{}) {}

KvMirror::KvMirror(Connection& connection, std::string bucket, Callbacks callbacks, Options options)
    : bucket_(std::move(bucket)),
      prefix_(kv_subject(bucket_, "")),
      callbacks_(std::move(callbacks)) {
  const std::string stream = kv_stream_name(bucket_);
  // An empty bucket delivers nothing, so nothing would say "loaded".
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  check(js_GetStreamInfo(&info, connection.jetstream(), stream.c_str(), nullptr, &code),
        "KV mirror of '" + bucket_ + "': reading the bucket", code);
  const bool empty = info->State.Msgs == 0;
  jsStreamInfo_Destroy(info);

  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = stream.c_str();
  sub_options.Ordered = true;
  sub_options.Config.DeliverPolicy = js_DeliverLastPerSubject;
  sub_options.Config.Heartbeat =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.heartbeat).count();
  const std::string subject = kv_subject(bucket_, ">");
  check(js_Subscribe(&subscription_, connection.jetstream(), subject.c_str(), &KvMirror::on_message,
                     this, nullptr, &sub_options, &code),
        "KV mirror of '" + bucket_ + "': subscribing", code);
  // Changes must not be dropped: what waits here is bounded by the bucket's
  // write rate (like nats.c's own watcher).
  natsStatus status = natsSubscription_SetPendingLimits(subscription_, -1, -1);
  if (status == NATS_OK) {
    status = natsSubscription_SetOnCompleteCB(subscription_, &KvMirror::on_complete, this);
  }
  if (status != NATS_OK) {
    NatsError error = make_error(status, "KV mirror of '" + bucket_ + "': subscription options");
    natsSubscription_Destroy(subscription_);
    throw error;
  }
  if (empty) mark_loaded();
}

KvMirror::~KvMirror() {
  if (natsSubscription_Unsubscribe(subscription_) != NATS_OK) clear_last_error();
  {
    std::unique_lock lock(state_mutex_);
    state_changed_.wait(lock, [this] { return complete_; });
  }
  natsSubscription_Destroy(subscription_);
  loaded_.set(false);
}

void KvMirror::on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  static_cast<KvMirror*>(closure)->apply(msg);
}

void KvMirror::on_complete(void* closure) {
  auto* self = static_cast<KvMirror*>(closure);
  std::lock_guard lock(self->state_mutex_);
  self->complete_ = true;
  self->state_changed_.notify_all();
}

void KvMirror::apply(natsMsg* raw) {
  Message message(raw);
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, raw) != NATS_OK) {
    clear_last_error();  // not a stream message (cannot happen on this subscription)
    return;
  }
  const std::uint64_t revision = meta->Sequence.Stream;
  const std::uint64_t pending = meta->NumPending;
  const std::int64_t created = meta->Timestamp;
  jsMsgMetaData_Destroy(meta);

  std::string_view subject = message.subject();
  KvEntry entry;
  if (subject.substr(0, prefix_.size()) == prefix_) entry.key = subject.substr(prefix_.size());
  entry.revision = revision;
  entry.created_ns = created;
  entry.operation = kv_operation_of(message);
  if (entry.operation == KvEntry::Operation::put) entry.value = message.data();

  bool applied = false;
  {
    std::unique_lock lock(mutex_);
    // nats.c's ordered consumer drops duplicates; this guards the copy anyway.
    if (revision > last_revision_) {
      last_revision_ = revision;
      if (entry.operation == KvEntry::Operation::put) {
        entries_.insert_or_assign(entry.key, entry);
      } else {
        entries_.erase(entry.key);
      }
      applied = true;
    }
  }
  if (applied && callbacks_.on_change) callbacks_.on_change(entry);
  if (pending == 0) mark_loaded();
}

void KvMirror::mark_loaded() {
  if (!loaded_.ready() && loaded_.set(true)) {
    if (callbacks_.on_loaded) callbacks_.on_loaded();
    std::lock_guard lock(state_mutex_);
    state_changed_.notify_all();
  }
}

bool KvMirror::wait_loaded_for(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_mutex_);
  return state_changed_.wait_for(lock, timeout, [this] { return loaded_.ready(); }) &&
         loaded_.value();
}

std::optional<KvEntry> KvMirror::get(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t KvMirror::revision(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.revision;
}

std::size_t KvMirror::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

std::vector<KvEntry> KvMirror::entries() const {
  std::shared_lock lock(mutex_);
  std::vector<KvEntry> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  return out;
}

std::uint64_t KvMirror::last_revision() const {
  std::shared_lock lock(mutex_);
  return last_revision_;
}

}  // namespace blender_bus::nats
