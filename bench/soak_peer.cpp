#include "soak_peer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "parallel.hpp"
#include "soak_record.hpp"

namespace blender_bus::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

json::object job_done_arguments(const std::string& job_id) {
  return {{"job_id", job_id}, {"status", "completed"}, {"result", "done"}};
}

}  // namespace

SoakPeer::SoakPeer(SoakState& state, Identity identity)
    : state_(state), identity_(std::move(identity)) {}

asio::awaitable<void> SoakPeer::come_online() {
  cli::McpClientOptions options;
  options.client_name = "blender-bus-soak";
  client_.emplace(state_.executor, state_.server, state_.users[identity_.user].auth, options);
  co_await client_->connect();
  state_.events.add("sessions opened");
  json::object arguments;
  arguments["client_uuid"] = identity_.uuid;
  arguments["client_type"] = identity_.client_type;
  arguments["is_persistent"] = identity_.persistent;
  if (!identity_.group.empty()) arguments["group_id"] = identity_.group;
  auto registered = co_await client_->call_tool("blender_register_client", std::move(arguments));
  if (registered.is_error) throw std::runtime_error("register refused: " + registered.text);

  cli::EventStreamOptions stream_options;
  stream_options.initial_backoff = std::chrono::milliseconds(50);
  stream_options.max_backoff = std::chrono::milliseconds(1000);
  stream_options.resume_after = last_event_id_;
  stream_ = std::make_unique<cli::EventStream>(*client_, stream_options);
  co_await stream_->open();
  if (!last_event_id_.empty()) state_.events.add("streams resumed on a new session");
  online_ = true;
  streaming_ = true;
  reader_finished_ =
      std::make_unique<asio::steady_timer>(state_.executor, asio::steady_timer::time_point::max());
  auto self = shared_from_this();
  auto on_event = [self](const cli::SseEvent& event) {
    const auto payload = note_record(self->state_, self->identity_.uuid, event);
    if (!payload || !self->identity_.persistent) return;
    const auto* type = payload->if_contains("message_type");
    const auto* job = payload->if_contains("job_id");
    if (type && *type == "job_dispatch" && job && job->is_string()) {
      self->jobs_to_answer_.emplace_back(job->get_string());
      self->answer_jobs();
    }
  };
  asio::co_spawn(state_.executor, stream_->run_events(on_event), [self](std::exception_ptr error) {
    self->streaming_ = false;
    self->reader_finished_->cancel();
    if (!error || self->stream_->stopped()) return;
    try {
      std::rethrow_exception(error);
    } catch (const cli::SessionGone&) {
      self->state_.errors.add("stream: session gone while online");
    } catch (const cli::HttpError& e) {
      self->state_.errors.add("stream: reopening refused, HTTP " + std::to_string(e.status()));
    } catch (const std::exception& e) {
      self->state_.errors.add(std::string("stream: ended: ") + e.what());
    }
  });
  answer_jobs();  // jobs read on an earlier session and not answered then
}

void SoakPeer::answer_jobs() {
  if (answering_ || !online_ || jobs_to_answer_.empty()) return;
  answering_ = true;
  asio::co_spawn(state_.executor, answer_loop(),
                 [self = shared_from_this()](std::exception_ptr error) {
                   self->answering_ = false;
                   if (error) self->state_.errors.add("job updates: the answering loop failed");
                 });
}

asio::awaitable<void> SoakPeer::answer_loop() {
  while (online_ && !jobs_to_answer_.empty()) {
    const std::string job_id = jobs_to_answer_.front();
    json::object arguments = job_done_arguments(job_id);
    bool answered = false;
    try {
      const auto result = co_await client_->call_tool("blender_job_update", std::move(arguments));
      // content[0].text is the answer whichever way structuredContent is shaped.
      boost::system::error_code ec;
      const json::value answer = json::parse(result.text, ec);
      const json::object* object = ec ? nullptr : answer.if_object();
      if (object && object->contains("status") && object->at("status") == "ok") {
        if (!object->contains("delivered") || object->at("delivered") != "direct") {
          state_.errors.add("job update: the job was not found (broadcast)");
        }
        std::vector<std::string> targets;
        for (const auto& t : object->at("targets").as_array()) targets.emplace_back(t.as_string());
        state_.ledger.expect("update:" + job_id, targets);
        state_.events.add("job updates answered");
      } else {
        state_.errors.add("job update refused: " + result.text);
      }
      answered = true;
    } catch (const std::exception& e) {
      // The session went meanwhile: the job is answered after coming back.
      state_.errors.add(std::string("job update failed: ") + e.what());
    }
    if (!answered) break;
    jobs_to_answer_.pop_front();
  }
}

void SoakPeer::cut_stream() {
  if (!stream_ || !streaming_) return;
  stream_->drop_connection();
  state_.events.add("streams cut (resumed with Last-Event-ID)");
}

asio::awaitable<cli::ToolCallResult> SoakPeer::call(std::string_view tool, json::object arguments) {
  co_return co_await client_->call_tool(tool, std::move(arguments));
}

asio::awaitable<void> SoakPeer::go_offline(bool end_session) {
  online_ = false;
  // A job update under way finishes on this session first.
  co_await wait_until([this] { return !answering_; }, std::chrono::seconds(60),
                      std::chrono::milliseconds(5));
  if (stream_) {
    if (streaming_) {
      stream_->stop();
      boost::system::error_code ignored;
      co_await reader_finished_->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    last_event_id_ = stream_->last_event_id();
    stream_.reset();
  }
  if (client_ && end_session) {
    try {
      co_await client_->close();
      state_.events.add("sessions ended (DELETE)");
    } catch (const std::exception& e) {
      state_.errors.add(std::string("DELETE session: ") + e.what());
    }
  } else if (client_) {
    state_.events.add("sessions abandoned (left to idle expiry)");
  }
  client_.reset();
}

}  // namespace blender_bus::bench
