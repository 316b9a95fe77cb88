#include "nats/connection.hpp"

#include <memory>
#include <vector>

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

namespace {

struct OptionsDeleter {
  void operator()(natsOptions* options) const { natsOptions_Destroy(options); }
};

std::string url_of(natsConnection* nc) {
  char buffer[512];
  if (nc == nullptr || natsConnection_GetConnectedUrl(nc, buffer, sizeof buffer) != NATS_OK) {
    clear_last_error();
    return {};
  }
  return buffer;
}

}  // namespace

Connection::Connection(ConnectionOptions options) : options_(std::move(options)) {
  if (options_.servers.empty()) {
    throw NatsError(NATS_INVALID_ARG, 0, "nats connection: no server URL given");
  }
  natsOptions* raw = nullptr;
  check(natsOptions_Create(&raw), "natsOptions_Create");
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);

  std::vector<const char*> urls;
  for (const auto& url : options_.servers) urls.push_back(url.c_str());
  check(natsOptions_SetServers(opts.get(), urls.data(), static_cast<int>(urls.size())),
        "nats connection: server URLs");
  if (!options_.name.empty()) check(natsOptions_SetName(opts.get(), options_.name.c_str()), "name");
  check(natsOptions_SetTimeout(opts.get(), options_.connect_timeout.count()), "connect timeout");
  check(natsOptions_SetMaxReconnect(opts.get(), -1), "max reconnect");
  check(natsOptions_SetReconnectWait(opts.get(), options_.reconnect_wait.count()),
        "reconnect wait");
  check(natsOptions_SetReconnectJitter(opts.get(), options_.reconnect_jitter.count(),
                                       options_.reconnect_jitter.count()),
        "reconnect jitter");
  check(natsOptions_SetPingInterval(opts.get(), options_.ping_interval.count()), "ping interval");
  check(natsOptions_SetMaxPingsOut(opts.get(), options_.max_pings_out), "max pings out");
  check(natsOptions_SetReconnectBufSize(opts.get(), options_.reconnect_buffer_bytes),
        "reconnect buffer");
  // A request in flight fails at once when the connection drops, instead of
  // waiting out its timeout.
  check(natsOptions_SetFailRequestsOnDisconnect(opts.get(), true), "fail requests on disconnect");
  // Write each message at once: nats.c's flusher otherwise adds up to 1 ms
  // to every publish and reply (measured: it also lowered throughput here).
  check(natsOptions_SetSendAsap(opts.get(), true), "send asap");
  check(natsOptions_UseGlobalMessageDelivery(opts.get(), true), "global message delivery");
  check(natsOptions_SetRetryOnFailedConnect(opts.get(), options_.retry_on_failed_connect,
                                            &Connection::on_connected, this),
        "retry on failed connect");
  check(natsOptions_SetDisconnectedCB(opts.get(), &Connection::on_disconnected, this),
        "disconnected callback");
  check(natsOptions_SetReconnectedCB(opts.get(), &Connection::on_reconnected, this),
        "reconnected callback");
  check(natsOptions_SetClosedCB(opts.get(), &Connection::on_closed, this), "closed callback");
  check(natsOptions_SetErrorHandler(opts.get(), &Connection::on_error, this), "error handler");

  natsStatus status = natsConnection_Connect(&connection_, opts.get());
  if (status == NATS_OK) {
    connected_once_.store(true);
  } else if (status == NATS_NOT_YET_CONNECTED && options_.retry_on_failed_connect) {
    clear_last_error();
  } else {
    NatsError error = make_error(status, "nats connect to " + options_.servers.front() +
                                             (options_.servers.size() > 1 ? " (and others)" : ""));
    if (connection_ != nullptr) {
      natsConnection_Destroy(connection_);
    }
    throw error;
  }

  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = options_.jetstream_wait.count();
  status = natsConnection_JetStream(&jetstream_, connection_, &js_options);
  if (status != NATS_OK) {
    NatsError error = make_error(status, "natsConnection_JetStream");
    close();
    throw error;
  }
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (jetstream_ != nullptr) {
    jsCtx_Destroy(jetstream_);
    jetstream_ = nullptr;
  }
  if (connection_ == nullptr) return;
  natsConnection_Close(connection_);
  {
    // The closed callback comes on nats.c's event thread; after it nothing
    // more is delivered to this object.
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return closed_; });
  }
  natsConnection_Destroy(connection_);
  connection_ = nullptr;
}

