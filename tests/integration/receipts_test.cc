// POST /messages/UUID/receipts: recipient_status only moves forward; unread state follows.
#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Receipts : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    alice_ = Login("alice");
    bob_ = Login("bob");
    carol_ = Login("carol");
    conv_ = CreateConversation(alice_, {"bob", "carol"});
  }
  HttpResult Receipt(const std::string& token, const std::string& msg, const std::string& type) {
    return Post(token, "/messages/" + msg + "/receipts", R"({"type":")" + type + R"("})");
  }
  std::string StatusOf(const std::string& viewer, const std::string& msg, const std::string& user) {
    auto m = GetMessage(viewer, msg);
    if (!m.contains("recipient_status")) return "";
    const auto* s = m["recipient_status"].as_object().if_contains("layer:///identities/" + user);
    return s && s->is_string() ? std::string(s->as_string()) : "";
  }
  std::string Send() { return Uuid(SendText(alice_, conv_, "hi")["id"].as_string()); }
  std::string alice_, bob_, carol_, conv_;
};

TEST_F(Receipts, SenderCountsAsReadOthersStartAsSent) {
  std::string m = Send();
  EXPECT_EQ(StatusOf(alice_, m, "alice"), "read");
  EXPECT_EQ(StatusOf(alice_, m, "bob"), "sent");
  EXPECT_EQ(StatusOf(alice_, m, "carol"), "sent");
  EXPECT_EQ(GetMessage(alice_, m)["is_unread"], false);
  EXPECT_EQ(GetMessage(bob_, m)["is_unread"], true);
}

TEST_F(Receipts, DeliveryMovesSentToDeliveredAndKeepsItUnread) {
  std::string m = Send();
  auto r = Receipt(bob_, m, "delivery");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(StatusOf(alice_, m, "bob"), "delivered");
  EXPECT_EQ(StatusOf(alice_, m, "carol"), "sent");
  EXPECT_EQ(GetMessage(bob_, m)["is_unread"], true);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 1);
}

TEST_F(Receipts, ReadMarksReadAndLowersUnreadCount) {
  std::string m1 = Send();
  std::string m2 = Send();
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 2);
  auto r = Receipt(bob_, m1, "read");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(StatusOf(carol_, m1, "bob"), "read");
  EXPECT_EQ(GetMessage(bob_, m1)["is_unread"], false);
  EXPECT_EQ(GetMessage(bob_, m2)["is_unread"], true);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 1);
  // Carol's own count is untouched by Bob's receipt.
  EXPECT_EQ(GetConversation(carol_, conv_)["unread_message_count"], 2);
}

TEST_F(Receipts, StatusNeverMovesBackward) {
  std::string m = Send();
  ASSERT_EQ(Receipt(bob_, m, "read").status, 204);
  EXPECT_EQ(Receipt(bob_, m, "delivery").status, 204);
  EXPECT_EQ(StatusOf(alice_, m, "bob"), "read");
  // A repeated read receipt does not lower the count twice.
  EXPECT_EQ(Receipt(bob_, m, "read").status, 204);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 0);
  std::string m2 = Send();
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 1);
}

TEST_F(Receipts, SendersOwnReceiptsChangeNothing) {
  std::string m = Send();
  EXPECT_EQ(Receipt(alice_, m, "delivery").status, 204);
  EXPECT_EQ(StatusOf(bob_, m, "alice"), "read");
  EXPECT_EQ(GetConversation(alice_, conv_)["unread_message_count"], 0);
}

TEST_F(Receipts, ReceiptUrlFromTheMessageWorks) {
  auto msg = SendText(alice_, conv_, "via url");
  std::string url(msg["receipts_url"].as_string());
  std::string prefix = "http://127.0.0.1:" + std::to_string(server().port());
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  auto r = Post(bob_, url.substr(prefix.size()), R"({"type":"delivery"})");
  EXPECT_EQ(r.status, 204) << Describe(r);
  EXPECT_EQ(StatusOf(alice_, Uuid(msg["id"].as_string()), "bob"), "delivered");
}

