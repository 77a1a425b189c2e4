#include "core/validation.h"

#include <gtest/gtest.h>

namespace relayer {
namespace {

MessagePart Text(std::string body) { return MessagePart{"text/plain", std::move(body), "", {}}; }

TEST(MimeType, AcceptsTypeSubtypeAndParameters) {
  for (std::string_view ok :
       {"text/plain", "image/jpeg", "application/vnd.layer.text+json", "text/plain; charset=utf-8",
        "text/plain;charset=utf-8", "application/vnd.layer.text+json;role=root;node-id=a1b2",
        "text/plain; name=\"a; b\"", "Text/Plain", "text/plain;"}) {
    EXPECT_TRUE(IsValidMimeType(ok)) << ok;
  }
}

TEST(MimeType, RejectsMalformed) {
  for (std::string_view bad :
       {"", "text", "text/", "/plain", "text/plain/x", "te xt/plain", "text/pla in",
        "text/plain; charset", "text/plain; =x", "text/plain; a=\"unterminated", "-text/plain",
        "text/(plain)", "text/plain x"}) {
    EXPECT_FALSE(IsValidMimeType(bad)) << bad;
  }
}

TEST(Base64, AcceptsPaddedAndUnpadded) {
  for (std::string_view ok :
       {"", "aGk=", "aGk", "aGVsbG8=", "aGVsbG8gd29ybGQ=", "YQ==", "YQ", "ab+/"}) {
    EXPECT_TRUE(IsValidBase64(ok)) << ok;
  }
}

TEST(Base64, RejectsBadAlphabetAndLength) {
  for (std::string_view bad : {"a", "aGk==", "aG=k", "YQ=", "ab-_", "aGVs bG8=", "====", "a==="}) {
    EXPECT_FALSE(IsValidBase64(bad)) << bad;
  }
}

TEST(ValidateParts, AcceptsTypicalMessage) {
  Limits limits;
  std::vector<MessagePart> parts{
      Text("hello"), MessagePart{"image/png", "aGVsbG8=", "base64", {}},
      MessagePart{"image/jpeg", "", "", ContentRef{ContentId("c1"), 5'000'000}}};
  EXPECT_TRUE(ValidateParts(parts, limits).ok());
}

TEST(ValidateParts, NeedsAtLeastOnePart) {
  Status s = ValidateParts({}, Limits{});
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(s.property(), "parts");
}

TEST(ValidateParts, PartCountIsLimited) {
  Limits limits;
  limits.max_parts_per_message = 2;
  EXPECT_TRUE(ValidateParts({Text("a"), Text("b")}, limits).ok());
  EXPECT_FALSE(ValidateParts({Text("a"), Text("b"), Text("c")}, limits).ok());
}

TEST(ValidateParts, MimeWithoutSlashNamesThePart) {
  Status s = ValidateParts({Text("a"), MessagePart{"textplain", "b", "", {}}}, Limits{});
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(s.property(), "parts[1].mime_type");
}

TEST(ValidateParts, UnknownEncodingIsRejected) {
  Status s = ValidateParts({MessagePart{"text/plain", "a", "gzip", {}}}, Limits{});
  EXPECT_EQ(s.property(), "parts[0].encoding");
}

TEST(ValidateParts, InvalidBase64IsRejected) {
  Status s = ValidateParts({MessagePart{"image/png", "not base64!", "base64", {}}}, Limits{});
  EXPECT_EQ(s.property(), "parts[0].body");
}

TEST(ValidateParts, InlineBodyAtLimitPassesAndOverLimitPointsToRichContent) {
  Limits limits;
  EXPECT_TRUE(ValidateParts({Text(std::string(limits.max_inline_part_bytes, 'x'))}, limits).ok());
  Status s = ValidateParts({Text(std::string(limits.max_inline_part_bytes + 1, 'x'))}, limits);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(s.property(), "parts[0].body");
  EXPECT_NE(s.message().find("rich content"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("POST /content"), std::string::npos) << s.message();
}

TEST(ValidateParts, Base64SizeIsMeasuredDecoded) {
  Limits limits;
  limits.max_inline_part_bytes = 6;
  // "aGVsbG8gd28=" is 12 characters of base64 for 8 bytes; "aGVsbG8h" is 6 bytes.
  EXPECT_TRUE(ValidateParts({MessagePart{"a/b", "aGVsbG8h", "base64", {}}}, limits).ok());
  EXPECT_FALSE(ValidateParts({MessagePart{"a/b", "aGVsbG8gd28=", "base64", {}}}, limits).ok());
  // The same 8 characters sent as plain text count as 8 bytes.
  EXPECT_FALSE(ValidateParts({Text("aGVsbG8h")}, limits).ok());
}

TEST(ValidateParts, ContentPartsAreExemptFromInlineLimit) {
  Limits limits;
  limits.max_inline_part_bytes = 1;
  EXPECT_TRUE(
      ValidateParts({MessagePart{"video/mp4", "", "", ContentRef{ContentId("c"), 1 << 30}}}, limits)
          .ok());
}

TEST(ValidateParts, ContentPartWithBodyOrNoIdIsRejected) {
  EXPECT_FALSE(
      ValidateParts({MessagePart{"a/b", "x", "", ContentRef{ContentId("c"), 1}}}, Limits{}).ok());
  Status s = ValidateParts({MessagePart{"a/b", "", "", ContentRef{ContentId(""), 1}}}, Limits{});
  EXPECT_EQ(s.code(), ErrorCode::kMissingProperty);
  EXPECT_EQ(s.property(), "parts[0].content.id");
}

TEST(ValidateParts, TotalInlineSizeIsLimited) {
  Limits limits;
  limits.max_inline_part_bytes = 10;
  limits.max_message_bytes = 25;
  EXPECT_TRUE(ValidateParts({Text(std::string(10, 'a')), Text(std::string(10, 'b'))}, limits).ok());
  Status s = ValidateParts(
      {Text(std::string(10, 'a')), Text(std::string(10, 'b')), Text(std::string(10, 'c'))}, limits);
  EXPECT_EQ(s.property(), "parts");
}

TEST(DistinctConversation, KeyIgnoresOrderAndDuplicates) {
  EXPECT_EQ(DistinctKey({UserId("b"), UserId("a"), UserId("b")}),
            DistinctKey({UserId("a"), UserId("b")}));
}

TEST(DistinctConversation, KeysOfDifferentSetsNeverCollide) {
  // Naive joining with a separator would make these equal.
  EXPECT_NE(DistinctKey({UserId("a,b"), UserId("c")}), DistinctKey({UserId("a"), UserId("b,c")}));
  EXPECT_NE(DistinctKey({UserId("1:a")}), DistinctKey({UserId("1"), UserId("a")}));
  EXPECT_NE(DistinctKey({UserId("ab")}), DistinctKey({UserId("a"), UserId("b")}));
}

TEST(DistinctConversation, NormalizeSortsAndDeduplicates) {
  auto n = NormalizeParticipants({UserId("c"), UserId("a"), UserId("c"), UserId("b")});
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].str(), "a");
  EXPECT_EQ(n[2].str(), "c");
}

TEST(UserIdValidation, AcceptsOrdinaryIds) {
  Limits limits;
  for (std::string_view ok : {"alice", "bob@example.com", "user 1", "日本", "a.b/c"}) {
    EXPECT_TRUE(ValidateUserId(ok, limits).ok()) << ok;
  }
}

TEST(UserIdValidation, RejectsEmptyTooLongControlAndBadUtf8) {
  Limits limits;
  limits.max_user_id_bytes = 8;
  EXPECT_TRUE(ValidateUserId("12345678", limits).ok());
  EXPECT_FALSE(ValidateUserId("123456789", limits).ok());
  EXPECT_FALSE(ValidateUserId("", limits).ok());
  EXPECT_FALSE(ValidateUserId("a\nb", limits).ok());
  EXPECT_FALSE(ValidateUserId(std::string_view("a\0b", 3), limits).ok());
  EXPECT_FALSE(ValidateUserId("a\x7f", limits).ok());
  EXPECT_FALSE(ValidateUserId("\xc3", limits).ok());
  EXPECT_FALSE(ValidateUserId("\xc0\xaf", limits).ok());
  EXPECT_FALSE(ValidateUserId("\xed\xa0\x80", limits).ok());
  EXPECT_EQ(ValidateUserId("", limits).code(), ErrorCode::kInvalidProperty);
}

}  // namespace
}  // namespace relayer