ConnectionState Connection::state() const {
  switch (natsConnection_Status(connection_)) {
    case NATS_CONN_STATUS_CONNECTED:
    case NATS_CONN_STATUS_DRAINING_SUBS:
    case NATS_CONN_STATUS_DRAINING_PUBS:
      return ConnectionState::connected;
    case NATS_CONN_STATUS_CLOSED:
      return ConnectionState::closed;
    case NATS_CONN_STATUS_RECONNECTING:
    case NATS_CONN_STATUS_DISCONNECTED:
    case NATS_CONN_STATUS_CONNECTING:
      break;
  }
  // nats.c retries a failed first connect with its reconnect machinery: that
  // is still "connecting" until the first success.
  return connected_once_.load() ? ConnectionState::reconnecting : ConnectionState::connecting;
}

std::string Connection::connected_url() const {
  return url_of(connection_);
}

bool Connection::wait_connected(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] {
    return closed_ || state() == ConnectionState::connected;
  }) && !closed_;
}

std::int64_t Connection::max_payload() const {
  return natsConnection_GetMaxPayload(connection_);
}

Connection::ListenerId Connection::add_listener(Listener listener) {
  std::lock_guard dispatch(dispatch_);
  std::lock_guard lock(mutex_);
  ListenerId id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Connection::remove_listener(ListenerId id) {
  std::lock_guard dispatch(dispatch_);
  std::lock_guard lock(mutex_);
  listeners_.erase(id);
}

void Connection::flush(std::chrono::milliseconds timeout) {
  check(natsConnection_FlushTimeout(connection_, timeout.count()), "nats flush");
}

void Connection::notify(ConnectionEvent event) {
  {
    std::lock_guard dispatch(dispatch_);
    for (auto& [id, listener] : listeners_) listener(event);
  }
  std::lock_guard lock(mutex_);
  if (event.kind == ConnectionEvent::Kind::closed) closed_ = true;
  changed_.notify_all();
}

void Connection::on_connected(natsConnection* nc, void* closure) {
  auto* self = static_cast<Connection*>(closure);
  self->connected_once_.store(true);
  self->notify({ConnectionEvent::Kind::connected, NATS_OK, nullptr, url_of(nc), {}});
}

void Connection::on_disconnected(natsConnection* nc, void* closure) {
  auto* self = static_cast<Connection*>(closure);
  self->connected_once_.store(true);
  const char* text = nullptr;
  natsConnection_GetLastError(nc, &text);
  self->notify({ConnectionEvent::Kind::disconnected, NATS_OK, nullptr, {}, text ? text : ""});
}

void Connection::on_reconnected(natsConnection* nc, void* closure) {
  auto* self = static_cast<Connection*>(closure);
  self->reconnects_.fetch_add(1, std::memory_order_relaxed);
  self->notify({ConnectionEvent::Kind::reconnected, NATS_OK, nullptr, url_of(nc), {}});
}

void Connection::on_closed(natsConnection*, void* closure) {
  static_cast<Connection*>(closure)->notify(
      {ConnectionEvent::Kind::closed, NATS_OK, nullptr, {}, {}});
}

void Connection::on_error(natsConnection* nc, natsSubscription* sub, natsStatus status,
                          void* closure) {
  const char* text = nullptr;
  natsConnection_GetLastError(nc, &text);
  static_cast<Connection*>(closure)->notify(
      {ConnectionEvent::Kind::error, status, sub, {}, text ? text : natsStatus_GetText(status)});
}

}  // namespace blender_bus::nats
