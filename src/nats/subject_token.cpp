#include "nats/subject_token.hpp"

namespace blender_bus::nats {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool kept(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is not canonical: one token per id
}

}  // namespace

std::string encode_subject_token(std::string_view id) {
  if (id.empty()) throw SubjectTokenError("an empty id cannot be a subject token");
  std::size_t size = 0;
  for (unsigned char c : id) size += kept(c) ? 1 : 3;
  if (size > kMaxSubjectToken) {
    throw SubjectTokenError("id too long for a subject token: " + std::to_string(id.size()) +
                            " bytes encode to " + std::to_string(size) + ", at most " +
                            std::to_string(kMaxSubjectToken));
  }
  std::string token;
  token.reserve(size);
  for (unsigned char c : id) {
    if (kept(c)) {
      token.push_back(static_cast<char>(c));
    } else {
      token.push_back('_');
      token.push_back(kHex[c >> 4]);
      token.push_back(kHex[c & 0x0F]);
    }
  }
  return token;
}

std::string decode_subject_token(std::string_view token) {
  if (token.empty()) throw SubjectTokenError("an empty subject token");
  std::string id;
  id.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (kept(c)) {
      id.push_back(static_cast<char>(c));
      continue;
    }
    int high = i + 2 < token.size() && c == '_' ? hex_value(token[i + 1]) : -1;
    int low = high >= 0 ? hex_value(token[i + 2]) : -1;
    if (low < 0) {
      throw SubjectTokenError("not a subject token (bad byte at " + std::to_string(i) + "): '" +
                              std::string(token) + "'");
    }
    const auto byte = static_cast<unsigned char>(high * 16 + low);
    if (kept(byte)) {
      throw SubjectTokenError("not a canonical subject token ('" + std::string(1, char(byte)) +
                              "' escaped at " + std::to_string(i) + "): '" + std::string(token) +
                              "'");
    }
    id.push_back(static_cast<char>(byte));
    i += 2;
  }
  return id;
}

}  // namespace blender_bus::nats
