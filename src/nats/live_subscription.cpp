#include "nats/live_subscription.hpp"

#include "nats/nats_error.hpp"

namespace blender_bus::nats {

LiveSubscription::LiveSubscription(Connection& connection, std::string subject, Handler handler)
    : LiveSubscription(connection, std::move(subject), std::move(handler), Options{}) {}

LiveSubscription::LiveSubscription(Connection& connection, std::string subject, Handler handler,
                                   Options options)
    : subject_(std::move(subject)), handler_(std::move(handler)) {
  check(natsConnection_Subscribe(&subscription_, connection.native(), subject_.c_str(),
                                 &LiveSubscription::on_message, this),
        "subscribe to '" + subject_ + "'");
  natsStatus status = natsSubscription_SetPendingLimits(subscription_, options.pending_messages,
                                                        options.pending_bytes);
  if (status == NATS_OK) {
    status = natsSubscription_SetOnCompleteCB(subscription_, &LiveSubscription::on_complete, this);
  }
  if (status != NATS_OK) {
    NatsError error = make_error(status, "subscribe to '" + subject_ + "': options");
    natsSubscription_Destroy(subscription_);
    throw error;
  }
}

LiveSubscription::~LiveSubscription() {
  if (natsSubscription_Unsubscribe(subscription_) != NATS_OK) {
    // Already closed with its connection: the completion has been or will be
    // reported all the same.
    clear_last_error();
  }
  {
    std::unique_lock lock(mutex_);
    completed_.wait(lock, [this] { return complete_; });
  }
  natsSubscription_Destroy(subscription_);
}

std::uint64_t LiveSubscription::dropped() const {
  int64_t dropped = 0;
  if (natsSubscription_GetDropped(subscription_, &dropped) != NATS_OK) {
    clear_last_error();
    return 0;
  }
  return static_cast<std::uint64_t>(dropped);
}

void LiveSubscription::on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<LiveSubscription*>(closure);
  LiveMessage live{Message(msg), 0, 0};
  live.sequence = live.message.header_number("Nats-Sequence").value_or(0);
  live.last_sequence = live.message.header_number("Nats-Last-Sequence").value_or(0);
  self->handler_(std::move(live));
}

void LiveSubscription::on_complete(void* closure) {
  auto* self = static_cast<LiveSubscription*>(closure);
  std::lock_guard lock(self->mutex_);
  self->complete_ = true;
  self->completed_.notify_all();
}

}  // namespace blender_bus::nats
