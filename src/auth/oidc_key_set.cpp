#include "auth/oidc_key_set.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace blender_bus::auth {

namespace json = boost::json;

namespace {

json::object parse_document(const FetchedDocument& document, const std::string& url) {
  if (document.status != 200) {
    throw std::runtime_error(url + " answered " + std::to_string(document.status));
  }
  boost::system::error_code ec;
  json::value value = json::parse(document.body, ec);
  if (ec || !value.is_object()) throw std::runtime_error(url + " is not a JSON object");
  return std::move(value.as_object());
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

OidcKeySet::OidcKeySet(OidcSettings settings, Fetch fetch)
    : settings_(std::move(settings)), fetch_(std::move(fetch)), thread_([this] { run(); }) {}

OidcKeySet::~OidcKeySet() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<JsonWebKey> OidcKeySet::find(const std::string& kid, JwsAlgorithm algorithm) const {
  {
    std::shared_lock lock(keys_mutex_);
    for (const JsonWebKey& key : keys_) {
      if (key.algorithm() == algorithm && (kid.empty() || key.kid() == kid)) return key;
    }
  }
  {
    std::lock_guard lock(mutex_);
    wanted_ = true;
  }
  wake_.notify_all();
  return std::nullopt;
}

void OidcKeySet::refresh() {
  const std::string discovery_url =
      without_trailing_slash(settings_.issuer) + "/.well-known/openid-configuration";
  const json::object discovery = parse_document(fetch_(discovery_url), discovery_url);
  const json::value* issuer = discovery.if_contains("issuer");
  if (issuer == nullptr || !issuer->is_string() || issuer->as_string() != settings_.issuer) {
    throw std::runtime_error(discovery_url + " names another issuer");
  }
  const json::value* jwks_uri = discovery.if_contains("jwks_uri");
  if (jwks_uri == nullptr || !jwks_uri->is_string() ||
      !fetchable_url(std::string(jwks_uri->as_string()))) {
    throw std::runtime_error(discovery_url + " has no usable jwks_uri");
  }
  const std::string keys_url(jwks_uri->as_string());
  const json::object set = parse_document(fetch_(keys_url), keys_url);
  const json::value* list = set.if_contains("keys");
  if (list == nullptr || !list->is_array()) throw std::runtime_error(keys_url + " has no keys");
  std::vector<JsonWebKey> keys;
  for (const json::value& item : list->as_array()) {
    if (!item.is_object()) continue;
    std::string problem;
    if (auto key = JsonWebKey::from_json(item.as_object(), problem)) {
      keys.push_back(std::move(*key));
    } else {
      spdlog::debug("oidc: skipping a key of {}: {}", keys_url, problem);
    }
  }
  if (keys.empty()) throw std::runtime_error(keys_url + " holds no RS256 or ES256 signing key");
  std::unique_lock lock(keys_mutex_);
  keys_ = std::move(keys);
}

bool OidcKeySet::wait_loaded(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [this] { return attempted_; });
  std::shared_lock keys(keys_mutex_);
  return !keys_.empty();
}

void OidcKeySet::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      refresh();
    } catch (const std::exception& e) {
      spdlog::warn("oidc: cannot read the keys of {}: {}", settings_.issuer, e.what());
    }
    lock.lock();
    attempted_ = true;
    wanted_ = false;
    last_read_ = std::chrono::steady_clock::now();
    wake_.notify_all();
    // Sleep until the next periodic read, or an early one once the gap has
    // passed since this one.
    const auto periodic = last_read_ + settings_.refresh_every;
    const auto earliest = last_read_ + settings_.min_refresh_gap;
    while (!stopping_) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= periodic || (wanted_ && now >= earliest)) break;
      wake_.wait_until(lock, wanted_ ? earliest : periodic);
    }
  }
}

}  // namespace blender_bus::auth
