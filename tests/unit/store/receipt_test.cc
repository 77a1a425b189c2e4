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

// A receipt reads the message the writer just wrote from what it holds (hot_rows.h): what the
// receipt works on is what a read returns, base64 and notification included, and a display name
// changed in between is the new one.
TEST_P(StoreConformance, AReceiptSeesTheMessageAsAReadReturnsIt) {
  Identity alice;
  alice.user_id = U("alice");
  alice.display_name = "Alice";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, alice, Now()}).status.ok());
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  CreateMessageOp op = MessageOp(c.id, "alice", "one");
  op.parts.push_back(MessagePart{"image/png", "aGk=", "base64", std::nullopt});
  op.notification = boost::json::object{{"text", "hi"}, {"sound", "x"}};
  ASSERT_TRUE(Write(op).status.ok());
  const MessageId id = op.generated_id;
  auto expect_as_read = [&](const Message& got) {
    auto read = store().GetMessage(app_, U("bob"), id);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(got.id, read->id);
    EXPECT_EQ(got.conversation_id, read->conversation_id);
    EXPECT_EQ(got.position, read->position);
    EXPECT_EQ(got.sender.user_id, read->sender.user_id);
    EXPECT_EQ(got.sender.name, read->sender.name);
    EXPECT_EQ(got.sent_at, read->sent_at);
    ASSERT_EQ(got.parts.size(), read->parts.size());
    for (size_t i = 0; i < got.parts.size(); ++i) {
      EXPECT_EQ(got.parts[i].mime_type, read->parts[i].mime_type);
      EXPECT_EQ(got.parts[i].body, read->parts[i].body);
      EXPECT_EQ(got.parts[i].encoding, read->parts[i].encoding);
    }
    EXPECT_EQ(got.notification, read->notification);
    EXPECT_EQ(got.recipient_status, read->recipient_status);
  };
  WriteResult delivered = Write(PostReceiptOp{app_, id, U("bob"), ReceiptType::kDelivery, Now()});
  ASSERT_TRUE(delivered.status.ok() && delivered.message);
  expect_as_read(*delivered.message);
  EXPECT_EQ(delivered.message->sender.name, "Alice");
  alice.display_name = "Alice B";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, alice, Now()}).status.ok());
  WriteResult read = Write(PostReceiptOp{app_, id, U("carol"), ReceiptType::kRead, Now()});
  ASSERT_TRUE(read.status.ok() && read.message);
  expect_as_read(*read.message);
  EXPECT_EQ(read.message->sender.name, "Alice B");
  EXPECT_EQ(read.message->recipient_status.at(U("bob")), ReceiptState::kDelivered);
  EXPECT_EQ(read.message->recipient_status.at(U("carol")), ReceiptState::kRead);
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
