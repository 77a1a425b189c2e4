// Platform API conversations and messages: the app creates, reads, patches and deletes
// conversations without being a participant, and sends as a participant or a named service.
#include "integration/platform_fixture.h"

namespace relayer::it {
namespace {

class PlatformConversations : public PlatformTest {};

TEST_F(PlatformConversations, CreateHasNoCreatorParticipant) {
  auto r = P("POST", "/conversations",
             R"({"participants":["alice","bob"],"distinct":false,"metadata":{"topic":"x"}})");
  ASSERT_EQ(r.status, 201) << Describe(r);
  const auto& ps = r.At("participants").as_array();
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0], "alice");
  EXPECT_EQ(ps[1], "bob");
  EXPECT_EQ(r.At("metadata").as_object().at("topic"), "x");
  EXPECT_EQ(r.At("distinct"), false);
  EXPECT_FALSE(r.Header("Location").empty());
  // A participant sees it through the Client API.
  std::string alice = Login("alice");
  auto c = GetConversation(alice, Uuid(r.Str("id")));
  EXPECT_EQ(c["participants"].as_array().size(), 2u);
}

TEST_F(PlatformConversations, DistinctCreateReturnsTheExistingOne) {
  auto first = P("POST", "/conversations", R"({"participants":["alice","bob"],"distinct":true})");
  ASSERT_EQ(first.status, 201) << Describe(first);
  auto again = P("POST", "/conversations", R"({"participants":["bob","alice"],"distinct":true})");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(again.Str("id"), first.Str("id"));
  auto conflict = P("POST", "/conversations",
                    R"({"participants":["bob","alice"],"distinct":true,"metadata":{"a":"b"}})");
  EXPECT_EQ(conflict.status, 409) << Describe(conflict);
  EXPECT_EQ(conflict.ErrorId(), "conflict");
  EXPECT_EQ(conflict.At("data").as_object().at("id").as_string(), first.Str("id"));
}

TEST_F(PlatformConversations, BadCreatesAreLayerErrors) {
  EXPECT_EQ(P("POST", "/conversations", R"({"participants":[]})").status, 422);
  EXPECT_EQ(P("POST", "/conversations", R"({})").ErrorId(), "missing_property");
  EXPECT_EQ(P("POST", "/conversations", R"({"participants":"alice"})").status, 422);
  EXPECT_EQ(P("POST", "/conversations", R"(not json)").status, 400);
  EXPECT_EQ(P("POST", "/conversations", R"({"participants":["a"],"bogus":1})").status, 422);
}

TEST_F(PlatformConversations, GetAnyConversationOfTheApp) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  auto r = P("GET", "/conversations/" + conv);
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Str("id"), "layer:///conversations/" + conv);
  EXPECT_EQ(r.Str("url"), "http://127.0.0.1:" + std::to_string(server().port()) + "/apps/" +
                              server().app_uuid() + "/conversations/" + conv);
  EXPECT_EQ(P("GET", "/conversations/00000000-0000-4000-8000-000000000000").status, 404);
  EXPECT_EQ(P("GET", "/conversations/not-a-uuid").ErrorId(), "not_found");
}

TEST_F(PlatformConversations, PatchMetadataAndParticipantsAsLayerApiSendsThem) {
  std::string conv = PlatformConversation({"alice", "bob"});
  auto r = P("PATCH", "/conversations/" + conv,
             R"([{"operation":"set","property":"metadata.title","value":"Hi"},
                 {"operation":"add","property":"participants","value":"carol"},
                 {"operation":"remove","property":"participants","value":"bob"}])");
  ASSERT_EQ(r.status, 204) << Describe(r);
  auto c = P("GET", "/conversations/" + conv);
  EXPECT_EQ(c.At("metadata").as_object().at("title"), "Hi");
  const auto& ps = c.At("participants").as_array();
  ASSERT_EQ(ps.size(), 2u) << Describe(c);
  EXPECT_EQ(ps[0], "alice");
  EXPECT_EQ(ps[1], "carol");
  auto set = P("PATCH", "/conversations/" + conv,
               R"([{"operation":"set","property":"participants","value":["dave","erin"]},
                   {"operation":"delete","property":"metadata.title"}])");
  ASSERT_EQ(set.status, 204) << Describe(set);
  auto after = P("GET", "/conversations/" + conv);
  EXPECT_EQ(after.At("participants").as_array().size(), 2u);
  EXPECT_EQ(after.At("participants").as_array()[0], "dave");
  EXPECT_FALSE(after.At("metadata").as_object().contains("title"));
}

TEST_F(PlatformConversations, PatchNeedsLayerPatchContentType) {
  std::string conv = PlatformConversation({"alice"});
  auto raw = client().Send("PATCH", "/apps/" + server().app_uuid() + "/conversations/" + conv,
                           {{"Accept", std::string(kPlatformAccept)},
                            {"Authorization", "Bearer " + std::string(kPlatformToken)},
                            {"Content-Type", "application/json"}},
                           std::string("[]"));
  EXPECT_EQ(raw.status, 406) << Describe(raw);
  auto bad = P("PATCH", "/conversations/" + conv, R"([{"operation":"set","property":"x"}])");
  EXPECT_EQ(bad.status, 422) << Describe(bad);
}

