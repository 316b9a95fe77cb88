#include "json/serializer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

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

// Writes through a pointer into `out`, grown geometrically ahead of what is
// written, and cuts `out` to what was written at the end. Appending piece by
// piece (a std::string call per quote, brace and escape) cost half as much
// again as Boost's serializer; this costs less than it.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out), start_(out.size()), used_(start_) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  // What was written stays; after an exception, nothing of it does.
  ~Writer() { out_.resize(completed_ ? used_ : start_); }
  void complete() { completed_ = true; }

  void value(const bj::value& value) {
    switch (value.kind()) {
      case bj::kind::null:
        put("null");
        return;
      case bj::kind::bool_:
        put(value.get_bool() ? std::string_view("true") : "false");
        return;
      case bj::kind::int64:
        integer(value.get_int64());
        return;
      case bj::kind::uint64:
        integer(value.get_uint64());
        return;
      case bj::kind::double_:
        commit(write_python_float(room(kPythonFloatMaxChars), value.get_double()));
        return;
      case bj::kind::string:
        quoted(value.get_string());
        return;
      case bj::kind::array:
        array(value.get_array());
        return;
      case bj::kind::object:
        object(value.get_object());
        return;
    }
  }

  void object(const bj::object& object) {
    put('{');
    bool first = true;
    for (const bj::key_value_pair& member : object) {
      if (!first) put(',');
      first = false;
      quoted(member.key());
      put(':');
      value(member.value());
    }
    put('}');
  }

  void array(const bj::array& array) {
    put('[');
    bool first = true;
    for (const bj::value& item : array) {
      if (!first) put(',');
      first = false;
      value(item);
    }
    put(']');
  }

  void quoted(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    char* p = room(text.size() * 6 + 2);  // every byte escaped as \u00XX at worst
    *p++ = '"';
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      const char escape = kEscape[byte];
      if (escape == 0) {
        *p++ = c;
      } else if (escape == 'u') {
        const char code[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        p = std::copy_n(code, sizeof code, p);
      } else {
        *p++ = '\\';
        *p++ = escape;
      }
    }
    *p++ = '"';
    commit(p);
  }

 private:
  // At least `n` writable bytes at the end of what is written.
  char* room(std::size_t n) {
    if (out_.size() - used_ < n) out_.resize(std::max(out_.size() * 2, used_ + n));
    return out_.data() + used_;
  }
  void commit(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }
  void put(char c) {
    *room(1) = c;
    ++used_;
  }
  void put(std::string_view text) {
    commit(std::copy_n(text.data(), text.size(), room(text.size())));
  }
  template <class Integer>
  void integer(Integer value) {
    constexpr std::size_t kMaxDigits = 20;
    char* p = room(kMaxDigits + 1);
    commit(std::to_chars(p, p + kMaxDigits + 1, value).ptr);
  }

  std::string& out_;
  const std::size_t start_;
  std::size_t used_;
  bool completed_ = false;
};

template <class Json>
void append_with(std::string& out, const Json& json, void (Writer::*write)(const Json&)) {
  Writer writer(out);
  (writer.*write)(json);
  writer.complete();
}

}  // namespace

void append_quoted(std::string& out, std::string_view text) {
  Writer writer(out);
  writer.quoted(text);
  writer.complete();
}

std::string quoted(std::string_view text) {
  std::string out;
  append_quoted(out, text);
  return out;
}

void append_text(std::string& out, const bj::value& value) {
  append_with(out, value, &Writer::value);
}

void append_text(std::string& out, const bj::object& object) {
  append_with(out, object, &Writer::object);
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
  append_with(out, array, &Writer::array);
  return out;
}

}  // namespace blender_bus::json
