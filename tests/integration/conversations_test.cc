// POST/GET/DELETE /conversations, distinct sets, client ids, listing and paging, mark_all_read.
#include <set>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Conversations : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice", [](server::IdentityClaims& c) { c.display_name = "Alice"; });
    bob_ = Login("bob");
  }
  static std::set<std::string> Participants(const json::object& conv) {
    std::set<std::string> out;
    for (const auto& p : conv.at("participants").as_array()) {
      out.insert(std::string(p.as_object().at("user_id").as_string()));
    }
    return out;
  }
  static std::set<std::string> Participants(const HttpResult& r) {
    return r.json.is_object() ? Participants(r.json.as_object()) : std::set<std::string>{};
  }
  std::vector<std::string> ListIds(const std::string& token, const std::string& query,
                                   HttpResult* out = nullptr) {
    auto r = Get(token, "/conversations" + query);
    EXPECT_EQ(r.status, 200) << Describe(r);
    std::vector<std::string> ids;
    for (const auto& c : r.Array()) ids.push_back(Uuid(c.as_object().at("id").as_string()));
    if (out) *out = r;
    return ids;
  }
  std::string alice_, bob_;
};

TEST_F(Conversations, CreateAddsCreatorAndAnswersFullObject) {
  auto r = Post(alice_, "/conversations",
                R"({"participants":["layer:///identities/bob"],"distinct":false})");
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(r.Str("id").rfind("layer:///conversations/", 0), 0u) << r.Str("id");
  std::string uuid = Uuid(r.Str("id"));
  EXPECT_EQ(r.Str("url"),
            "http://127.0.0.1:" + std::to_string(server().port()) + "/conversations/" + uuid);
  EXPECT_EQ(r.Str("messages_url"), r.Str("url") + "/messages");
  EXPECT_EQ(r.Header("Location"), r.Str("url"));
  EXPECT_FALSE(r.Str("created_at").empty());
  EXPECT_EQ(Participants(r), (std::set<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.At("distinct"), false);
  EXPECT_TRUE(r.At("metadata").is_object());
  EXPECT_EQ(r.At("unread_message_count"), 0);
  EXPECT_EQ(r.At("total_message_count"), 0);
  EXPECT_TRUE(r.At("last_message").is_null());
  for (const auto& p : r.At("participants").as_array()) {
    const auto& o = p.as_object();
    EXPECT_EQ(o.at("id"),
              ("layer:///identities/" + std::string(o.at("user_id").as_string())).c_str());
    EXPECT_TRUE(o.contains("url") && o.contains("display_name") && o.contains("avatar_url"));
    if (o.at("user_id") == "alice") {
      EXPECT_EQ(o.at("display_name"), "Alice");
    }
  }
  // Both participants see it.
  EXPECT_EQ(Participants(GetConversation(bob_, uuid)), (std::set<std::string>{"alice", "bob"}));
}

TEST_F(Conversations, DistinctIsTheDefault) {
  auto r = Post(alice_, "/conversations", R"({"participants":["bob"]})");
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(r.At("distinct"), true);
  auto again = Post(alice_, "/conversations", R"({"participants":["bob"]})");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(again.Str("id"), r.Str("id"));
}

TEST_F(Conversations, DistinctCreateFromOtherSideReturnsSameConversation) {
  auto first = Post(alice_, "/conversations", R"({"participants":["bob"],"distinct":true})");
  ASSERT_EQ(first.status, 201) << Describe(first);
  auto second = Post(bob_, "/conversations",
                     R"({"participants":["layer:///identities/alice"],"distinct":true})");
  EXPECT_EQ(second.status, 200) << Describe(second);
  EXPECT_EQ(second.Str("id"), first.Str("id"));
  EXPECT_EQ(ListIds(alice_, "").size(), 1u);
  EXPECT_EQ(ListIds(bob_, "").size(), 1u);
}

TEST_F(Conversations, DistinctCreateNamingCreatorExplicitlyMatchesSameSet) {
  auto first = Post(alice_, "/conversations", R"({"participants":["bob"]})");
  ASSERT_EQ(first.status, 201);
  auto second = Post(alice_, "/conversations", R"({"participants":["alice","bob","bob"]})");
  EXPECT_EQ(second.status, 200) << Describe(second);
  EXPECT_EQ(second.Str("id"), first.Str("id"));
  EXPECT_EQ(Participants(second).size(), 2u);
}

TEST_F(Conversations, DistinctCreateWithEqualMetadataReturnsExisting) {
  auto first = Post(alice_, "/conversations",
                    R"({"participants":["bob"],"metadata":{"title":"Lunch","a":{"b":"c"}}})");
  ASSERT_EQ(first.status, 201) << Describe(first);
  auto same = Post(alice_, "/conversations",
                   R"({"participants":["bob"],"metadata":{"a":{"b":"c"},"title":"Lunch"}})");
  EXPECT_EQ(same.status, 200) << Describe(same);
  EXPECT_EQ(same.Str("id"), first.Str("id"));
}

TEST_F(Conversations, DistinctCreateWithDifferentMetadataConflictsWithExistingAsData) {
  auto first =
      Post(alice_, "/conversations", R"({"participants":["bob"],"metadata":{"title":"Lunch"}})");
  ASSERT_EQ(first.status, 201) << Describe(first);
  auto other =
      Post(bob_, "/conversations", R"({"participants":["alice"],"metadata":{"title":"Dinner"}})");
  ASSERT_EQ(other.status, 409) << Describe(other);
  EXPECT_EQ(other.ErrorId(), "conflict");
  EXPECT_EQ(other.Code(), 108);
  ASSERT_TRUE(other.At("data").is_object()) << Describe(other);
  const auto& data = other.At("data").as_object();
  EXPECT_EQ(data.at("id"), first.Str("id").c_str());
  EXPECT_EQ(data.at("metadata").as_object().at("title"), "Lunch");
  EXPECT_EQ(ListIds(alice_, "").size(), 1u);
}

TEST_F(Conversations, NonDistinctCreateAlwaysMakesANewOne) {
  std::string a = CreateConversation(alice_, {"bob"}, false);
  std::string b = CreateConversation(alice_, {"bob"}, false);
  EXPECT_NE(a, b);
  // Nor does a non-distinct one count as the distinct conversation of the set.
  auto d = Post(alice_, "/conversations", R"({"participants":["bob"],"distinct":true})");
  EXPECT_EQ(d.status, 201) << Describe(d);
  EXPECT_NE(Uuid(d.Str("id")), a);
  EXPECT_NE(Uuid(d.Str("id")), b);
}

TEST_F(Conversations, DistinctSetsDifferByParticipants) {
  std::string ab = CreateConversation(alice_, {"bob"}, true);
  std::string abc = CreateConversation(alice_, {"bob", "carol"}, true);
  EXPECT_NE(ab, abc);
  std::string a_only = CreateConversation(alice_, {}, true);
  EXPECT_NE(a_only, ab);
}

TEST_F(Conversations, ClientChosenIdIsUsedAndRetryIsIdInUseWithExisting) {
  std::string uuid = server::RandomUuid();
  std::string body = R"({"id":"layer:///conversations/)" + uuid +
                     R"(","participants":["bob"],"distinct":false,"metadata":{"k":"v"}})";
  auto first = Post(alice_, "/conversations", body);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_EQ(first.Str("id"), "layer:///conversations/" + uuid);
  auto retry = Post(alice_, "/conversations", body);
  ASSERT_EQ(retry.status, 409) << Describe(retry);
  EXPECT_EQ(retry.ErrorId(), "id_in_use");
  EXPECT_EQ(retry.Code(), 111);
  ASSERT_TRUE(retry.At("data").is_object()) << Describe(retry);
  EXPECT_EQ(retry.At("data").as_object().at("id"), first.Str("id").c_str());
  EXPECT_EQ(ListIds(alice_, "").size(), 1u);
}

TEST_F(Conversations, ClientIdTakenByOthersConversationRevealsNothing) {
  std::string uuid = server::RandomUuid();
  auto first = Post(alice_, "/conversations",
                    R"({"id":")" + uuid + R"(","participants":["bob"],"metadata":{"secret":"x"}})");
  ASSERT_EQ(first.status, 201) << Describe(first);
  std::string carol = Login("carol");
  auto steal = Post(carol, "/conversations",
                    R"({"id":"layer:///conversations/)" + uuid + R"(","participants":["dave"]})");
  EXPECT_EQ(steal.status, 409) << Describe(steal);
  EXPECT_EQ(steal.body.find("secret"), std::string::npos) << Describe(steal);
  EXPECT_EQ(Get(carol, "/conversations/" + uuid).status, 404);
}

TEST_F(Conversations, GetReturnsTheConversationAndUnknownIsNotFound) {
  std::string uuid = CreateConversation(alice_, {"bob"});
  auto r = Get(alice_, "/conversations/" + uuid);
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Uuid(r.Str("id")), uuid);
  // Upper-case UUIDs name the same conversation.
  std::string upper = uuid;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto up = Get(alice_, "/conversations/" + upper);
  EXPECT_EQ(up.status, 200) << Describe(up);
  auto missing = Get(alice_, "/conversations/" + server::RandomUuid());
  EXPECT_EQ(missing.status, 404) << Describe(missing);
  EXPECT_EQ(missing.ErrorId(), "not_found");
  EXPECT_EQ(missing.Code(), 102);
}

TEST_F(Conversations, ListIsNewestFirstWithLayerCount) {
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i) made.push_back(CreateConversation(alice_, {"bob"}, false));
  CreateConversation(bob_, {"carol"}, false);  // not alice's
  HttpResult r;
  auto ids = ListIds(alice_, "", &r);
  EXPECT_EQ(r.Header("Layer-Count"), "5");
  std::vector<std::string> expected(made.rbegin(), made.rend());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(ListIds(alice_, "?sort_by=created_at"), expected);
}

