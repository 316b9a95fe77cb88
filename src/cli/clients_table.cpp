#include "cli/clients_table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "json/serializer.hpp"

namespace blender_bus::cli {

namespace json = boost::json;

namespace {

constexpr std::size_t kColumns = 8;
using Row = std::array<std::string, kColumns>;

std::string text_of(const json::object& client, std::string_view key) {
  const auto* value = client.if_contains(key);
  if (value == nullptr || value->is_null()) return "-";
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_bool()) return value->as_bool() ? "yes" : "no";
  return blender_bus::json::to_text(*value);
}

std::string age(const json::object& client, double now_s) {
  const auto* value = client.if_contains("last_seen");
  if (value == nullptr || !value->is_number()) return "-";
  const double seconds = std::max(0.0, now_s - value->to_number<double>());
  // The server's number: an age past 2^62 s (any real one is far below) is capped.
  const auto whole = seconds < 0x1p62 ? static_cast<long long>(std::floor(seconds)) : 1LL << 62;
  if (whole < 60) return std::to_string(whole) + "s ago";
  if (whole < 3600) return std::to_string(whole / 60) + "m ago";
  if (whole < 86400) return std::to_string(whole / 3600) + "h ago";
  return std::to_string(whole / 86400) + "d ago";
}

std::string capabilities(const json::object& client) {
  const auto* value = client.if_contains("capabilities");
  if (value == nullptr || !value->is_array() || value->as_array().empty()) return "-";
  std::string joined;
  for (const auto& item : value->as_array()) {
    if (!joined.empty()) joined += ",";
    joined += item.is_string() ? std::string(item.as_string()) : blender_bus::json::to_text(item);
  }
  return joined;
}

void add_rows(std::vector<Row>& rows, const json::object& listing, std::string_view bucket,
              double now_s) {
  const auto* clients = listing.if_contains(bucket);
  if (clients == nullptr || !clients->is_array()) return;
  for (const auto& item : clients->as_array()) {
    if (!item.is_object()) continue;
    const auto& client = item.as_object();
    rows.push_back({text_of(client, "uuid"), text_of(client, "label"),
                    text_of(client, "client_type"), std::string(bucket),
                    text_of(client, "group_id"), text_of(client, "online"), capabilities(client),
                    age(client, now_s)});
  }
}

}  // namespace

std::string format_clients_table(const json::object& listing, double now_s) {
  std::vector<Row> rows{
      {"UUID", "LABEL", "TYPE", "BUCKET", "GROUP", "ONLINE", "CAPABILITIES", "LAST SEEN"}};
  add_rows(rows, listing, "persistent", now_s);
  add_rows(rows, listing, "ephemeral", now_s);
  if (rows.size() == 1) return "no clients on this bus\n";
  std::array<std::size_t, kColumns> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < kColumns; ++i) {
      line += row[i];
      if (i + 1 < kColumns) line.append(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace blender_bus::cli
