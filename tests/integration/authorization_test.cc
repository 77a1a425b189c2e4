// A non-participant can neither read nor change a conversation or its messages, on every endpoint;
// and nothing of the conversation leaks in the answers.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

constexpr const char* kSecret = "top-secret-text";

class Authorization : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    bob_ = Login("bob");
    mallory_ = Login("mallory");
    conv_ = CreateConversation(alice_, {"bob"}, true, R"({"title":"top-secret-title"})");
    msg_ = Uuid(SendText(alice_, conv_, kSecret)["id"].as_string());
  }
  // Denied: 403 or 404 with a Layer error object, and no trace of the conversation.
  void ExpectDenied(const HttpResult& r, const std::string& what) {
    EXPECT_TRUE(r.status == 403 || r.status == 404) << what << ": " << Describe(r);
    EXPECT_TRUE(r.ErrorId() == "access_denied" || r.ErrorId() == "not_found")
        << what << ": " << Describe(r);
    EXPECT_EQ(r.body.find("top-secret"), std::string::npos) << what << " leaks: " << r.body;
  }
  // The conversation and message are exactly as before, as Alice sees them.
  void ExpectUntouched() {
    auto c = GetConversation(alice_, conv_);
    EXPECT_EQ(c["participants"].as_array().size(), 2u) << json::serialize(c);
    EXPECT_EQ(c["metadata"], json::parse(R"({"title":"top-secret-title"})"));
    EXPECT_EQ(c["distinct"], true);
    EXPECT_EQ(c["total_message_count"], 1);
    auto m = GetMessage(alice_, msg_);
    EXPECT_EQ(m["parts"].as_array()[0].as_object().at("body"), kSecret);
    EXPECT_EQ(m["recipient_status"].as_object().size(), 2u);
    EXPECT_EQ(m["recipient_status"].as_object().at("layer:///identities/bob"), "sent");
    EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 1);
  }
  std::string alice_, bob_, mallory_, conv_, msg_;
};

TEST_F(Authorization, NonParticipantCannotGetConversation) {
  ExpectDenied(Get(mallory_, "/conversations/" + conv_), "GET conversation");
}

TEST_F(Authorization, NonParticipantDoesNotSeeItInList) {
  auto r = Get(mallory_, "/conversations");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_TRUE(r.Array().empty()) << r.body;
  EXPECT_EQ(r.Header("Layer-Count"), "0");
  auto by_last = Get(mallory_, "/conversations?sort_by=last_message");
  EXPECT_TRUE(by_last.Array().empty()) << by_last.body;
  // Paging from the conversation's id reveals nothing either.
  auto paged = Get(mallory_, "/conversations?from_id=" + conv_);
  EXPECT_EQ(paged.body.find("top-secret"), std::string::npos) << paged.body;
  EXPECT_TRUE(paged.Array().empty()) << paged.body;
}

TEST_F(Authorization, NonParticipantCannotAddThemselves) {
  ExpectDenied(
      Patch(
          mallory_, "/conversations/" + conv_,
          R"([{"operation":"add","property":"participants","id":"layer:///identities/mallory"}])"),
      "PATCH add self");
  ExpectDenied(Patch(mallory_, "/conversations/" + conv_,
                     R"([{"operation":"set","property":"participants","value":["mallory"]}])"),
               "PATCH set participants");
  ExpectDenied(
      Call("POST", "/conversations/" + conv_, mallory_,
           R"([{"operation":"add","property":"participants","id":"mallory"}])",
           {{"Content-Type", std::string(kPatchType)}, {"X-HTTP-Method-Override", "PATCH"}}),
      "POST with X-HTTP-Method-Override: PATCH");
  ExpectDenied(Get(mallory_, "/conversations/" + conv_), "GET after the attempts");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotChangeMetadataOrRemoveOthers) {
  ExpectDenied(Patch(mallory_, "/conversations/" + conv_,
                     R"([{"operation":"set","property":"metadata.title","value":"pwned"}])"),
               "PATCH metadata");
  ExpectDenied(Patch(mallory_, "/conversations/" + conv_,
                     R"([{"operation":"delete","property":"metadata.title"}])"),
               "PATCH delete metadata");
  ExpectDenied(Patch(mallory_, "/conversations/" + conv_,
                     R"([{"operation":"remove","property":"participants","id":"bob"}])"),
               "PATCH remove participant");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotDeleteConversation) {
  ExpectDenied(Delete(mallory_, "/conversations/" + conv_ + "?mode=all_participants"),
               "DELETE all_participants");
  ExpectDenied(Delete(mallory_, "/conversations/" + conv_ + "?mode=my_devices"),
               "DELETE my_devices");
  ExpectDenied(Delete(mallory_, "/conversations/" + conv_ + "?mode=my_devices&leave=true"),
               "DELETE leave");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotMarkAllRead) {
  ExpectDenied(Post(mallory_, "/conversations/" + conv_ + "/mark_all_read", "{}"), "mark_all_read");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotPostMessages) {
  ExpectDenied(Post(mallory_, "/conversations/" + conv_ + "/messages",
                    R"({"parts":[{"mime_type":"text/plain","body":"spam"}]})"),
               "POST message");
  ExpectDenied(Post(mallory_, "/conversations/" + conv_ + "/messages",
                    R"({"id":"layer:///messages/)" + msg_ +
                        R"(","parts":[{"mime_type":"text/plain","body":"spam"}]})"),
               "POST message reusing the existing message id");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotListOrGetMessages) {
  ExpectDenied(Get(mallory_, "/conversations/" + conv_ + "/messages"), "GET messages");
  ExpectDenied(Get(mallory_, "/conversations/" + conv_ + "/messages?page_size=1&from_id=" + msg_),
               "GET messages paged");
  ExpectDenied(Get(mallory_, "/messages/" + msg_), "GET message");
}

