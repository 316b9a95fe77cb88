#include "nats/provisioner.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>

#include "nats/nats_error.hpp"
#include "nats/provision_error.hpp"
#include "nats/transient.hpp"

namespace blender_bus::nats {

namespace {

using namespace std::chrono_literals;

constexpr std::chrono::nanoseconds kDefaultDuplicates = 2min;

struct StreamInfoDeleter {
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
using StreamInfo = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

// The spec as the server stores it: 0 limits are "none" (-1), a default
// duplicate window is 2 min or max_age when shorter.
StreamSpec normalized(StreamSpec spec) {
  for (auto* limit : {&spec.max_msgs, &spec.max_bytes, &spec.max_msgs_per_subject}) {
    if (*limit == 0) *limit = -1;
  }
  if (spec.max_msg_size == 0) spec.max_msg_size = -1;
  if (spec.replicas <= 0) spec.replicas = 1;
  if (spec.duplicates.count() == 0) {
    spec.duplicates = spec.max_age.count() > 0 && spec.max_age < kDefaultDuplicates
                          ? spec.max_age
                          : kDefaultDuplicates;
  }
  std::sort(spec.subjects.begin(), spec.subjects.end());
  return spec;
}

StreamSpec spec_of(const jsStreamConfig& config) {
  StreamSpec spec;
  spec.name = config.Name ? config.Name : "";
  for (int i = 0; i < config.SubjectsLen; ++i) spec.subjects.emplace_back(config.Subjects[i]);
  spec.replicas = static_cast<int>(config.Replicas);
  spec.storage =
      config.Storage == js_MemoryStorage ? StreamSpec::Storage::memory : StreamSpec::Storage::file;
  spec.max_msgs = config.MaxMsgs;
  spec.max_bytes = config.MaxBytes;
  spec.max_msgs_per_subject = config.MaxMsgsPerSubject;
  spec.max_msg_size = config.MaxMsgSize;
  spec.max_age = std::chrono::nanoseconds(config.MaxAge);
  spec.discard = config.Discard == js_DiscardNew ? StreamSpec::Discard::new_messages
                                                 : StreamSpec::Discard::old_messages;
  spec.discard_new_per_subject = config.DiscardNewPerSubject;
  spec.duplicates = std::chrono::nanoseconds(config.Duplicates);
  spec.allow_direct = config.AllowDirect;
  spec.allow_rollup = config.AllowRollup;
  spec.deny_delete = config.DenyDelete;
  spec.deny_purge = config.DenyPurge;
  if (config.RePublish != nullptr) {
    spec.republish =
        StreamSpec::RePublish{config.RePublish->Source ? config.RePublish->Source : "",
                              config.RePublish->Destination ? config.RePublish->Destination : "",
                              config.RePublish->HeadersOnly};
  }
  return normalized(std::move(spec));
}

std::string text(bool value) {
  return value ? "true" : "false";
}
std::string text(std::int64_t value) {
  return value < 0 ? "none" : std::to_string(value);
}
std::string text(std::chrono::nanoseconds value) {
  if (value.count() == 0) return "none";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(value).count();
  return std::to_string(ms) + " ms";
}
std::string text(StreamSpec::Storage value) {
  return value == StreamSpec::Storage::memory ? "memory" : "file";
}
std::string text(StreamSpec::Discard value) {
  return value == StreamSpec::Discard::new_messages ? "new" : "old";
}
std::string text(const std::vector<std::string>& subjects) {
  std::string out = "[";
  for (const auto& subject : subjects) out += (out.size() > 1 ? ", " : "") + subject;
  return out + "]";
}
std::string text(const std::optional<StreamSpec::RePublish>& republish) {
  if (!republish) return "none";
  return republish->source + " -> " + republish->destination +
         (republish->headers_only ? " (headers only)" : "");
}

struct Difference {
  std::string description;  // "max_age: 60000 ms in the stream, 120000 ms wanted"
  bool updatable;
};

std::vector<Difference> differences(const StreamSpec& have, const StreamSpec& want) {
  std::vector<Difference> out;
  auto compare = [&](const char* field, const auto& a, const auto& b, bool updatable) {
    if (a == b) return;
    out.push_back({std::string(field) + ": " + text(a) + " in the stream, " + text(b) + " wanted",
                   updatable});
  };
  compare("storage", have.storage, want.storage, false);
  compare("republish", have.republish, want.republish, false);
  compare("subjects", have.subjects, want.subjects, true);
  compare("replicas", static_cast<std::int64_t>(have.replicas),
          static_cast<std::int64_t>(want.replicas), true);
  compare("max_msgs", have.max_msgs, want.max_msgs, true);
  compare("max_bytes", have.max_bytes, want.max_bytes, true);
  compare("max_msgs_per_subject", have.max_msgs_per_subject, want.max_msgs_per_subject, true);
  compare("max_msg_size", static_cast<std::int64_t>(have.max_msg_size),
          static_cast<std::int64_t>(want.max_msg_size), true);
  compare("max_age", have.max_age, want.max_age, true);
  compare("discard", have.discard, want.discard, true);
  compare("discard_new_per_subject", have.discard_new_per_subject, want.discard_new_per_subject,
          true);
  compare("duplicates", have.duplicates, want.duplicates, true);
  compare("allow_direct", have.allow_direct, want.allow_direct, true);
  compare("allow_rollup", have.allow_rollup, want.allow_rollup, true);
  // Can be set on a live stream, never cleared.
  compare("deny_delete", have.deny_delete, want.deny_delete, want.deny_delete);
  compare("deny_purge", have.deny_purge, want.deny_purge, want.deny_purge);
  return out;
}

// A jsStreamConfig pointing into `spec` (which must outlive it).
class NativeConfig {
 public:
  explicit NativeConfig(const StreamSpec& spec) {
    jsStreamConfig_Init(&config_);
    for (const auto& subject : spec.subjects) subjects_.push_back(subject.c_str());
    config_.Name = spec.name.c_str();
    config_.Subjects = subjects_.data();
    config_.SubjectsLen = static_cast<int>(subjects_.size());
    config_.Retention = js_LimitsPolicy;
    config_.Replicas = spec.replicas;
    config_.Storage =
        spec.storage == StreamSpec::Storage::memory ? js_MemoryStorage : js_FileStorage;
    config_.MaxMsgs = spec.max_msgs;
    config_.MaxBytes = spec.max_bytes;
    config_.MaxMsgsPerSubject = spec.max_msgs_per_subject;
    config_.MaxMsgSize = spec.max_msg_size;
    config_.MaxAge = spec.max_age.count();
    config_.Discard =
        spec.discard == StreamSpec::Discard::new_messages ? js_DiscardNew : js_DiscardOld;
    config_.DiscardNewPerSubject = spec.discard_new_per_subject;
    config_.Duplicates = spec.duplicates.count();
    config_.AllowDirect = spec.allow_direct;
    config_.AllowRollup = spec.allow_rollup;
    config_.DenyDelete = spec.deny_delete;
    config_.DenyPurge = spec.deny_purge;
    if (spec.republish) {
      jsRePublish_Init(&republish_);
      republish_.Source = spec.republish->source.c_str();
      republish_.Destination = spec.republish->destination.c_str();
      republish_.HeadersOnly = spec.republish->headers_only;
      config_.RePublish = &republish_;
    }
  }
  NativeConfig(const NativeConfig&) = delete;
  NativeConfig& operator=(const NativeConfig&) = delete;

