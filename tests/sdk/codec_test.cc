// The SDK's JSON and encoding helpers, on their own.
#include "client/codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace relayer::sdk {
namespace {

TEST(SdkCodec, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    std::string decoded;
    ASSERT_TRUE(Codec::Base64Decode(Codec::Base64Encode(bytes), decoded));
    EXPECT_EQ(decoded, bytes) << n;
    bytes += static_cast<char>(n * 37);
  }
  EXPECT_EQ(Codec::Base64Encode("hi!"), "aGkh");
  std::string ignored;
  EXPECT_FALSE(Codec::Base64Decode("a*b", ignored));
}

TEST(SdkCodec, Utf8CheckDecidesInlineEncoding) {
  EXPECT_TRUE(Codec::IsUtf8("plain"));
  EXPECT_TRUE(Codec::IsUtf8("caf\xc3\xa9 \xe2\x9c\x93"));
  EXPECT_FALSE(Codec::IsUtf8(std::string("\x00\xff", 2)));
  EXPECT_FALSE(Codec::IsUtf8("\xc3"));  // truncated sequence
  auto part = Codec::PartJson(MessagePart("application/octet-stream", std::string("\xff\x01", 2)));
  EXPECT_EQ(part.at("encoding"), "base64");
  EXPECT_EQ(part.at("body"), "/wE=");
}

TEST(SdkCodec, IdentityIdsEscapeAndUnescapeUserIds) {
  EXPECT_EQ(Codec::IdentityOfUser("al ice/1"), "layer:///identities/al%20ice%2F1");
  EXPECT_EQ(Codec::UserOfIdentity("layer:///identities/al%20ice%2F1"), "al ice/1");
  EXPECT_EQ(Codec::UserOfIdentity("layer:///identities/bad%zz"), "bad%zz");
}

TEST(SdkCodec, MetadataFlattensAndNestsBack) {
  auto v = boost::json::parse(R"({"a":{"b":"1","c":{"d":"2"}},"e":"3"})");
  Metadata flat;
  Codec::FlattenMetadata(v, "", flat);
  EXPECT_EQ(flat, (Metadata{{"a.b", "1"}, {"a.c.d", "2"}, {"e", "3"}}));
  EXPECT_EQ(boost::json::value(Codec::MetadataJson(flat)), v);
}

TEST(SdkCodec, MessageReadKeepsReceiptsMovingForward) {
  MessageRecord rec;
  auto v = boost::json::parse(
      R"({"id":"layer:///messages/m","conversation":{"id":"layer:///conversations/c"},
    "parts":[{"id":"layer:///messages/m/parts/0","mime_type":"text/plain","body":"hi"},
             {"mime_type":"image/png","content":{"id":"layer:///content/x","size":9000,"download_url":"http://h/d"}}],
    "sender":{"user_id":"alice"},"position":3,"sent_at":"2026-01-02T03:04:05.678Z",
    "recipient_status":{"layer:///identities/alice":"read","layer:///identities/bob":"delivered"}})");
  Codec::ReadMessage(v.as_object(), rec);
  EXPECT_EQ(rec.parts.at(0).body(), "hi");
  EXPECT_TRUE(rec.parts.at(1).hasContent());
  EXPECT_FALSE(rec.parts.at(1).isLoaded());
  EXPECT_EQ(rec.parts.at(1).content()->size, 9000);
  EXPECT_EQ(rec.position, 3);
  EXPECT_EQ(rec.status.at("bob"), ReceiptState::kDelivered);
  // An older answer (bob: sent) never moves bob back.
  auto older = boost::json::parse(
      R"({"id":"layer:///messages/m","recipient_status":{"layer:///identities/bob":"sent"}})");
  Codec::ReadMessage(older.as_object(), rec);
  EXPECT_EQ(rec.status.at("bob"), ReceiptState::kDelivered);
}

}  // namespace
}  // namespace relayer::sdk
