// The writer's cache of what a send reads (store/sqlite/hot_rows.h): keys, apps and its bound.
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/hot_rows.h"

namespace relayer::sqlite {
namespace {

const AppId kApp("a0000000-0000-4000-8000-000000000001");
const AppId kOtherApp("a0000000-0000-4000-8000-000000000002");

HotRows::Conversation Held(const std::string& id, int64_t rowid) {
  HotRows::Conversation c;
  c.row.rowid = rowid;
  c.row.id = ConversationId(id);
  c.row.app = kApp;
  c.participants = {UserId("alice"), UserId("bob")};
  return c;
}

TEST(HotRows, HoldsAConversationForItsAppOnly) {
  HotRows hot;
  const ConversationId id("c0000000-0000-4000-8000-000000000001");
  EXPECT_EQ(hot.FindConversation(kApp, id), nullptr);
  hot.PutConversation(Held(id.str(), 7));
  ASSERT_NE(hot.FindConversation(kApp, id), nullptr);
  EXPECT_EQ(hot.FindConversation(kApp, id)->row.rowid, 7);
  EXPECT_EQ(hot.FindConversation(kOtherApp, id), nullptr);
  hot.Clear();
  EXPECT_EQ(hot.FindConversation(kApp, id), nullptr);
}

TEST(HotRows, NamesAreKeptPerAppAndUserWhateverTheIdsHold) {
  HotRows hot;
  hot.PutName(kApp, UserId("bob"), "Bob");
  ASSERT_NE(hot.FindName(kApp, UserId("bob")), nullptr);
  EXPECT_EQ(*hot.FindName(kApp, UserId("bob")), "Bob");
  EXPECT_EQ(hot.FindName(kOtherApp, UserId("bob")), nullptr);
  // Joined without a separator these two keys would be the same text.
  hot.PutName(AppId("ab"), UserId("c"), "one");
  EXPECT_EQ(hot.FindName(AppId("a"), UserId("bc")), nullptr);
  hot.Clear();
  EXPECT_EQ(hot.FindName(kApp, UserId("bob")), nullptr);
}

MessageRow WrittenMessage(const std::string& id) {
  MessageRow row;
  row.rowid = 3;
  row.conv = 7;
  row.app = kApp;
  row.message.id = MessageId(id);
  return row;
}

TEST(HotRows, DeliveryFlagsArePerAppAndTypeAndKind) {
  HotRows hot;
  EXPECT_EQ(hot.FindWebhookWants(kApp, "message.sent"), nullptr);
  EXPECT_EQ(hot.FindHasPushTokens(kApp), nullptr);
  hot.PutWebhookWants(kApp, "message.sent", true);
  hot.PutWebhookWants(kApp, "message.read", false);
  hot.PutHasPushTokens(kOtherApp, true);
  ASSERT_NE(hot.FindWebhookWants(kApp, "message.sent"), nullptr);
  EXPECT_TRUE(*hot.FindWebhookWants(kApp, "message.sent"));
  ASSERT_NE(hot.FindWebhookWants(kApp, "message.read"), nullptr);
  EXPECT_FALSE(*hot.FindWebhookWants(kApp, "message.read"));
  EXPECT_EQ(hot.FindWebhookWants(kOtherApp, "message.sent"), nullptr);
  // A webhook type of "" is not the app's token flag, nor the other way round.
  EXPECT_EQ(hot.FindHasPushTokens(kApp), nullptr);
  EXPECT_EQ(hot.FindWebhookWants(kOtherApp, ""), nullptr);
  ASSERT_NE(hot.FindHasPushTokens(kOtherApp), nullptr);
  EXPECT_TRUE(*hot.FindHasPushTokens(kOtherApp));
  hot.Clear();
  EXPECT_EQ(hot.FindWebhookWants(kApp, "message.sent"), nullptr);
  EXPECT_EQ(hot.FindHasPushTokens(kOtherApp), nullptr);
}

TEST(HotRows, HoldsTheMessagesItWroteUntilCleared) {
  HotRows hot;
  EXPECT_EQ(hot.FindMessage(MessageId("m1")), nullptr);
  hot.PutMessage(WrittenMessage("m1"));
  ASSERT_NE(hot.FindMessage(MessageId("m1")), nullptr);
  EXPECT_EQ(hot.FindMessage(MessageId("m1"))->conv, 7);
  hot.FindMessage(MessageId("m1"))->message.recipient_status[UserId("bob")] =
      ReceiptState::kRead;  // a receipt updates the held row in place
  EXPECT_EQ(hot.FindMessage(MessageId("m1"))->message.recipient_status.at(UserId("bob")),
            ReceiptState::kRead);
  hot.Clear();
  EXPECT_EQ(hot.FindMessage(MessageId("m1")), nullptr);
}

TEST(HotRows, StartsAgainEmptyPastItsBound) {
  HotRows hot;
  for (size_t i = 0; i < HotRows::kMaxEntries; ++i) {
    hot.PutConversation(Held("conversation-" + std::to_string(i), static_cast<int64_t>(i)));
    hot.PutName(kApp, UserId("user-" + std::to_string(i)), "name");
    hot.PutMessage(WrittenMessage("message-" + std::to_string(i)));
    hot.PutWebhookWants(kApp, "type-" + std::to_string(i), true);
  }
  ASSERT_NE(hot.FindMessage(MessageId("message-0")), nullptr);
  ASSERT_NE(hot.FindWebhookWants(kApp, "type-0"), nullptr);
  hot.PutMessage(WrittenMessage("one-more"));
  hot.PutHasPushTokens(kApp, true);
  EXPECT_EQ(hot.FindMessage(MessageId("message-0")), nullptr);
  EXPECT_EQ(hot.FindWebhookWants(kApp, "type-0"), nullptr);
  EXPECT_NE(hot.FindMessage(MessageId("one-more")), nullptr);
  EXPECT_NE(hot.FindHasPushTokens(kApp), nullptr);
  const ConversationId first("conversation-0");
  ASSERT_NE(hot.FindConversation(kApp, first), nullptr);
  ASSERT_NE(hot.FindName(kApp, UserId("user-0")), nullptr);
  hot.PutConversation(Held("one-more", 1));
  hot.PutName(kApp, UserId("one-more"), "name");
  EXPECT_EQ(hot.FindConversation(kApp, first), nullptr);
  EXPECT_EQ(hot.FindName(kApp, UserId("user-0")), nullptr);
  EXPECT_NE(hot.FindConversation(kApp, ConversationId("one-more")), nullptr);
  EXPECT_NE(hot.FindName(kApp, UserId("one-more")), nullptr);
}

}  // namespace
}  // namespace relayer::sqlite
