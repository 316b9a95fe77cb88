#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace blender_bus::auth {

// Seals text that a server-side form carries from one step to the next (the
// consent ticket, the anti-CSRF value), so that what comes back is known to
// be what the server wrote: BASE64URL(text) "." BASE64URL(HMAC-SHA-256).
// The key is derived from the token secret for this use only, so a seal is
// never a valid token signature. Not encrypted: seal nothing secret.
// Thread-safe: const after construction.
class FormSeal {
 public:
  explicit FormSeal(std::string_view secret);

  std::string seal(std::string_view text) const;
  // The text when `sealed` is one of ours, compared in constant time.
  std::optional<std::string> open(std::string_view sealed) const;
  // BASE64URL(HMAC-SHA-256(text)): a tag that proves knowledge of the key.
  std::string tag(std::string_view text) const;

 private:
  std::string key_;
};

}  // namespace blender_bus::auth
