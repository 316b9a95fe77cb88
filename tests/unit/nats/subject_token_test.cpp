#include "nats/subject_token.hpp"

#include <gtest/gtest.h>

#include "nats/kv_bucket.hpp"

namespace blender_bus::nats {
namespace {

TEST(SubjectToken, UuidsAndPlainIdsStayAsTheyAre) {
  EXPECT_EQ(encode_subject_token("3f2b9c1e-7a4d-4e8b-9f0a-1c2d3e4f5a6b"),
            "3f2b9c1e-7a4d-4e8b-9f0a-1c2d3e4f5a6b");
  EXPECT_EQ(encode_subject_token("alice"), "alice");
  EXPECT_EQ(encode_subject_token("-"), "-");
}

TEST(SubjectToken, EveryOtherByteIsAnUnderscoreAndTwoHexDigits) {
  EXPECT_EQ(encode_subject_token("a_b"), "a_5Fb");
  EXPECT_EQ(encode_subject_token("has space"), "has_20space");
  EXPECT_EQ(encode_subject_token("a.b*c>d"), "a_2Eb_2Ac_3Ed");
  EXPECT_EQ(encode_subject_token("caf\xC3\xA9"), "caf_C3_A9");
  EXPECT_EQ(encode_subject_token(std::string("\0\x7F", 2)), "_00_7F");
}

TEST(SubjectToken, EveryByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (std::size_t i = 0; i < all.size(); i += 50) {
    std::string id = all.substr(i, 50);
    std::string token = encode_subject_token(id);
    EXPECT_EQ(decode_subject_token(token), id);
    // Valid as a KV key and as one subject token: no separators, wildcards,
    // spaces or control bytes.
    EXPECT_NO_THROW(check_kv_key(token)) << token;
    EXPECT_EQ(token.find_first_of(".*> \t\r\n"), std::string::npos) << token;
  }
}

TEST(SubjectToken, EmptyAndOverlongIdsAreRefusedWithTheReason) {
  EXPECT_THROW(encode_subject_token(""), SubjectTokenError);
  EXPECT_NO_THROW(encode_subject_token(std::string(kMaxSubjectToken, 'a')));
  try {
    encode_subject_token(std::string(67, '.'));  // 67 * 3 = 201 bytes
    FAIL() << "no error";
  } catch (const SubjectTokenError& error) {
    EXPECT_STREQ(error.what(),
                 "id too long for a subject token: 67 bytes encode to 201, at most 200");
  }
}

TEST(SubjectToken, DecodeAcceptsOnlyTheCanonicalForm) {
  EXPECT_THROW(decode_subject_token(""), SubjectTokenError);
  EXPECT_THROW(decode_subject_token("a.b"), SubjectTokenError);
  EXPECT_THROW(decode_subject_token("a_2e"), SubjectTokenError);  // lower-case hex
  EXPECT_THROW(decode_subject_token("a_2"), SubjectTokenError);   // cut short
  EXPECT_THROW(decode_subject_token("a_"), SubjectTokenError);
  EXPECT_THROW(decode_subject_token("_41"), SubjectTokenError);  // 'A' needs no escape
  EXPECT_EQ(decode_subject_token("a_5Fb"), "a_b");
}

}  // namespace
}  // namespace blender_bus::nats
