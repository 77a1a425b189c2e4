#include "core/ids.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace relayer {
namespace {

constexpr const char* kUuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

TEST(Uuid, RecognisesCanonicalForm) {
  EXPECT_TRUE(IsUuid(kUuid));
  EXPECT_TRUE(IsUuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("3f2504e04f8911d39a0c0305e82c3301"));
  EXPECT_FALSE(IsUuid("3f2504e0-4f89-11d3-9a0c-0305e82c330"));
  EXPECT_FALSE(IsUuid("3f2504e0-4f89-11d3-9a0c-0305e82c3301a"));
  EXPECT_FALSE(IsUuid("3f2504e0_4f89-11d3-9a0c-0305e82c3301"));
  EXPECT_FALSE(IsUuid("gf2504e0-4f89-11d3-9a0c-0305e82c3301"));
}

TEST(Uuid, CanonicalFormIsLowerCase) {
  EXPECT_EQ(CanonicalUuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"), kUuid);
  EXPECT_FALSE(CanonicalUuid("nope"));
}

TEST(ConversationIdParsing, AcceptsUrlOrBareUuid) {
  auto a = ParseConversationId(std::string("layer:///conversations/") + kUuid);
  auto b = ParseConversationId("3F2504E0-4F89-11D3-9A0C-0305E82C3301");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->str(), kUuid);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(ConversationUrl(*a), std::string("layer:///conversations/") + kUuid);
}

TEST(ConversationIdParsing, RejectsOtherKindsAndGarbage) {
  EXPECT_FALSE(ParseConversationId(std::string("layer:///messages/") + kUuid));
  EXPECT_FALSE(ParseConversationId("layer:///conversations/"));
  EXPECT_FALSE(ParseConversationId(""));
}

TEST(MessageIdParsing, AcceptsUrlOrBareUuid) {
  auto m = ParseMessageId(std::string("layer:///messages/") + kUuid);
  ASSERT_TRUE(m);
  EXPECT_EQ(MessageUrl(*m), std::string("layer:///messages/") + kUuid);
  EXPECT_TRUE(ParseMessageId(kUuid));
  EXPECT_FALSE(ParseMessageId(std::string("layer:///conversations/") + kUuid));
}

TEST(AppIdParsing, AcceptsStagingProductionAndBare) {
  EXPECT_EQ(ParseAppId(std::string("layer:///apps/staging/") + kUuid)->str(), kUuid);
  EXPECT_EQ(ParseAppId(std::string("layer:///apps/production/") + kUuid)->str(), kUuid);
  EXPECT_EQ(ParseAppId(kUuid)->str(), kUuid);
  EXPECT_FALSE(ParseAppId(std::string("layer:///apps/other/") + kUuid));
}

TEST(IdentityRef, ParsesEncodedIdentityUrlAndBareUserId) {
  EXPECT_EQ(ParseIdentityRef("layer:///identities/bob%40example.com")->str(), "bob@example.com");
  EXPECT_EQ(ParseIdentityRef("bob")->str(), "bob");
  EXPECT_FALSE(ParseIdentityRef(""));
  EXPECT_FALSE(ParseIdentityRef("layer:///identities/"));
  EXPECT_FALSE(ParseIdentityRef("layer:///identities/%4"));
}

TEST(IdentityRef, UrlRoundTripsAnyUserId) {
  for (std::string id : {"bob", "a b/c?d", "日本", "x%y", "dots.are.kept"}) {
    UserId u(id);
    auto back = ParseIdentityRef(IdentityUrl(u));
    ASSERT_TRUE(back) << id;
    EXPECT_EQ(*back, u);
  }
}

TEST(HttpUrls, NameEachObjectUnderTheBaseAsItsLayerIdDoes) {
  const std::string base = "http://127.0.0.1:7070";
  const ConversationId c("0d6f7b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  const MessageId m("1d6f7b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(ConversationHttpUrl(base, c), base + "/conversations/" + c.str());
  EXPECT_EQ(MessageHttpUrl(base, m), base + "/messages/" + m.str());
  EXPECT_EQ(AnnouncementHttpUrl(base, m), base + "/announcements/" + m.str());
  EXPECT_EQ(AnnouncementUrl(m), "layer:///announcements/" + m.str());
  // A user id goes into the path percent-encoded, as in its layer:/// id.
  EXPECT_EQ(IdentityHttpUrl(base, UserId("a b/c")), base + "/identities/a%20b%2Fc");
  EXPECT_EQ(IdentityUrl(UserId("a b/c")), "layer:///identities/a%20b%2Fc");
}

TEST(PercentEncoding, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncode("aZ9-_.~"), "aZ9-_.~");
  EXPECT_EQ(PercentEncode("a b/@"), "a%20b%2F%40");
  EXPECT_EQ(PercentDecode("a%20b%2f"), "a b/");
  EXPECT_FALSE(PercentDecode("%"));
  EXPECT_FALSE(PercentDecode("%2"));
  EXPECT_FALSE(PercentDecode("%g0"));
}

TEST(TypedIds, CompareAndHashByValue) {
  UserId a("alice"), b("bob");
  EXPECT_LT(a, b);
  EXPECT_EQ(a, UserId("alice"));
  std::unordered_set<UserId> set{a, b, UserId("alice")};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(UserId().empty());
}

}  // namespace
}  // namespace relayer
