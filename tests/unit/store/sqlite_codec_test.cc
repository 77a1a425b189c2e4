// The packed columns of the SQLite store: what is encoded decodes to the same fields, the text is
// the JSON Boost.JSON would write for the same values, and damaged text is an error, not a crash.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "store/sqlite/codec.h"

namespace relayer::sqlite {
namespace {
namespace json = boost::json;

std::vector<MessagePart> SomeParts() {
  MessagePart text{"text/plain", "quote \" backslash \\ tab \t nul? no; é ✓ \x01", "",
                   std::nullopt};
  MessagePart encoded{"image/png", "aGVsbG8=", "base64", std::nullopt};
  MessagePart rich{"application/pdf", "", "",
                   ContentRef{ContentId("c0ffee00-0000-4000-8000-000000000001"), 123456789012}};
  return {text, encoded, rich};
}

TEST(SqliteCodec, PartsRoundTripAndAreTheJsonBoostWrites) {
  const std::vector<MessagePart> parts = SomeParts();
  const std::string text = EncodeParts(parts);
  json::array expected;
  for (const MessagePart& p : parts) {
    json::object o;
    o["mime_type"] = p.mime_type;
    if (!p.body.empty()) o["body"] = p.body;
    if (!p.encoding.empty()) o["encoding"] = p.encoding;
    if (p.content) o["content"] = {{"id", p.content->id.str()}, {"size", p.content->size}};
    expected.push_back(std::move(o));
  }
  EXPECT_EQ(text, json::serialize(expected));
  auto back = DecodeParts(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ((*back)[i].mime_type, parts[i].mime_type);
    EXPECT_EQ((*back)[i].body, parts[i].body);
    EXPECT_EQ((*back)[i].encoding, parts[i].encoding);
    ASSERT_EQ((*back)[i].content.has_value(), parts[i].content.has_value());
    if (parts[i].content) {
      EXPECT_EQ((*back)[i].content->id, parts[i].content->id);
      EXPECT_EQ((*back)[i].content->size, parts[i].content->size);
    }
  }
  EXPECT_EQ(EncodeParts({}), "[]");
  EXPECT_TRUE(DecodeParts("[]")->empty());
}

// Bigger than the decoder's stack buffer: the rest comes from the heap, the result is the same.
TEST(SqliteCodec, APartLargerThanTheScratchBufferDecodes) {
  MessagePart big{"text/plain", std::string(50000, 'x') + "\"end", "", std::nullopt};
  std::vector<MessagePart> parts(3, big);
  auto back = DecodeParts(EncodeParts(parts));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[2].body, big.body);
}

TEST(SqliteCodec, RecipientStatusAndUsersRoundTrip) {
  std::map<UserId, ReceiptState> status{{UserId("alice"), ReceiptState::kRead},
                                        {UserId("bob \"b\""), ReceiptState::kSent},
                                        {UserId("carol"), ReceiptState::kDelivered}};
  const std::string text = EncodeRecipientStatus(status);
  EXPECT_EQ(text, R"({"alice":2,"bob \"b\"":0,"carol":1})");
  auto back = DecodeRecipientStatus(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, status);
  EXPECT_EQ(EncodeRecipientStatus({}), "{}");

  std::vector<UserId> users{UserId("zed"), UserId("ann"), UserId("ü\\")};
  EXPECT_EQ(EncodeUsers(users), R"(["zed","ann","ü\\"])");
  auto users_back = DecodeUsers(EncodeUsers(users));
  ASSERT_TRUE(users_back.ok());
  EXPECT_EQ(*users_back, users);
  EXPECT_EQ(EncodeUsers({}), "[]");
}

TEST(SqliteCodec, DamagedTextIsAnError) {
  for (const char* bad : {"", "[", "{\"a\":", "not json", "[{\"mime_type\":\"x\"},]"}) {
    EXPECT_FALSE(DecodeParts(bad).ok()) << bad;
    EXPECT_FALSE(DecodeUsers(bad).ok()) << bad;
    EXPECT_FALSE(DecodeRecipientStatus(bad).ok()) << bad;
  }
  EXPECT_FALSE(DecodeParts("{}").ok());
  EXPECT_FALSE(DecodeParts("[1]").ok());
  EXPECT_FALSE(DecodeUsers("[1]").ok());
  EXPECT_FALSE(DecodeRecipientStatus(R"({"a":3})").ok());
  EXPECT_FALSE(DecodeRecipientStatus(R"({"a":"1"})").ok());
  EXPECT_FALSE(DecodeRecipientStatus("[]").ok());
}

}  // namespace
}  // namespace relayer::sqlite