TEST_F(Authorization, NonParticipantCannotDeleteMessages) {
  ExpectDenied(Delete(mallory_, "/messages/" + msg_ + "?mode=all_participants"),
               "DELETE message all_participants");
  ExpectDenied(Delete(mallory_, "/messages/" + msg_ + "?mode=my_devices"),
               "DELETE message my_devices");
  ExpectUntouched();
}

TEST_F(Authorization, NonParticipantCannotPostReceipts) {
  ExpectDenied(Post(mallory_, "/messages/" + msg_ + "/receipts", R"({"type":"read"})"),
               "read receipt");
  ExpectDenied(Post(mallory_, "/messages/" + msg_ + "/receipts", R"({"type":"delivery"})"),
               "delivery receipt");
  ExpectUntouched();
  auto m = GetMessage(alice_, msg_);
  EXPECT_FALSE(m["recipient_status"].as_object().contains("layer:///identities/mallory"));
}

TEST_F(Authorization, NonParticipantCannotCreateUnderTheConversationsId) {
  auto r = Post(mallory_, "/conversations",
                R"({"id":"layer:///conversations/)" + conv_ + R"(","participants":["mallory"]})");
  EXPECT_EQ(r.status, 409) << Describe(r);
  EXPECT_EQ(r.body.find("top-secret"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"bob\""), std::string::npos) << r.body;
  ExpectDenied(Get(mallory_, "/conversations/" + conv_), "GET after create attempt");
  ExpectUntouched();
}

TEST_F(Authorization, RemovedParticipantLosesAccessToEverything) {
  ASSERT_EQ(Patch(alice_, "/conversations/" + conv_,
                  R"([{"operation":"remove","property":"participants","id":"bob"}])")
                .status,
            204);
  ExpectDenied(Get(bob_, "/conversations/" + conv_), "GET conversation");
  ExpectDenied(Get(bob_, "/conversations/" + conv_ + "/messages"), "GET messages");
  ExpectDenied(Get(bob_, "/messages/" + msg_), "GET message");
  ExpectDenied(Post(bob_, "/conversations/" + conv_ + "/messages",
                    R"({"parts":[{"mime_type":"text/plain","body":"back"}]})"),
               "POST message");
  ExpectDenied(Post(bob_, "/messages/" + msg_ + "/receipts", R"({"type":"read"})"), "receipt");
  ExpectDenied(Patch(bob_, "/conversations/" + conv_,
                     R"([{"operation":"add","property":"participants","id":"bob"}])"),
               "PATCH add self back");
  EXPECT_EQ(GetConversation(alice_, conv_)["participants"].as_array().size(), 1u);
}

TEST_F(Authorization, UnauthenticatedCallsGet401OnEveryEndpoint) {
  const std::pair<const char*, std::string> calls[] = {
      {"GET", "/conversations"},
      {"POST", "/conversations"},
      {"GET", "/conversations/" + conv_},
      {"PATCH", "/conversations/" + conv_},
      {"DELETE", "/conversations/" + conv_ + "?mode=all_participants"},
      {"POST", "/conversations/" + conv_ + "/mark_all_read"},
      {"POST", "/conversations/" + conv_ + "/messages"},
      {"GET", "/conversations/" + conv_ + "/messages"},
      {"GET", "/messages/" + msg_},
      {"DELETE", "/messages/" + msg_ + "?mode=all_participants"},
      {"POST", "/messages/" + msg_ + "/receipts"},
      {"GET", "/identities/alice"},
  };
  for (const auto& [method, target] : calls) {
    auto r = Call(method, target, "", "{}", {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 401) << method << " " << target << ": " << Describe(r);
    EXPECT_EQ(r.Code(), 4) << method << " " << target;
    EXPECT_EQ(r.body.find("top-secret"), std::string::npos);
  }
  ExpectUntouched();
}

}  // namespace
}  // namespace relayer::it
