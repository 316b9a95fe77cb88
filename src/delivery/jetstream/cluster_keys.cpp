#include "delivery/jetstream/cluster_keys.hpp"

#include "nats/subject_token.hpp"

namespace blender_bus::delivery::jetstream {

namespace {

std::string joined(std::string_view prefix, std::string_view bus, std::string_view last) {
  std::string out(prefix);
  out += nats::encode_subject_token(bus);
  out += '.';
  out += last;
  return out;
}

}  // namespace

std::string record_subject(std::string_view bus, std::string_view client) {
  return joined("bus.rec.", bus, nats::encode_subject_token(client));
}

std::string live_subject(std::string_view bus, std::string_view client) {
  return joined("bus.live.", bus, nats::encode_subject_token(client));
}

std::string bus_record_filter(std::string_view bus) {
  return joined("bus.rec.", bus, ">");
}

std::string item_key(std::string_view bus, std::string_view item) {
  return joined("", bus, nats::encode_subject_token(item));
}

std::string bus_key_filter(std::string_view bus) {
  return joined("", bus, ">");
}

std::optional<std::pair<std::string, std::string>> parse_item_key(std::string_view key) {
  const auto dot = key.find('.');
  if (dot == std::string_view::npos || key.find('.', dot + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  try {
    return std::pair{nats::decode_subject_token(key.substr(0, dot)),
                     nats::decode_subject_token(key.substr(dot + 1))};
  } catch (const nats::SubjectTokenError&) {
    return std::nullopt;
  }
}

}  // namespace blender_bus::delivery::jetstream