  jsStreamConfig* get() { return &config_; }

 private:
  jsStreamConfig config_;
  jsRePublish republish_;
  std::vector<const char*> subjects_;
};

bool clustered(const jsStreamInfo& info) {
  return info.Cluster != nullptr && info.Cluster->Name != nullptr && *info.Cluster->Name != '\0';
}

std::string join(const std::vector<Difference>& list) {
  std::string out;
  for (const auto& difference : list) out += (out.empty() ? "" : "; ") + difference.description;
  return out;
}

}  // namespace

Provisioner::Outcome Provisioner::ensure_bucket(const KvSpec& spec) {
  std::string asset = "KV bucket '" + spec.bucket + "'";
  auto allowed = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; };
  if (spec.bucket.empty() || !std::all_of(spec.bucket.begin(), spec.bucket.end(), allowed)) {
    throw ProvisionError(asset, asset + ": a bucket name is letters, digits, '_' and '-'");
  }
  if (spec.history < 1 || spec.history > 64) {
    throw ProvisionError(asset,
                         asset + ": history must be 1..64, not " + std::to_string(spec.history));
  }
  return ensure(kv_stream_spec(spec), asset);
}

Provisioner::Outcome Provisioner::ensure_stream(const StreamSpec& spec) {
  return ensure(spec, "stream '" + spec.name + "'");
}

Provisioner::Outcome Provisioner::ensure(const StreamSpec& raw, const std::string& asset) {
  const StreamSpec want = normalized(raw);
  const auto deadline = std::chrono::steady_clock::now() + options_.deadline;
  jsCtx* js = connection_.jetstream();

  auto info_of = [&]() -> StreamInfo {
    return retry_transient(deadline, [&]() -> StreamInfo {
      jsStreamInfo* info = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      natsStatus status = js_GetStreamInfo(&info, js, want.name.c_str(), nullptr, &code);
      if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
        clear_last_error();
        return nullptr;
      }
      check(status, asset + ": reading its configuration", code);
      return StreamInfo(info);
    });
  };
  auto write = [&](bool update) -> StreamInfo {
    NativeConfig config(want);
    return retry_transient(deadline, [&]() -> StreamInfo {
      jsStreamInfo* info = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      natsStatus status = update ? js_UpdateStream(&info, js, config.get(), nullptr, &code)
                                 : js_AddStream(&info, js, config.get(), nullptr, &code);
      StreamInfo owned(info);
      if (!update && code == JSStreamNameExistErr) {
        clear_last_error();
        return nullptr;  // another node created it just now: compare
      }
      if (code == JSStreamReplicasNotSupportedErr) {
        clear_last_error();
        throw ProvisionError(asset, asset + ": " + std::to_string(want.replicas) +
                                        " replicas, but the NATS server is not part of a "
                                        "JetStream cluster");
      }
      check(status, asset + (update ? ": updating it" : ": creating it"), code);
      return owned;
    });
  };
  auto check_placement = [&](const jsStreamInfo& info) {
    if (want.replicas > 1 && !clustered(info)) {
      throw ProvisionError(asset, asset + ": " + std::to_string(want.replicas) +
                                      " replicas, but the NATS server is not part of a "
                                      "JetStream cluster");
    }
    // (The peer list of an update's answer is in transition: R1 -> R3 listed 4.)
    return static_cast<int>(info.Config->Replicas);
  };

