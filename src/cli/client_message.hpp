#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace blender_bus::cli {

// One line a stdio MCP client wrote, read just enough to forward it: which
// requests in it await an answer (their ids, as sent), and whether it starts
// a session. The text itself is passed on untouched.
struct ClientMessage {
  std::string text;
  std::vector<boost::json::value> request_ids;
  bool initialize = false;  // an `initialize` request (alone or in a batch)
  bool batch = false;

  bool expects_answer() const { return !request_ids.empty(); }
};

// Why a line cannot be forwarded: the JSON-RPC error to answer it with
// (-32700 not JSON, -32600 not JSON-RPC 2.0), id null.
struct MessageRefusal {
  std::int64_t code = 0;
  std::string message;
};

// Reads a line: a JSON-RPC 2.0 message, or a non-empty array of them.
std::variant<ClientMessage, MessageRefusal> read_client_message(std::string line);

// A JSON-RPC error reply to the client's request `id`, as one line.
std::string error_reply_line(const boost::json::value& id, std::int64_t code,
                             std::string_view message);

// `text` as one line: JSON re-serialized when it spans several lines (a
// newline-delimited transport cannot carry a raw line break).
std::string as_one_line(std::string text);

}  // namespace blender_bus::cli
