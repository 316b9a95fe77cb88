#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blender_bus::auth {

// The authorization endpoint's pages: plain server-side HTML, one form each,
// labelled fields, no script, so they work in any browser and with a screen
// reader. Every value is HTML-escaped.

using HiddenFields = std::vector<std::pair<std::string, std::string>>;

struct LoginPage {
  std::string client_name;    // "" for a client that gave none
  std::string redirect_host;  // where the code would go
  HiddenFields fields;        // the authorization request, the anti-CSRF field
  std::string username;       // prefilled after a failed attempt
  std::string problem;        // "" or why the last attempt failed
  std::string client_site{};  // a metadata document client's host, else ""
};
std::string login_page_html(const LoginPage& page);

struct ConsentPage {
  std::string client_name;
  std::string client_id;
  std::string redirect_host;
  std::string username;
  std::vector<std::string> scopes;
  HiddenFields fields;  // the sealed ticket, the anti-CSRF field
};
std::string consent_page_html(const ConsentPage& page);

// A dead end: an unknown client, a redirect that does not match, an expired
// form. Never a redirect, so an attacker cannot bounce a browser through us.
std::string error_page_html(std::string_view title, std::string_view message);

std::string html_escape(std::string_view text);

}  // namespace blender_bus::auth