TEST_F(PlatformConversations, DeleteRemovesItForEveryone) {
  std::string alice = Login("alice");
  std::string conv = PlatformConversation({"alice", "bob"});
  auto r = P("DELETE", "/conversations/" + conv);
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(P("GET", "/conversations/" + conv).status, 404);
  EXPECT_EQ(Get(alice, "/conversations/" + conv).status, 404);
  EXPECT_EQ(P("DELETE", "/conversations/" + conv).status, 404);
}

TEST_F(PlatformConversations, SendAsParticipantAndAsNamedService) {
  std::string bob = Login("bob", [](server::IdentityClaims& c) { c.display_name = "Bob"; });
  std::string conv = PlatformConversation({"alice", "bob"});
  auto as_user =
      P("POST", "/conversations/" + conv + "/messages",
        R"({"sender":{"user_id":"alice"},"parts":[{"body":"hi","mime_type":"text/plain"}]})");
  ASSERT_EQ(as_user.status, 201) << Describe(as_user);
  EXPECT_EQ(as_user.At("sender").as_object().at("user_id"), "alice");
  EXPECT_EQ(as_user.At("recipient_status").as_object().at("alice"), "read");
  EXPECT_EQ(as_user.At("recipient_status").as_object().at("bob"), "sent");
  auto as_service =
      P("POST", "/conversations/" + conv + "/messages",
        R"({"sender":{"name":"Hal"},"parts":[{"body":"beep","mime_type":"text/plain"}],
                          "notification":{"text":"beep","sound":"chime.aiff"}})");
  ASSERT_EQ(as_service.status, 201) << Describe(as_service);
  EXPECT_TRUE(as_service.At("sender").as_object().at("user_id").is_null());
  EXPECT_EQ(as_service.At("sender").as_object().at("name"), "Hal");
  // The Web SDK sees the service through display_name, with null ids.
  auto seen = GetMessage(bob, Uuid(as_service.Str("id")));
  EXPECT_TRUE(seen["sender"].as_object().at("id").is_null());
  EXPECT_TRUE(seen["sender"].as_object().at("user_id").is_null());
  EXPECT_EQ(seen["sender"].as_object().at("display_name"), "Hal");
  // Both unread for bob.
  EXPECT_EQ(GetConversation(bob, conv)["unread_message_count"], 2);
  // The app reads them back, newest first.
  auto list = P("GET", "/conversations/" + conv + "/messages");
  ASSERT_EQ(list.status, 200) << Describe(list);
  ASSERT_EQ(list.Array().size(), 2u);
  EXPECT_EQ(list.Array()[0].as_object().at("id"), as_service.At("id"));
  EXPECT_EQ(list.Header("Layer-Count"), "2");
  auto one = P("GET", "/conversations/" + conv + "/messages/" + Uuid(as_user.Str("id")));
  EXPECT_EQ(one.status, 200) << Describe(one);
  // A message's url answers too.
  auto by_url = client().Send("GET", as_user.Str("url").substr(as_user.Str("url").find("/apps/")),
                              {{"Accept", std::string(kPlatformAccept)},
                               {"Authorization", "Bearer " + std::string(kPlatformToken)}});
  EXPECT_EQ(by_url.status, 200) << Describe(by_url);
  EXPECT_EQ(by_url.Str("id"), as_user.Str("id"));
  EXPECT_EQ(P("GET", "/conversations/" + PlatformConversation({"zed"}) + "/messages/" +
                         Uuid(as_user.Str("id")))
                .status,
            404);
}

TEST_F(PlatformConversations, BadSendersAreRejected) {
  std::string conv = PlatformConversation({"alice"});
  const std::string parts = R"("parts":[{"body":"x","mime_type":"text/plain"}])";
  EXPECT_EQ(P("POST", "/conversations/" + conv + "/messages", "{" + parts + "}").ErrorId(),
            "missing_property");
  EXPECT_EQ(P("POST", "/conversations/" + conv + "/messages",
              R"({"sender":{"user_id":"a","name":"b"},)" + parts + "}")
                .status,
            422);
  EXPECT_EQ(
      P("POST", "/conversations/" + conv + "/messages", R"({"sender":{"name":""},)" + parts + "}")
          .status,
      422);
  // A user who is not a participant cannot be the sender.
  EXPECT_EQ(P("POST", "/conversations/" + conv + "/messages",
              R"({"sender":{"user_id":"mallory"},)" + parts + "}")
                .status,
            404);
  EXPECT_EQ(P("POST", "/conversations/" + conv + "/messages",
              R"({"sender":{"name":"S"},"parts":[{"body":"x","mime_type":"bad"}]})")
                .status,
            422);
}

}  // namespace
}  // namespace relayer::it