TEST_F(Conversations, ListPagesWithPageSizeAndFromId) {
  std::vector<std::string> made;
  for (int i = 0; i < 7; ++i) made.push_back(CreateConversation(alice_, {"bob"}, false));
  std::vector<std::string> expected(made.rbegin(), made.rend());
  std::vector<std::string> seen;
  std::string from;
  for (int page = 0; page < 10; ++page) {
    HttpResult r;
    auto ids = ListIds(alice_, "?page_size=3" + (from.empty() ? "" : "&from_id=" + from), &r);
    EXPECT_EQ(r.Header("Layer-Count"), "7");
    EXPECT_LE(ids.size(), 3u);
    seen.insert(seen.end(), ids.begin(), ids.end());
    if (ids.size() < 3) break;
    // Alternate full ids and bare UUIDs: both are accepted.
    from = page % 2 ? ids.back() : "layer:///conversations/" + ids.back();
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(Conversations, SortByLastMessagePutsRecentlyActiveFirst) {
  std::string older = CreateConversation(alice_, {"bob"}, false);
  std::string newer = CreateConversation(alice_, {"bob"}, false);
  EXPECT_EQ(ListIds(alice_, "?sort_by=last_message"), (std::vector<std::string>{newer, older}));
  // Times have millisecond resolution: let the clock move past the creation before sending.
  const int64_t created = NowMs();
  ASSERT_TRUE(PollUntil([&] { return NowMs() > created + 1; }, 1000));
  SendText(bob_, older, "wake up");
  EXPECT_EQ(ListIds(alice_, "?sort_by=last_message"), (std::vector<std::string>{older, newer}));
  EXPECT_EQ(ListIds(alice_, "?sort_by=created_at"), (std::vector<std::string>{newer, older}));
}

TEST_F(Conversations, LastMessageUnreadAndTotalCountsFollowMessages) {
  std::string conv = CreateConversation(alice_, {"bob"});
  SendText(alice_, conv, "one");
  SendText(alice_, conv, "two");
  auto last = SendText(alice_, conv, "three");
  auto for_bob = GetConversation(bob_, conv);
  EXPECT_EQ(for_bob["unread_message_count"], 3);
  EXPECT_EQ(for_bob["total_message_count"], 3);
  ASSERT_TRUE(for_bob["last_message"].is_object());
  EXPECT_EQ(for_bob["last_message"].as_object().at("id"), last["id"]);
  auto for_alice = GetConversation(alice_, conv);
  EXPECT_EQ(for_alice["unread_message_count"], 0);  // her own messages are read
}

TEST_F(Conversations, MarkAllReadClearsUnreadUpToPosition) {
  std::string conv = CreateConversation(alice_, {"bob"});
  std::vector<json::object> msgs;
  for (int i = 0; i < 4; ++i) msgs.push_back(SendText(alice_, conv, "m" + std::to_string(i)));
  int64_t second = msgs[1]["position"].as_int64();
  auto partial = Post(bob_, "/conversations/" + conv + "/mark_all_read",
                      R"({"position":)" + std::to_string(second) + "}");
  EXPECT_EQ(partial.status, 204) << Describe(partial);
  EXPECT_EQ(GetConversation(bob_, conv)["unread_message_count"], 2);
  EXPECT_EQ(GetMessage(bob_, Uuid(msgs[1]["id"].as_string()))["is_unread"], false);
  EXPECT_EQ(GetMessage(bob_, Uuid(msgs[2]["id"].as_string()))["is_unread"], true);
  auto all = Post(bob_, "/conversations/" + conv + "/mark_all_read", "");
  EXPECT_EQ(all.status, 204) << Describe(all);
  EXPECT_EQ(GetConversation(bob_, conv)["unread_message_count"], 0);
  auto m3 = GetMessage(alice_, Uuid(msgs[3]["id"].as_string()));
  EXPECT_EQ(m3["recipient_status"].as_object().at("layer:///identities/bob"), "read");
}

TEST_F(Conversations, DeleteForAllParticipantsRemovesItForEveryone) {
  std::string conv = CreateConversation(alice_, {"bob"});
  auto msg = SendText(alice_, conv, "bye");
  auto r = Delete(bob_, "/conversations/" + conv + "?mode=all_participants");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(alice_, "/conversations/" + conv).status, 404);
  EXPECT_EQ(Get(bob_, "/conversations/" + conv).status, 404);
  EXPECT_EQ(Get(alice_, "/messages/" + Uuid(msg["id"].as_string())).status, 404);
  EXPECT_TRUE(ListIds(alice_, "").empty());
  auto again = Delete(alice_, "/conversations/" + conv + "?mode=all_participants");
  EXPECT_EQ(again.status, 404) << Describe(again);
}

TEST_F(Conversations, DeleteForMyDevicesHidesItOnlyForMe) {
  std::string conv = CreateConversation(alice_, {"bob"});
  SendText(alice_, conv, "hello");
  auto r = Delete(bob_, "/conversations/" + conv + "?mode=my_devices");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(bob_, "/conversations/" + conv).status, 404);
  EXPECT_TRUE(ListIds(bob_, "").empty());
  auto for_alice = GetConversation(alice_, conv);
  EXPECT_EQ(Participants(for_alice), (std::set<std::string>{"alice", "bob"}));
  EXPECT_EQ(for_alice["total_message_count"], 1);
}

