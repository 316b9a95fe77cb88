#include "auth/client_metadata_resolver.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace blender_bus::auth {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::chrono::seconds client_metadata_lifetime(std::string_view cache_control,
                                              const ClientMetadataPolicy& policy) {
  const std::string header = lowercase(cache_control);
  std::optional<long long> max_age;
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view directive = trimmed(rest.substr(0, comma));
    if (directive == "no-store" || directive == "no-cache") return policy.min_lifetime;
    if (directive.starts_with("max-age=")) {
      std::string_view digits = directive.substr(8);
      if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"') {
        digits = digits.substr(1, digits.size() - 2);
      }
      long long seconds = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
      if (ec == std::errc{} && end == digits.data() + digits.size()) max_age = seconds;
      if (ec == std::errc::result_out_of_range) max_age = policy.max_lifetime.count();
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!max_age) return policy.default_lifetime;
  return std::clamp(std::chrono::seconds(*max_age), policy.min_lifetime, policy.max_lifetime);
}

ClientMetadataResolver::ClientMetadataResolver(ClientMetadataPolicy policy)
    : policy_(std::move(policy)) {}

ClientMetadataResolver::Outcome ClientMetadataResolver::resolve(const std::string& client_id) {
  const auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(client_id); it != cache_.end() && it->second.expires > now) {
      return it->second.outcome;
    }
  }
  struct Slot {
    std::atomic<unsigned>& count;
    ~Slot() { count.fetch_sub(1); }
  } slot{fetching_};
  if (fetching_.fetch_add(1) >= policy_.max_concurrent_fetches) {
    // Not kept: the document itself may be fine.
    return ClientMetadataRefusal{
        "the server is busy fetching other client metadata documents; start again in a moment"};
  }
  auto [outcome, lifetime] = fetch(client_id);
  if (auto* refusal = std::get_if<ClientMetadataRefusal>(&outcome)) {
    spdlog::info("oauth: client metadata document {} refused: {}", client_id.substr(0, 200),
                 refusal->reason);
  }
  keep(client_id, Entry{outcome, Clock::now() + lifetime});
  return outcome;
}

std::pair<ClientMetadataResolver::Outcome, std::chrono::seconds> ClientMetadataResolver::fetch(
    const std::string& client_id) const {
  auto refused = [this](std::string reason) {
    return std::pair<Outcome, std::chrono::seconds>{ClientMetadataRefusal{std::move(reason)},
                                                    policy_.refusal_lifetime};
  };
  if (auto problem = client_id_url_problem(client_id, policy_.allow_private_addresses);
      !problem.empty()) {
    return refused(problem);
  }
  FetchLimits limits{policy_.timeout, policy_.max_bytes, !policy_.allow_private_addresses};
  if (!fetchable_url(client_id)) {
    return refused("plain http is only fetched from loopback");
  }
  FetchedDocument document;
  try {
    document = fetch_url(client_id, limits);
  } catch (const FetchError& error) {
    return refused(std::string("the client metadata document could not be fetched: ") +
                   error.what());
  }
  if (document.status >= 300 && document.status < 400) {
    return refused("the client metadata document URL redirects; redirects are not followed");
  }
  if (document.status != 200) {
    return refused("the client metadata document URL answered HTTP " +
                   std::to_string(document.status));
  }
  auto read = read_client_metadata_document(client_id, document.body);
  if (auto* refusal = std::get_if<ClientMetadataRefusal>(&read)) {
    return refused(std::move(refusal->reason));
  }
  return {std::move(read), client_metadata_lifetime(document.cache_control, policy_)};
}

void ClientMetadataResolver::keep(const std::string& client_id, Entry entry) {
  std::lock_guard lock(mutex_);
  if (cache_.size() >= policy_.max_entries && !cache_.contains(client_id)) {
    const auto now = Clock::now();
    std::erase_if(cache_, [now](const auto& item) { return item.second.expires <= now; });
    if (cache_.size() >= policy_.max_entries) {
      cache_.erase(std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
        return a.second.expires < b.second.expires;
      }));
    }
  }
  cache_.insert_or_assign(client_id, std::move(entry));
}

std::size_t ClientMetadataResolver::entries() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace blender_bus::auth
