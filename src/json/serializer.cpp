#include "json/serializer.hpp"

#include <array>
#include <charconv>

#include "json/python_float.hpp"

namespace blender_bus::json {

namespace bj = boost::json;

namespace {

// Per byte: 0 = copied as is, 'u' = \u00XX, else the letter after '\'.
constexpr std::array<char, 256> kEscape = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

template <class Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, written.ptr);
}

void append_array(std::string& out, const bj::array& array) {
  out += '[';
  bool first = true;
  for (const bj::value& item : array) {
    if (!first) out += ',';
    first = false;
    append_text(out, item);
  }
  out += ']';
}

}  // namespace

void append_quoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of bytes that need no escape are copied at once.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const char escape = kEscape[byte];
    if (escape == 0) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    out += '\\';
    if (escape == 'u') {
      const char code[] = {'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
      out.append(code, sizeof code);
    } else {
      out += escape;
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_quoted(out, text);
  return out;
}

void append_text(std::string& out, const bj::object& object) {
  out += '{';
  bool first = true;
  for (const bj::key_value_pair& member : object) {
    if (!first) out += ',';
    first = false;
    append_quoted(out, member.key());
    out += ':';
    append_text(out, member.value());
  }
  out += '}';
}

void append_text(std::string& out, const bj::value& value) {
  switch (value.kind()) {
    case bj::kind::null:
      out += "null";
      return;
    case bj::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case bj::kind::int64:
      append_integer(out, value.get_int64());
      return;
    case bj::kind::uint64:
      append_integer(out, value.get_uint64());
      return;
    case bj::kind::double_:
      append_python_float(out, value.get_double());
      return;
    case bj::kind::string:
      append_quoted(out, value.get_string());
      return;
    case bj::kind::array:
      append_array(out, value.get_array());
      return;
    case bj::kind::object:
      append_text(out, value.get_object());
      return;
  }
}

std::string to_text(const bj::value& value) {
  std::string out;
  append_text(out, value);
  return out;
}

std::string to_text(const bj::object& object) {
  std::string out;
  append_text(out, object);
  return out;
}

std::string to_text(const bj::array& array) {
  std::string out;
  append_array(out, array);
  return out;
}

}  // namespace blender_bus::json
