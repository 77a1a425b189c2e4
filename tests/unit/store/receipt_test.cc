// Receipts and mark_all_read: states move forward only, unread counts follow.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

TEST_P(StoreConformance, ReceiptsNeverMoveBackwards) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice");
  Receipt(m.id, "bob", ReceiptType::kRead);
  WriteResult r = Write(PostReceiptOp{app_, m.id, U("bob"), ReceiptType::kDelivery, Now()});
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(store().GetMessage(app_, U("alice"), m.id)->recipient_status.at(U("bob")),
            ReceiptState::kRead);
}

TEST_P(StoreConformance, DeliveryThenReadEmitRecipientStatusPatches) {
  Conversation c = MakeConversation("alice", {"bob.smith"});
  Message m = Send(c.id, "alice");
  WriteResult d = Write(PostReceiptOp{app_, m.id, U("bob.smith"), ReceiptType::kDelivery, Now()});
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.changes.size(), 1u);  // delivery leaves the unread count alone
  EXPECT_EQ(d.changes[0].op, ChangeOp::kUpdate);
  EXPECT_EQ(d.changes[0].type, ObjectType::kMessage);
  EXPECT_EQ(d.changes[0].object_id, m.id.str());
  EXPECT_EQ(d.changes[0].recipients, (std::vector<UserId>{U("alice"), U("bob.smith")}));
  EXPECT_EQ(
      d.changes[0].data_json,
      R"([{"operation":"set","property":"recipient_status.layer:///identities/bob\\.smith","value":"delivered"}])");
  EXPECT_EQ(Unread(c.id, "bob.smith"), 1);

  WriteResult r = Write(PostReceiptOp{app_, m.id, U("bob.smith"), ReceiptType::kRead, Now()});
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_NE(r.changes[0].data_json.find("\"read\""), std::string::npos);
  EXPECT_EQ(r.changes[1].type, ObjectType::kConversation);
  EXPECT_EQ(r.changes[1].recipients, std::vector<UserId>{U("bob.smith")});
  EXPECT_EQ(r.changes[1].data_json,
            R"([{"operation":"set","property":"unread_message_count","value":0}])");
  EXPECT_EQ(Unread(c.id, "bob.smith"), 0);
  EXPECT_EQ(r.message->recipient_status.at(U("bob.smith")), ReceiptState::kRead);
}

TEST_P(StoreConformance, ReadReceiptWithoutDeliveryImpliesDelivered) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice");
  Receipt(m.id, "bob", ReceiptType::kRead);
  EXPECT_EQ(store().GetMessage(app_, U("bob"), m.id)->recipient_status.at(U("bob")),
            ReceiptState::kRead);
  WriteResult again = Write(PostReceiptOp{app_, m.id, U("bob"), ReceiptType::kRead, Now()});
  EXPECT_TRUE(again.status.ok());
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(Unread(c.id, "bob"), 0);
}

TEST_P(StoreConformance, SendersOwnReceiptAndLateJoinersReceiptAreNoOps) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice");
  WriteResult own = Write(PostReceiptOp{app_, m.id, U("alice"), ReceiptType::kDelivery, Now()});
  EXPECT_TRUE(own.status.ok());
  EXPECT_TRUE(own.changes.empty());

  PatchConversationOp add{app_, c.id, U("alice"), {}, Now()};
  add.patch.add_participants.push_back(U("carol"));
  ASSERT_TRUE(Write(add).status.ok());
  WriteResult late = Write(PostReceiptOp{app_, m.id, U("carol"), ReceiptType::kRead, Now()});
  EXPECT_TRUE(late.status.ok());
  EXPECT_TRUE(late.changes.empty());
  EXPECT_EQ(store().GetMessage(app_, U("carol"), m.id)->recipient_status.count(U("carol")), 0u);
  EXPECT_EQ(Unread(c.id, "carol"), 0);
}

TEST_P(StoreConformance, MarkAllReadUpToPositionReadsThoseAndCountsTheRest) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  std::vector<Message> sent;
  for (int i = 0; i < 5; ++i) sent.push_back(Send(c.id, "alice"));
  Receipt(sent[1].id, "bob", ReceiptType::kRead);  // already read: no change for it
  EXPECT_EQ(Unread(c.id, "bob"), 4);
  WriteResult r = Write(MarkAllReadOp{app_, c.id, U("bob"), 3, Now()});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(Unread(c.id, "bob"), 2);
  EXPECT_EQ(Unread(c.id, "carol"), 5);
  ASSERT_TRUE(r.conversation.has_value());
  EXPECT_EQ(r.conversation->unread_message_count, 2);
  // Two message updates (positions 1 and 3) to everyone, then the count to bob.
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_EQ(r.changes[0].object_id, sent[0].id.str());
  EXPECT_EQ(r.changes[1].object_id, sent[2].id.str());
  EXPECT_EQ(r.changes[0].recipients.size(), 3u);
  EXPECT_EQ(r.changes[2].type, ObjectType::kConversation);
  EXPECT_EQ(r.changes[2].recipients, std::vector<UserId>{U("bob")});
  EXPECT_EQ(r.changes[2].data_json,
            R"([{"operation":"set","property":"unread_message_count","value":2}])");
  EXPECT_EQ(store().GetMessage(app_, U("bob"), sent[3].id)->recipient_status.at(U("bob")),
            ReceiptState::kSent);

  ASSERT_TRUE(Write(MarkAllReadOp{app_, c.id, U("bob"), std::nullopt, Now()}).status.ok());
  EXPECT_EQ(Unread(c.id, "bob"), 0);
  EXPECT_EQ(store().GetMessage(app_, U("bob"), sent[4].id)->recipient_status.at(U("bob")),
            ReceiptState::kRead);
  WriteResult again = Write(MarkAllReadOp{app_, c.id, U("bob"), std::nullopt, Now()});
  EXPECT_TRUE(again.status.ok());
  EXPECT_TRUE(again.changes.empty());
}

TEST_P(StoreConformance, MessagesAfterMarkAllReadAreUnreadAgain) {
  Conversation c = MakeConversation("alice", {"bob"});
  Send(c.id, "alice");
  ASSERT_TRUE(Write(MarkAllReadOp{app_, c.id, U("bob"), std::nullopt, Now()}).status.ok());
  Message m = Send(c.id, "alice");
  EXPECT_EQ(Unread(c.id, "bob"), 1);
  ASSERT_TRUE(Write(MarkAllReadOp{app_, c.id, U("bob"), std::nullopt, Now()}).status.ok());
  EXPECT_EQ(Unread(c.id, "bob"), 0);
  EXPECT_EQ(store().GetMessage(app_, U("alice"), m.id)->recipient_status.at(U("bob")),
            ReceiptState::kRead);
}

}  // namespace
}  // namespace relayer::testing