TEST_F(Receipts, BadReceiptsAreRejected) {
  std::string m = Send();
  auto bad_type = Receipt(bob_, m, "seen");
  EXPECT_EQ(bad_type.status, 422) << Describe(bad_type);
  EXPECT_EQ(bad_type.ErrorId(), "invalid_property");
  auto no_type = Post(bob_, "/messages/" + m + "/receipts", "{}");
  EXPECT_EQ(no_type.status, 422) << Describe(no_type);
  EXPECT_EQ(no_type.ErrorId(), "missing_property");
  auto wrong_kind = Post(bob_, "/messages/" + m + "/receipts", R"({"type":1})");
  EXPECT_EQ(wrong_kind.status, 422) << Describe(wrong_kind);
  auto unknown = Receipt(bob_, server::RandomUuid(), "read");
  EXPECT_EQ(unknown.status, 404) << Describe(unknown);
  EXPECT_EQ(StatusOf(alice_, m, "bob"), "sent");
}

TEST_F(Receipts, MarkAllReadAndReceiptsAgreeOnUnreadCount) {
  std::string m1 = Send();
  Send();
  Send();
  ASSERT_EQ(Receipt(bob_, m1, "read").status, 204);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 2);
  EXPECT_EQ(Post(bob_, "/conversations/" + conv_ + "/mark_all_read", "{}").status, 204);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 0);
}

TEST_F(Receipts, DeletingAnUnreadMessageLowersUnreadCount) {
  std::string m1 = Send();
  std::string m2 = Send();
  Send();
  ASSERT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 3);
  ASSERT_EQ(Delete(alice_, "/messages/" + m1 + "?mode=all_participants").status, 204);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 2);
  EXPECT_EQ(GetConversation(carol_, conv_)["unread_message_count"], 2);
  ASSERT_EQ(Delete(bob_, "/messages/" + m2 + "?mode=my_devices").status, 204);
  EXPECT_EQ(GetConversation(bob_, conv_)["unread_message_count"], 1);
  EXPECT_EQ(GetConversation(carol_, conv_)["unread_message_count"], 2);
  // A read message deleted later does not lower the count again.
  std::string m4 = Send();
  ASSERT_EQ(Receipt(carol_, m4, "read").status, 204);
  ASSERT_EQ(GetConversation(carol_, conv_)["unread_message_count"], 2);
  ASSERT_EQ(Delete(alice_, "/messages/" + m4 + "?mode=all_participants").status, 204);
  EXPECT_EQ(GetConversation(carol_, conv_)["unread_message_count"], 2);
}

TEST_F(Receipts, LastMessageFollowsDeletion) {
  auto first = SendText(alice_, conv_, "first");
  std::string second = Send();
  ASSERT_EQ(Delete(alice_, "/messages/" + second + "?mode=all_participants").status, 204);
  auto c = GetConversation(bob_, conv_);
  ASSERT_TRUE(c["last_message"].is_object()) << json::serialize(c);
  EXPECT_EQ(c["last_message"].as_object().at("id"), first["id"]);
  EXPECT_EQ(c["total_message_count"], 1);
}

TEST_F(Receipts, ConversationDeletedForMyDevicesReturnsWithOnlyNewMessages) {
  Send();
  Send();
  ASSERT_EQ(Delete(bob_, "/conversations/" + conv_ + "?mode=my_devices").status, 204);
  ASSERT_EQ(Get(bob_, "/conversations/" + conv_).status, 404);
  auto fresh = SendText(alice_, conv_, "are you there?");
  auto c = GetConversation(bob_, conv_);
  EXPECT_EQ(c["unread_message_count"], 1);
  auto list = Get(bob_, "/conversations/" + conv_ + "/messages");
  ASSERT_EQ(list.status, 200) << Describe(list);
  ASSERT_EQ(list.Array().size(), 1u) << list.body;
  EXPECT_EQ(list.Array()[0].as_object().at("id"), fresh["id"]);
  EXPECT_EQ(list.Header("Layer-Count"), "1");
  // Alice still has everything.
  EXPECT_EQ(Get(alice_, "/conversations/" + conv_ + "/messages").Array().size(), 3u);
}

}  // namespace
}  // namespace relayer::it
