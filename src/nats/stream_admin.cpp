#include "nats/stream_admin.hpp"

#include <memory>

#include "nats/nats_error.hpp"
#include "nats/transient.hpp"

namespace blender_bus::nats {

namespace {

struct StreamInfoDeleter {
  void operator()(jsStreamInfo* info) const { jsStreamInfo_Destroy(info); }
};
using StreamInfo = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;

}  // namespace

StreamAdmin::StreamAdmin(Connection& connection, std::string stream,
                         std::chrono::milliseconds deadline)
    : connection_(connection), stream_(std::move(stream)), deadline_(deadline) {}

StreamAdmin::State StreamAdmin::state() {
  return retry_transient(std::chrono::steady_clock::now() + deadline_, [&] {
    jsStreamInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    check(js_GetStreamInfo(&raw, connection_.jetstream(), stream_.c_str(), nullptr, &code),
          "stream '" + stream_ + "': info", code);
    StreamInfo info(raw);
    return State{info->State.Msgs, info->State.FirstSeq, info->State.LastSeq};
  });
}

std::map<std::string, std::uint64_t> StreamAdmin::subject_counts(std::string_view filter) {
  const std::string subjects(filter);
  return retry_transient(std::chrono::steady_clock::now() + deadline_, [&] {
    jsOptions options;
    jsOptions_Init(&options);
    options.Stream.Info.SubjectsFilter = subjects.c_str();
    jsStreamInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    check(js_GetStreamInfo(&raw, connection_.jetstream(), stream_.c_str(), &options, &code),
          "stream '" + stream_ + "': subjects of '" + subjects + "'", code);
    StreamInfo info(raw);
    std::map<std::string, std::uint64_t> out;
    if (const auto* list = info->State.Subjects) {
      for (int i = 0; i < list->Count; ++i) out.emplace(list->List[i].Subject, list->List[i].Msgs);
    }
    return out;
  });
}

void StreamAdmin::purge(std::string_view filter, std::uint64_t below) {
  const std::string subjects(filter);
  retry_transient(std::chrono::steady_clock::now() + deadline_, [&] {
    jsOptions options;
    jsOptions_Init(&options);
    options.Stream.Purge.Subject = subjects.c_str();
    options.Stream.Purge.Sequence = below;
    jsErrCode code = static_cast<jsErrCode>(0);
    check(js_PurgeStream(connection_.jetstream(), stream_.c_str(), &options, &code),
          "stream '" + stream_ + "': purging '" + subjects + "'", code);
  });
}

}  // namespace blender_bus::nats