TEST_F(Conversations, DeleteWithLeaveRemovesMeFromParticipants) {
  std::string conv = CreateConversation(alice_, {"bob", "carol"}, true);
  auto r = Delete(bob_, "/conversations/" + conv + "?mode=my_devices&leave=true");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(Get(bob_, "/conversations/" + conv).status, 404);
  auto for_alice = GetConversation(alice_, conv);
  EXPECT_EQ(Participants(for_alice), (std::set<std::string>{"alice", "carol"}));
  EXPECT_EQ(for_alice["distinct"], false);
  // Bob can no longer post into it.
  auto post = Post(bob_, "/conversations/" + conv + "/messages",
                   R"({"parts":[{"mime_type":"text/plain","body":"still here?"}]})");
  EXPECT_TRUE(post.status == 403 || post.status == 404) << Describe(post);
}

TEST_F(Conversations, DeleteNeedsAValidMode) {
  std::string conv = CreateConversation(alice_, {"bob"});
  auto none = Delete(alice_, "/conversations/" + conv);
  EXPECT_EQ(none.status, 422) << Describe(none);
  EXPECT_EQ(none.ErrorId(), "missing_property");
  auto bad = Delete(alice_, "/conversations/" + conv + "?mode=everything");
  EXPECT_EQ(bad.status, 422) << Describe(bad);
  EXPECT_EQ(bad.ErrorId(), "invalid_property");
  auto bad_leave = Delete(alice_, "/conversations/" + conv + "?mode=my_devices&leave=maybe");
  EXPECT_EQ(bad_leave.status, 422) << Describe(bad_leave);
  EXPECT_EQ(GetConversation(alice_, conv)["id"], ("layer:///conversations/" + conv).c_str());
}

}  // namespace
}  // namespace relayer::it
