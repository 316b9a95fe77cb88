#include "auth/oauth_pages.hpp"

namespace blender_bus::auth {

namespace {

std::string page(std::string_view title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         html_escape(title) +
         " · blender-bus</title><style>"
         "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;"
         "line-height:1.5}label{display:block;margin-top:1rem}"
         "input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;"
         "box-sizing:border-box}button{margin-top:1.25rem;margin-right:.5rem;padding:.5rem 1rem;"
         "font-size:1rem}.problem{color:#a00000;font-weight:bold}"
         "</style></head><body><main>\n" +
         body + "</main></body></html>\n";
}

std::string hidden(const HiddenFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" +
           html_escape(value) + "\">\n";
  }
  return out;
}

std::string client_label(std::string_view client_name) {
  return client_name.empty() ? std::string("An application that gave no name")
                             : html_escape(client_name);
}

std::string scope_text(std::string_view scope) {
  if (scope == "read") return "read your bus: clients, records and jobs";
  if (scope == "write") return "write to your bus: send to Blender and answer jobs";
  return std::string(scope);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string login_page_html(const LoginPage& p) {
  const std::string site =
      p.client_site.empty() ? std::string()
                            : " (published by <strong>" + html_escape(p.client_site) + "</strong>)";
  std::string body = "<h1>Sign in to blender-bus</h1>\n<p><strong>" + client_label(p.client_name) +
                     "</strong>" + site +
                     " asks to use blender-bus for you. It will be sent to <strong>" +
                     html_escape(p.redirect_host) + "</strong>.</p>\n";
  if (!p.problem.empty()) {
    body +=
        "<p class=\"problem\" role=\"alert\" id=\"problem\">" + html_escape(p.problem) + "</p>\n";
  }
  body += "<form method=\"post\" action=\"/oauth/authorize\">\n" + hidden(p.fields) +
          "<label for=\"username\">Username</label>\n"
          "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" "
          "autocapitalize=\"none\" spellcheck=\"false\" required value=\"" +
          html_escape(p.username) + "\"" + (p.username.empty() ? " autofocus" : "") +
          ">\n<label for=\"password\">Password</label>\n"
          "<input type=\"password\" id=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required" +
          (p.username.empty() ? "" : " autofocus") +
          ">\n<button type=\"submit\" id=\"sign-in\">Sign in</button>\n</form>\n";
  return page("Sign in", body);
}

std::string consent_page_html(const ConsentPage& p) {
  std::string scopes;
  for (const auto& scope : p.scopes) {
    scopes += "<li><code>" + html_escape(scope) + "</code>: " + html_escape(scope_text(scope)) +
              "</li>\n";
  }
  std::string body =
      "<h1>Allow access?</h1>\n<p>Signed in as <strong>" + html_escape(p.username) +
      "</strong>.</p>\n<p><strong>" + client_label(p.client_name) + "</strong> (client <code>" +
      html_escape(p.client_id) +
      "</code>) asks to act for you on blender-bus. The permission goes to <strong>" +
      html_escape(p.redirect_host) + "</strong>.</p>\n<p>It may:</p>\n<ul>\n" + scopes +
      "</ul>\n<p>You can take it back later: <code>blender-bus oauth revoke</code>.</p>\n"
      "<form method=\"post\" action=\"/oauth/authorize\">\n" +
      hidden(p.fields) +
      "<button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">"
      "Allow</button>\n"
      "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">"
      "Deny</button>\n</form>\n";
  return page("Allow access", body);
}

std::string error_page_html(std::string_view title, std::string_view message) {
  return page(title, "<h1>" + html_escape(title) + "</h1>\n<p role=\"alert\" id=\"problem\">" +
                         html_escape(message) + "</p>\n");
}

}  // namespace blender_bus::auth