  Outcome outcome;
  for (int round = 0; round < 3; ++round) {
    StreamInfo info = info_of();
    if (!info) {
      StreamInfo created = write(false);
      if (!created) continue;
      outcome.action = Outcome::Action::created;
      outcome.replicas = check_placement(*created);
      return outcome;
    }
    const auto found = differences(spec_of(*info->Config), want);
    if (found.empty()) {
      outcome.action = Outcome::Action::unchanged;
      outcome.replicas = check_placement(*info);
      return outcome;
    }
    std::vector<Difference> fixed;
    for (const auto& difference : found) {
      if (!difference.updatable) fixed.push_back(difference);
    }
    if (!fixed.empty()) {
      throw ProvisionError(
          asset, asset + " exists with a configuration that cannot be changed: " + join(fixed) +
                     " (a new stream would restart its sequence numbers; "
                     "remove it by hand if that is intended)");
    }
    // Refuse the 2.9 quirk (an update to replicas > 1 on a standalone server
    // succeeds) before writing it.
    check_placement(*info);
    StreamInfo updated = write(true);
    outcome.action = Outcome::Action::updated;
    for (const auto& difference : found) outcome.changes.push_back(difference.description);
    outcome.replicas = check_placement(*updated);
    return outcome;
  }
  throw ProvisionError(asset, asset + ": it kept appearing and disappearing while being created");
}

}  // namespace blender_bus::nats
