#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace blender_bus::nats {

// Arbitrary ids (user ids, client uuids, job ids) as one token of a NATS
// subject or KV key: [A-Za-z0-9-] stay as they are, every other byte becomes
// '_' and two upper-case hex digits ("_" itself is "_5F"). Typical uuids come
// out unchanged and readable; the result is valid in both subjects and keys
// (no '.', '*', '>', spaces or control bytes), and decoding gives the id
// back. Every id has exactly one token.
//
// A space in a subject is not an error to NATS: the server reads it as the
// reply subject and the publish times out; hence no raw ids in subjects.

// The longest token encode() makes: a protocol line is at most 4,096 bytes,
// and a subject holds a few tokens.
inline constexpr std::size_t kMaxSubjectToken = 200;

class SubjectTokenError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws SubjectTokenError for an empty id or one whose token would exceed
// kMaxSubjectToken bytes (the message says how long it is).
std::string encode_subject_token(std::string_view id);

// Throws SubjectTokenError for anything encode_subject_token cannot make.
std::string decode_subject_token(std::string_view token);

}  // namespace blender_bus::nats
