#include "nats/publisher.hpp"

#include <algorithm>
#include <charconv>

#include "nats/transient.hpp"

namespace blender_bus::nats {

namespace {

// The sequence in a "wrong last sequence: N" answer.
std::uint64_t sequence_in(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return 0;
  auto digits = text.substr(colon + 1);
  while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
  std::uint64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

}  // namespace

Publisher::Publisher(Connection& connection) : Publisher(connection, Options{}) {}

Publisher::Publisher(Connection& connection, Options options)
    : connection_(connection), options_(options) {
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = options_.ack_wait.count();
  js_options.PublishAsync.AckHandler = &Publisher::on_ack;
  js_options.PublishAsync.AckHandlerClosure = this;
  // Never reached: outstanding_ (which counts every message nats.c holds)
  // stays at or below max_in_flight, so js_PublishMsgAsync never stalls.
  js_options.PublishAsync.MaxPending = static_cast<int64_t>(options_.max_in_flight) + 1;
  check(natsConnection_JetStream(&js_, connection_.native(), &js_options),
        "natsConnection_JetStream (publisher)");
  sender_ = std::thread([this] { run_sender(); });
}

Publisher::~Publisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  sender_.join();

  // Take back what nats.c still holds: it calls the ack handler for none of
  // those any more. What stays in in_flight_ is in the ack handler now.
  natsMsgList pending{};
  bool any_in_flight = false;
  {
    std::lock_guard lock(mutex_);
    any_in_flight = !in_flight_.empty();
  }
  // (nats.c 3.4 crashes in this call on a context that never published.)
  if (any_in_flight && js_PublishAsyncGetPendingList(&pending, js_) != NATS_OK) {
    clear_last_error();
  }
  {
    std::unique_lock lock(mutex_);
    const NatsError closed(NATS_CONNECTION_CLOSED, 0,
                           "publish: the publisher closed before the message was acked");
    for (int i = 0; i < pending.Count; ++i) {
      auto it = in_flight_.find(pending.Msgs[i]);
      if (it == in_flight_.end()) continue;  // not ours: natsMsgList_Destroy frees it
      Pending taken = std::move(it->second);
      in_flight_.erase(it);
      pending.Msgs[i] = nullptr;  // fail() destroys it
      fail(taken, closed);
    }
    for (auto& [due, retry] : retries_) fail(retry, closed);
    retries_.clear();
    for (auto& queued : queued_) {
      ++outstanding_;
      fail(queued, closed);
    }
    queued_.clear();
    settled_.wait(lock, [this] { return in_flight_.empty(); });
  }
  natsMsgList_Destroy(&pending);
  jsCtx_Destroy(js_);
}

std::shared_ptr<PublishBatch> Publisher::start(std::span<const PublishRequest> requests) {
  auto batch = std::make_shared<PublishBatch>(requests.size());
  const auto deadline = Clock::now() + options_.deadline;
  std::vector<Pending> built;
  built.reserve(requests.size());
  std::vector<std::pair<std::size_t, NatsError>> refused;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    Pending pending{nullptr, batch, i, deadline, options_.backoff_first, 0};
    std::string subject(request.subject);
    natsStatus status =
        natsMsg_Create(&pending.msg, subject.c_str(), nullptr, request.payload.data(),
                       static_cast<int>(request.payload.size()));
    if (status == NATS_OK) {
      std::string id = request.msg_id.empty() ? ids_.next() : std::string(request.msg_id);
      status = natsMsgHeader_Set(pending.msg, "Nats-Msg-Id", id.c_str());
    }
    if (status == NATS_OK && request.expect_last_subject_seq) {
      status = natsMsgHeader_Set(pending.msg, "Nats-Expected-Last-Subject-Sequence",
                                 std::to_string(*request.expect_last_subject_seq).c_str());
    }
    for (const auto& header : request.headers) {
      if (status != NATS_OK) break;
      status = natsMsgHeader_Add(pending.msg, std::string(header.name).c_str(),
                                 std::string(header.value).c_str());
    }
    if (status != NATS_OK) {
      natsMsg_Destroy(pending.msg);
      refused.emplace_back(i, make_error(status, "publish to '" + subject + "'"));
      continue;
    }
    built.push_back(std::move(pending));
  }
  for (auto& [index, error] : refused) {
    batch->complete(index, PublishResult{0, false, 0, 0, std::move(error)});
  }

  std::vector<Pending> now;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& pending : built) {
      if (stopping_) {
        ++outstanding_;
        fail(pending, NatsError(NATS_CONNECTION_CLOSED, 0, "publish: the publisher is closing"));
      } else if (queued_.empty() && outstanding_ < options_.max_in_flight) {
        ++outstanding_;
        if (now.empty()) ++direct_senders_;
        now.push_back(std::move(pending));
      } else if (queued_.size() < options_.max_queued) {
        queued_.push_back(std::move(pending));
        queued = true;
      } else {
        ++outstanding_;
        fail(pending, NatsError(NATS_INSUFFICIENT_BUFFER, 0,
                                "publish: " + std::to_string(queued_.size()) +
                                    " messages already wait to be sent (max_queued)"));
      }
    }
  }
  for (auto& pending : now) send(std::move(pending));
  if (!now.empty()) {
    std::lock_guard lock(mutex_);
    --direct_senders_;
    queued = queued || !queued_.empty();
  }
  if (queued) wake_.notify_one();
  return batch;
}

