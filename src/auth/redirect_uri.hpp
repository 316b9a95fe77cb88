#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace blender_bus::auth {

// True when `requested` is one of `registered`, compared exactly (OAuth 2.1
// §2.3.1), except that a loopback redirect (http on 127.0.0.1, [::1] or
// localhost) matches a registered one that differs only in its port: a
// native app listens on whatever port is free (RFC 8252 §7.3).
bool redirect_uri_matches(const std::vector<std::string>& registered, std::string_view requested);

// http://127.0.0.1…, http://[::1]…, http://localhost… (RFC 8252 §7.3).
bool is_loopback_redirect(std::string_view uri);

// What a client may register as a redirect (RFC 7591 §2, OAuth 2.1 §2.3):
// an absolute URI without a fragment; https, loopback http, or (for a native
// application) a private-use scheme such as com.example.app:/cb. Empty when
// acceptable, else why not.
std::string redirect_uri_problem(std::string_view uri, bool native);

// The host the consent screen names ("127.0.0.1", "claude.ai"), or the
// scheme for a private-use URI ("com.example.app").
std::string redirect_host(std::string_view uri);

}  // namespace blender_bus::auth
