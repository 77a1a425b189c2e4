// Platform API per-user state: identities, block lists, badges, announcements, per-user reads.
#include "integration/platform_fixture.h"

namespace relayer::it {
namespace {

class PlatformUsers : public PlatformTest {};

TEST_F(PlatformUsers, IdentityLifecycle) {
  EXPECT_EQ(P("GET", "/users/ann/identity").status, 404);
  auto created = P("POST", "/users/ann/identity", R"({"display_name":"Ann","first_name":"A"})");
  ASSERT_EQ(created.status, 201) << Describe(created);
  EXPECT_EQ(P("POST", "/users/ann/identity", R"({"display_name":"Ann"})").status, 409);
  auto got = P("GET", "/users/ann/identity");
  ASSERT_EQ(got.status, 200) << Describe(got);
  EXPECT_EQ(got.Str("display_name"), "Ann");
  EXPECT_EQ(got.Str("first_name"), "A");
  auto edited = P("PATCH", "/users/ann/identity",
                  R"([{"operation":"set","property":"last_name","value":"Lee"},
                      {"operation":"set","property":"display_name","value":"Ann L."}])");
  EXPECT_EQ(edited.status, 204) << Describe(edited);
  EXPECT_EQ(P("GET", "/users/ann/identity").Str("last_name"), "Lee");
  // The Client API shows the same profile.
  std::string bob = Login("bob");
  EXPECT_EQ(Get(bob, "/identities/ann").Str("display_name"), "Ann L.");
  auto replaced = P("PUT", "/users/ann/identity", R"({"display_name":"Annie"})");
  EXPECT_EQ(replaced.status, 204) << Describe(replaced);
  auto after = P("GET", "/users/ann/identity");
  EXPECT_EQ(after.Str("display_name"), "Annie");
  EXPECT_EQ(after.Str("last_name"), "");
  EXPECT_EQ(P("DELETE", "/users/ann/identity").status, 204);
  EXPECT_EQ(P("GET", "/users/ann/identity").status, 404);
  EXPECT_EQ(P("DELETE", "/users/ann/identity").status, 404);
}

TEST_F(PlatformUsers, BadIdentitiesAreRejected) {
  EXPECT_EQ(P("POST", "/users/ann/identity", R"({"first_name":"A"})").ErrorId(),
            "missing_property");
  EXPECT_EQ(P("PUT", "/users/ann/identity", R"({"display_name":"A","bogus":1})").status, 422);
  EXPECT_EQ(P("PUT", "/users/ann/identity", R"({"display_name":5})").status, 422);
  const std::string long_name(200, 'x');
  EXPECT_EQ(P("PUT", "/users/ann/identity", R"({"display_name":")" + long_name + R"("})").status,
            422);
  P("PUT", "/users/ann/identity", R"({"display_name":"A"})");
  EXPECT_EQ(
      P("PATCH", "/users/ann/identity", R"([{"operation":"set","property":"user_id","value":"x"}])")
          .status,
      422);
}

TEST_F(PlatformUsers, BlockListIsStoredAndListed) {
  EXPECT_EQ(P("GET", "/users/ann/blocks").Array().size(), 0u);
  EXPECT_EQ(P("POST", "/users/ann/blocks", R"({"user_id":"zed"})").status, 204);
  EXPECT_EQ(P("POST", "/users/ann/blocks", R"({"user_id":"bob"})").status, 204);
  EXPECT_EQ(P("POST", "/users/ann/blocks", R"({"user_id":"bob"})").status, 204);  // idempotent
  auto list = P("GET", "/users/ann/blocks");
  ASSERT_EQ(list.Array().size(), 2u) << Describe(list);
  EXPECT_EQ(list.Array()[0].as_object().at("user_id"), "bob");
  EXPECT_EQ(list.Array()[1].as_object().at("user_id"), "zed");
  EXPECT_EQ(P("DELETE", "/users/ann/blocks/bob").status, 204);
  EXPECT_EQ(P("DELETE", "/users/ann/blocks/bob").status, 404);
  EXPECT_EQ(P("GET", "/users/ann/blocks").Array().size(), 1u);
  EXPECT_EQ(P("POST", "/users/ann/blocks", R"({})").ErrorId(), "missing_property");
  EXPECT_EQ(P("POST", "/users/ann/blocks", R"({"user_id":"ann"})").status, 422);
  RestartServer();
  EXPECT_EQ(P("GET", "/users/ann/blocks").Array().size(), 1u);
}

TEST_F(PlatformUsers, BadgeCountsExternalAndUnread) {
  std::string conv = PlatformConversation({"alice", "bob"});
  for (int i = 0; i < 3; ++i) {
    auto r = P("POST", "/conversations/" + conv + "/messages",
               R"({"sender":{"user_id":"alice"},"parts":[{"body":"x","mime_type":"text/plain"}]})");
    ASSERT_EQ(r.status, 201) << Describe(r);
  }
  auto empty = P("GET", "/users/bob/badge");
  ASSERT_EQ(empty.status, 200) << Describe(empty);
  EXPECT_EQ(empty.At("external_unread_count"), 0);
  EXPECT_EQ(empty.At("unread_message_count"), 3);
  EXPECT_EQ(empty.At("unread_conversation_count"), 1);
  auto set = P("PUT", "/users/bob/badge", R"({"external_unread_count":13})");
  ASSERT_EQ(set.status, 200) << Describe(set);
  EXPECT_EQ(set.At("external_unread_count"), 13);
  EXPECT_EQ(P("GET", "/users/bob/badge").At("external_unread_count"), 13);
  EXPECT_EQ(P("GET", "/users/alice/badge").At("unread_message_count"), 0);
  EXPECT_EQ(P("PUT", "/users/bob/badge", R"({"external_unread_count":-1})").status, 422);
  EXPECT_EQ(P("PUT", "/users/bob/badge", R"({"external_unread_count":"3"})").status, 422);
  EXPECT_EQ(P("PUT", "/users/bob/badge", R"({})").status, 422);
}

TEST_F(PlatformUsers, PerUserReadsHideWhatTheUserCannotSee) {
  std::string conv = PlatformConversation({"alice", "bob"});
  auto m = P("POST", "/conversations/" + conv + "/messages",
             R"({"sender":{"name":"Bot"},"parts":[{"body":"x","mime_type":"text/plain"}]})");
  ASSERT_EQ(m.status, 201);
  auto mine = P("GET", "/users/bob/conversations/" + conv + "/messages");
  ASSERT_EQ(mine.status, 200) << Describe(mine);
  ASSERT_EQ(mine.Array().size(), 1u);
  EXPECT_EQ(mine.Array()[0].as_object().at("is_unread"), true);
  EXPECT_EQ(P("GET", "/users/bob/messages/" + Uuid(m.Str("id"))).status, 200);
  EXPECT_EQ(P("GET", "/users/bob/conversations/" + conv).At("unread_message_count"), 1);
  EXPECT_EQ(P("GET", "/users/carol/conversations/" + conv).status, 404);
  EXPECT_EQ(P("GET", "/users/carol/messages/" + Uuid(m.Str("id"))).status, 404);
  EXPECT_EQ(P("GET", "/users/carol/conversations").Array().size(), 0u);
  auto paged = P("GET", "/users/bob/conversations?page_size=0");
  EXPECT_EQ(paged.status, 422) << Describe(paged);
}

TEST_F(PlatformUsers, AnnouncementReachesItsRecipientsOnly) {
  std::string alice = Login("alice");
  std::string carol = Login("carol");
  auto r = P("POST", "/announcements",
             R"({"recipients":["alice","bob"],"sender":{"name":"Admin"},
                 "parts":[{"body":"maintenance","mime_type":"text/plain"}],
                 "notification":{"text":"maintenance"}})");
  ASSERT_EQ(r.status, 202) << Describe(r);
  EXPECT_EQ(r.Str("id").rfind("layer:///announcements/", 0), 0u) << r.Str("id");
  auto list = Get(alice, "/announcements");
  ASSERT_EQ(list.status, 200) << Describe(list);
  ASSERT_EQ(list.Array().size(), 1u);
  const auto& a = list.Array()[0].as_object();
  EXPECT_EQ(a.at("id").as_string(), r.Str("id"));
  EXPECT_EQ(a.at("sender").as_object().at("display_name"), "Admin");
  EXPECT_EQ(a.at("is_unread"), true);
  EXPECT_EQ(Get(carol, "/announcements").Array().size(), 0u);
  const std::string uuid = Uuid(r.Str("id"));
  EXPECT_EQ(Get(carol, "/announcements/" + uuid).status, 404);
  auto receipt = Post(alice, "/announcements/" + uuid + "/receipts", R"({"type":"read"})");
  EXPECT_EQ(receipt.status, 204) << Describe(receipt);
  EXPECT_EQ(Get(alice, "/announcements/" + uuid).At("is_unread"), false);
  EXPECT_EQ(Delete(alice, "/announcements/" + uuid).status, 204);
  EXPECT_EQ(Get(alice, "/announcements").Array().size(), 0u);
}

