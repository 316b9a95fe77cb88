#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace blender_bus::delivery::jetstream {

// Where a bus's things live in the cluster's subjects and keys (ids encoded
// with nats::encode_subject_token, so any id is one valid token). Each throws
// nats::SubjectTokenError for an id that cannot be a token (empty, or longer
// than nats::kMaxSubjectToken once encoded).

// bus.rec.<bus>.<client>: the stream subject of a client's records.
std::string record_subject(std::string_view bus, std::string_view client);
// bus.live.<bus>.<client>: where the stream republishes them.
std::string live_subject(std::string_view bus, std::string_view client);
// bus.rec.<bus>.>: every record of a bus (purge, counts).
std::string bus_record_filter(std::string_view bus);
// <bus>.<item>: the key of a client, a job or a cursor in its bucket.
std::string item_key(std::string_view bus, std::string_view item);
// <bus>.>: every key of a bus in a bucket (KV subjects under $KV.<bucket>.).
std::string bus_key_filter(std::string_view bus);

// A key item_key made, back as (bus, item); nullopt for any other key.
std::optional<std::pair<std::string, std::string>> parse_item_key(std::string_view key);

}  // namespace blender_bus::delivery::jetstream