boost::asio::awaitable<std::vector<PublishResult>> Publisher::publish_all(
    std::span<const PublishRequest> requests) {
  auto batch = start(requests);
  co_return co_await batch->wait();
}

boost::asio::awaitable<PublishResult> Publisher::publish(const PublishRequest& request) {
  auto batch = start(request);
  auto results = co_await batch->wait();
  co_return std::move(results.front());
}

void Publisher::send(Pending pending) {
  auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(pending.deadline - Clock::now());
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = std::max<std::int64_t>(1, std::min(options_.ack_wait, remaining).count());
  natsMsg* msg = pending.msg;
  ++pending.attempts;
  {
    std::lock_guard lock(mutex_);
    in_flight_.emplace(msg, std::move(pending));
  }
  natsStatus status = js_PublishMsgAsync(js_, &msg, &options);
  if (status == NATS_OK) return;  // nats.c owns it until the ack handler

  // Refused before it left (connection closed, reconnect buffer full...):
  // nats.c kept no trace of it, and the message is still ours.
  NatsError error = make_error(status, "publish to '" + std::string(natsMsg_GetSubject(msg)) + "'");
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(msg);
  Pending refused = std::move(it->second);
  in_flight_.erase(it);
  if (!schedule_retry(refused, error)) fail(refused, std::move(error));
  if (in_flight_.empty()) settled_.notify_all();
}

bool Publisher::schedule_retry(Pending& pending, NatsError& error) {
  const auto now = Clock::now();
  if (stopping_ || !is_transient(error) || now + pending.backoff >= pending.deadline) return false;
  auto due = now + pending.backoff;
  pending.backoff = std::min(pending.backoff * 2, options_.backoff_longest);
  ++retried_;
  retries_.emplace(due, std::move(pending));
  wake_.notify_one();
  return true;
}

void Publisher::fail(Pending& pending, NatsError error) {
  natsMsg_Destroy(pending.msg);
  pending.msg = nullptr;
  ++failed_;
  release_slot();
  // Completing only posts to the waiters' executors: safe under the lock.
  pending.batch->complete(pending.index,
                          PublishResult{0, false, pending.attempts, 0, std::move(error)});
}

void Publisher::release_slot() {
  --outstanding_;
  if (!queued_.empty()) wake_.notify_one();
  if (outstanding_ == 0) settled_.notify_all();
}

void Publisher::on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  static_cast<Publisher*>(closure)->handle_ack(msg, ack, error);
}

void Publisher::handle_ack(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(msg);
  if (it == in_flight_.end()) {
    // Not ours (cannot happen: this context publishes only through send()).
    natsMsg_Destroy(msg);
    return;
  }
  Pending pending = std::move(it->second);
  in_flight_.erase(it);
  if (in_flight_.empty()) settled_.notify_all();

  if (ack != nullptr) {
    natsMsg_Destroy(msg);
    pending.msg = nullptr;
    ++acked_;
    release_slot();
    if (options_.on_acked) options_.on_acked(Clock::now() - (pending.deadline - options_.deadline));
    pending.batch->complete(pending.index,
                            PublishResult{ack->Sequence, ack->Duplicate, pending.attempts, 0, {}});
    return;
  }

  std::string text = "publish to '" + std::string(natsMsg_GetSubject(msg)) +
                     "': " + natsStatus_GetText(error->Err);
  if (error->ErrCode != 0) text += " (jerr " + std::to_string(error->ErrCode) + ")";
  if (error->ErrText != nullptr && *error->ErrText != '\0') {
    text += ": ";
    text += error->ErrText;
  }
  NatsError failure(error->Err, error->ErrCode, text);
  // Kept for the retry (the same message, so the same Nats-Msg-Id); never
  // re-sent from here: this thread is the one that processes acks.
  if (schedule_retry(pending, failure)) return;

  std::uint64_t actual = 0;
  if (error->ErrCode == JSStreamWrongLastSequenceErr && error->ErrText != nullptr) {
    actual = sequence_in(error->ErrText);
  }
  natsMsg_Destroy(msg);
  pending.msg = nullptr;
  ++failed_;
  release_slot();
  pending.batch->complete(pending.index,
                          PublishResult{0, false, pending.attempts, actual, std::move(failure)});
}

void Publisher::run_sender() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<Pending> to_send;
    const auto now = Clock::now();
    while (!retries_.empty() && retries_.begin()->first <= now) {
      to_send.push_back(std::move(retries_.begin()->second));
      retries_.erase(retries_.begin());
    }
    // Queued messages go after those a caller is sending right now.
    while (direct_senders_ == 0 && !queued_.empty() && outstanding_ < options_.max_in_flight) {
      Pending pending = std::move(queued_.front());
      queued_.pop_front();
      ++outstanding_;
      if (pending.deadline <= now) {
        fail(pending, NatsError(NATS_TIMEOUT, 0,
                                "publish: not sent within the deadline (it waited in the "
                                "publisher's queue)"));
      } else {
        to_send.push_back(std::move(pending));
      }
    }
    if (to_send.empty()) {
      if (retries_.empty()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, retries_.begin()->first);
      }
      continue;
    }
    lock.unlock();
    for (auto& pending : to_send) send(std::move(pending));
    lock.lock();
  }
}

bool Publisher::drain(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return settled_.wait_for(lock, timeout, [this] { return outstanding_ == 0 && queued_.empty(); });
}

Publisher::Stats Publisher::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{outstanding_, queued_.size(), acked_, failed_, retried_};
}

}  // namespace blender_bus::nats