TEST_F(PlatformUsers, BadAnnouncementsAreRejected) {
  const std::string parts = R"("parts":[{"body":"x","mime_type":"text/plain"}])";
  EXPECT_EQ(P("POST", "/announcements", R"({"sender":{"name":"A"},)" + parts + "}").status, 422);
  EXPECT_EQ(P("POST", "/announcements", R"({"recipients":[],"sender":{"name":"A"},)" + parts + "}")
                .status,
            422);
  EXPECT_EQ(P("POST", "/announcements", R"({"recipients":["a"],)" + parts + "}").status, 422);
  EXPECT_EQ(
      P("POST", "/announcements", R"({"recipients":["a"],"sender":{"user_id":"a"},)" + parts + "}")
          .status,
      422);
}

class PlatformAnnouncementLimit : public PlatformTest {
  Limits TestLimits() const override {
    Limits l;
    l.max_announcement_recipients = 2;
    return l;
  }
};

TEST_F(PlatformAnnouncementLimit, MoreRecipientsThanTheLimitAreRejected) {
  const std::string rest =
      R"("sender":{"name":"A"},"parts":[{"body":"x","mime_type":"text/plain"}])";
  EXPECT_EQ(P("POST", "/announcements", R"({"recipients":["a","b"],)" + rest + "}").status, 202);
  auto r = P("POST", "/announcements", R"({"recipients":["a","b","c"],)" + rest + "}");
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_property");
}

}  // namespace
}  // namespace relayer::it

namespace relayer::it {
namespace {

class PlatformBlocking : public PlatformTest {};

TEST_F(PlatformBlocking, BlockedUsersMessagesAreHiddenInOneToOneOnly) {
  std::string ann = Login("ann");
  std::string zed = Login("zed");
  std::string one_to_one = CreateConversation(zed, {"ann"});
  std::string group = CreateConversation(zed, {"ann", "bob"});
  ASSERT_EQ(P("POST", "/users/ann/blocks", R"({"user_id":"zed"})").status, 204);
  SendText(zed, one_to_one, "you cannot see this");
  SendText(zed, group, "but this, yes");
  // Zed sees his message; ann does not, and it does not count as unread for her.
  EXPECT_EQ(Get(zed, "/conversations/" + one_to_one + "/messages").Array().size(), 1u);
  auto hers = Get(ann, "/conversations/" + one_to_one + "/messages");
  EXPECT_EQ(hers.Array().size(), 0u) << Describe(hers);
  EXPECT_EQ(GetConversation(ann, one_to_one)["unread_message_count"], 0);
  EXPECT_EQ(Get(ann, "/conversations/" + group + "/messages").Array().size(), 1u);
  EXPECT_EQ(P("GET", "/users/ann/badge").At("unread_message_count"), 1);
  // Ann's own messages still reach zed, and after unblocking zed reaches her again.
  SendText(ann, one_to_one, "hello zed");
  EXPECT_EQ(Get(zed, "/conversations/" + one_to_one + "/messages").Array().size(), 2u);
  ASSERT_EQ(P("DELETE", "/users/ann/blocks/zed").status, 204);
  SendText(zed, one_to_one, "visible again");
  EXPECT_EQ(Get(ann, "/conversations/" + one_to_one + "/messages").Array().size(), 2u);
}

}  // namespace
}  // namespace relayer::it
