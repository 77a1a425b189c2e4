// Messages: creation, positions, recipient status, unread counts, deletion, paging.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

TEST_P(StoreConformance, MessagesGetIncreasingPositionsAndInitialRecipientStatus) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  Message m1 = Send(c.id, "alice", "one");
  Message m2 = Send(c.id, "bob", "two");
  EXPECT_EQ(m1.position, 1);
  EXPECT_EQ(m2.position, 2);
  EXPECT_EQ(m1.recipient_status.at(U("alice")), ReceiptState::kRead);
  EXPECT_EQ(m1.recipient_status.at(U("bob")), ReceiptState::kSent);
  EXPECT_EQ(m1.recipient_status.at(U("carol")), ReceiptState::kSent);
  EXPECT_EQ(m1.recipient_status.size(), 3u);

  auto got = store().GetMessage(app_, U("carol"), m2.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->conversation_id, c.id);
  EXPECT_EQ(got->sender.user_id, U("bob"));
  ASSERT_EQ(got->parts.size(), 1u);
  EXPECT_EQ(got->parts[0].mime_type, "text/plain");
  EXPECT_EQ(got->parts[0].body, "two");
  EXPECT_EQ(got->sent_at, m2.sent_at);
}

// The writer keeps what a send reads between sends (SQLite's hot_rows.h); each of these changes
// between two sends must show in the second.
TEST_P(StoreConformance, EachSendNamesTheSenderAsTheIdentityIsThen) {
  Conversation c = MakeConversation("alice", {"bob"});
  EXPECT_EQ(Send(c.id, "alice", "one").sender.name, "");
  Identity alice;
  alice.user_id = U("alice");
  alice.display_name = "Alice A";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, alice, Now()}).status.ok());
  EXPECT_EQ(Send(c.id, "alice", "two").sender.name, "Alice A");
  alice.display_name = "Alice B";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, alice, Now()}).status.ok());
  Message three = Send(c.id, "alice", "three");
  EXPECT_EQ(three.sender.name, "Alice B");
  EXPECT_EQ(three.position, 3);
}

TEST_P(StoreConformance, ASendAfterAFailedOneTakesTheNextPosition) {
  Conversation c = MakeConversation("alice", {"bob"});
  EXPECT_EQ(Send(c.id, "alice", "one").position, 1);
  CreateMessageOp bad = MessageOp(c.id, "bob");
  bad.parts[0].mime_type = "textplain";
  EXPECT_EQ(Write(bad).status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(Send(c.id, "bob", "two").position, 2);
  EXPECT_EQ(Send(c.id, "alice", "three").position, 3);
}

TEST_P(StoreConformance, PartsAndNotificationRoundTrip) {
  Conversation c = MakeConversation("alice", {"bob"});
  const ContentId content("c0000000-0000-4000-8000-0000000000aa");
  ContentInfo info{content, app_, U("alice"), "video/mp4", 123456, Now(), std::nullopt};
  ASSERT_TRUE(Write(CreateContentOp{app_, info}).status.ok());
  ASSERT_TRUE(Write(CompleteContentOp{app_, content, Now()}).status.ok());
  CreateMessageOp op = MessageOp(c.id, "alice");
  op.parts.push_back(MessagePart{"image/png", "aGVsbG8=", "base64", std::nullopt});
  op.parts.push_back(MessagePart{
      "video/mp4", "", "", ContentRef{ContentId("c0000000-0000-4000-8000-0000000000aa"), 123456}});
  op.notification = boost::json::object{{"text", "hello"}, {"sound", "ding.aiff"}};
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  auto got = store().GetMessage(app_, U("bob"), r.message->id);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->parts.size(), 3u);
  EXPECT_EQ(got->parts[1].encoding, "base64");
  EXPECT_EQ(got->parts[1].body, "aGVsbG8=");
  ASSERT_TRUE(got->parts[2].content.has_value());
  EXPECT_EQ(got->parts[2].content->id.str(), "c0000000-0000-4000-8000-0000000000aa");
  EXPECT_EQ(got->parts[2].content->size, 123456);
  ASSERT_TRUE(got->notification.has_value());
  EXPECT_EQ(got->notification->at("text").as_string(), "hello");
}

TEST_P(StoreConformance, InvalidPartsAreRejectedAndNothingIsWritten) {
  Conversation c = MakeConversation("alice", {"bob"});
  CreateMessageOp op = MessageOp(c.id, "alice");
  op.parts[0].mime_type = "textplain";
  EXPECT_EQ(Write(op).status.code(), ErrorCode::kInvalidProperty);
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 0);
  EXPECT_EQ(Unread(c.id, "bob"), 0);
}

TEST_P(StoreConformance, NamedServiceMaySendWithoutBeingAParticipant) {
  Conversation c = MakeConversation("alice", {"bob"});
  CreateMessageOp op = MessageOp(c.id, "alice");
  op.sender = Sender{std::nullopt, "Bot"};
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_FALSE(r.message->sender.user_id.has_value());
  EXPECT_EQ(r.message->sender.name, "Bot");
  EXPECT_EQ(r.message->recipient_status.at(U("alice")), ReceiptState::kSent);
  EXPECT_EQ(Unread(c.id, "alice"), 1);
  EXPECT_EQ(Unread(c.id, "bob"), 1);
  auto got = store().GetMessage(app_, U("bob"), r.message->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sender.name, "Bot");
  EXPECT_FALSE(got->sender.user_id.has_value());
}

TEST_P(StoreConformance, MessageClientChosenIdReusedIsIdInUseWithExisting) {
  Conversation c = MakeConversation("alice", {"bob"});
  CreateMessageOp op = MessageOp(c.id, "alice", "once");
  op.id = NewMessageId();
  ASSERT_EQ(Write(op).outcome, CreateOutcome::kCreated);
  WriteResult retry = Write(op);
  ASSERT_TRUE(retry.status.ok());
  EXPECT_EQ(retry.outcome, CreateOutcome::kIdInUse);
  ASSERT_TRUE(retry.message.has_value());
  EXPECT_EQ(retry.message->id, *op.id);
  EXPECT_EQ(retry.message->position, 1);
  EXPECT_TRUE(retry.changes.empty());
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 1);
  EXPECT_EQ(Unread(c.id, "bob"), 1);
}

TEST_P(StoreConformance, MessageIdOfAnotherConversationsMessageIsIdInUseWithoutData) {
  Conversation ab = MakeConversation("alice", {"bob"});
  Conversation ce = MakeConversation("carol", {"eve"});
  CreateMessageOp op = MessageOp(ab.id, "alice");
  op.id = NewMessageId();
  ASSERT_TRUE(Write(op).status.ok());
  CreateMessageOp other = MessageOp(ce.id, "carol");
  other.id = op.id;
  WriteResult r = Write(other);
  EXPECT_EQ(r.status.code(), ErrorCode::kIdInUse);
  EXPECT_FALSE(r.message.has_value());
}

TEST_P(StoreConformance, UnreadCountsRiseForEveryoneButTheSender) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  Send(c.id, "alice");
  Send(c.id, "alice");
  Send(c.id, "bob");
  EXPECT_EQ(Unread(c.id, "alice"), 1);
  EXPECT_EQ(Unread(c.id, "bob"), 2);
  EXPECT_EQ(Unread(c.id, "carol"), 3);
}

TEST_P(StoreConformance, ConversationShowsLastMessageAndTotal) {
  Conversation c = MakeConversation("alice", {"bob"});
  Send(c.id, "alice", "first");
  Message last = Send(c.id, "bob", "second");
  auto got = store().GetConversation(app_, U("alice"), c.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->total_message_count, 2);
  EXPECT_EQ(got->last_position, 2);
  ASSERT_TRUE(got->last_message.has_value());
  EXPECT_EQ(got->last_message->id, last.id);
  EXPECT_EQ(got->last_message->parts.at(0).body, "second");
}

TEST_P(StoreConformance, CreateMessageEmitsCreateChangeToAllParticipants) {
  Conversation c = MakeConversation("alice", {"bob"});
  WriteResult r = Write(MessageOp(c.id, "alice"));
  ASSERT_EQ(r.changes.size(), 1u);
  const Change& ch = r.changes[0];
  EXPECT_EQ(ch.op, ChangeOp::kCreate);
  EXPECT_EQ(ch.type, ObjectType::kMessage);
  EXPECT_EQ(ch.object_id, r.message->id.str());
  EXPECT_EQ(ch.conversation_id, c.id);
  EXPECT_EQ(ch.recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  EXPECT_GT(ch.seq, 0);
  auto bob = Changes("bob");
  ASSERT_EQ(bob.size(), 2u);
  EXPECT_EQ(bob[1].seq, ch.seq);
  EXPECT_EQ(bob[1].object_id, ch.object_id);
}

TEST_P(StoreConformance, ListMessagesIsNewestFirstAndPagesWithFromId) {
  Limits limits;
  limits.max_page_size = 4;
  Open(limits);
  Conversation c = MakeConversation("alice", {"bob"});
  for (int i = 1; i <= 10; ++i) Send(c.id, "alice", std::to_string(i));
  auto page1 = store().ListMessages(app_, U("bob"), c.id, Page{100, std::nullopt});
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(page1->total, 10);
  ASSERT_EQ(page1->items.size(), 4u);  // capped by max_page_size
  EXPECT_EQ(page1->items[0].position, 10);
  EXPECT_EQ(page1->items[3].position, 7);
  auto page2 = store().ListMessages(app_, U("bob"), c.id, Page{3, page1->items[3].id.str()});
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->items.size(), 3u);
  EXPECT_EQ(page2->items[0].position, 6);
  EXPECT_EQ(page2->items[2].position, 4);
  auto page3 = store().ListMessages(app_, U("bob"), c.id,
                                    Page{4, "layer:///messages/" + page2->items[2].id.str()});
  ASSERT_TRUE(page3.ok());
  ASSERT_EQ(page3->items.size(), 3u);
  EXPECT_EQ(page3->items[2].position, 1);
}

TEST_P(StoreConformance, DeleteMessageForAllRemovesItAndFixesUnreadCounts) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  Message m1 = Send(c.id, "alice");
  Message m2 = Send(c.id, "alice");
  Receipt(m1.id, "carol", ReceiptType::kRead);
  EXPECT_EQ(Unread(c.id, "bob"), 2);
  EXPECT_EQ(Unread(c.id, "carol"), 1);
  WriteResult r =
      Write(DeleteMessageOp{app_, m1.id, U("bob"), DeletionMode::kAllParticipants, Now()});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(Unread(c.id, "bob"), 1);
  EXPECT_EQ(Unread(c.id, "carol"), 1);  // m1 was read already
  for (const char* u : {"alice", "bob", "carol"}) {
    EXPECT_EQ(store().GetMessage(app_, U(u), m1.id).status().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store().ListMessages(app_, U(u), c.id, Page{})->total, 1);
  }
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].op, ChangeOp::kDelete);
  EXPECT_EQ(r.changes[0].type, ObjectType::kMessage);
  EXPECT_EQ(r.changes[0].recipients.size(), 3u);
  EXPECT_EQ(r.changes[0].data_json, R"({"mode":"all_participants"})");
  // Positions are never reused.
  EXPECT_EQ(Send(c.id, "bob").position, 3);
  (void)m2;
}

TEST_P(StoreConformance, DeleteMessageForMyDevicesHidesItOnlyForTheActor) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m1 = Send(c.id, "alice");
  Message m2 = Send(c.id, "alice");
  WriteResult r = Write(DeleteMessageOp{app_, m1.id, U("bob"), DeletionMode::kMyDevices, Now()});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(store().GetMessage(app_, U("bob"), m1.id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store().GetMessage(app_, U("alice"), m1.id).ok());
  EXPECT_EQ(Unread(c.id, "bob"), 1);
  auto bob_list = store().ListMessages(app_, U("bob"), c.id, Page{});
  ASSERT_EQ(bob_list->items.size(), 1u);
  EXPECT_EQ(bob_list->items[0].id, m2.id);
  EXPECT_EQ(bob_list->total, 1);
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->total, 2);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].recipients, std::vector<UserId>{U("bob")});
  // A hidden message takes no receipts from that user.
  EXPECT_EQ(Write(PostReceiptOp{app_, m1.id, U("bob"), ReceiptType::kRead, Now()}).status.code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::testing

namespace relayer::testing {
namespace {

// Layer-Count comes from stored counts (schema v2): they must follow every kind of deletion.
TEST_P(StoreConformance, MessageCountsFollowHidingAndDeletion) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  std::vector<Message> m;
  for (int i = 0; i < 5; ++i) m.push_back(Send(c.id, "alice", "m" + std::to_string(i)));
  // alice hides m1 on her devices; bob hides the whole conversation so far (m0..m4).
  ASSERT_TRUE(Write(DeleteMessageOp{app_, m[1].id, U("alice"), DeletionMode::kMyDevices, Now()})
                  .status.ok());
  ASSERT_TRUE(
      Write(DeleteConversationOp{app_, c.id, U("bob"), DeletionMode::kMyDevices, false, Now()})
          .status.ok());
  m.push_back(Send(c.id, "alice", "m5"));
  m.push_back(Send(c.id, "alice", "m6"));
  // m2 goes for everyone: it was below bob's watermark, and visible to alice.
  ASSERT_TRUE(
      Write(DeleteMessageOp{app_, m[2].id, U("carol"), DeletionMode::kAllParticipants, Now()})
          .status.ok());
  // m1, hidden for alice only, goes for everyone too: her count must not drop twice.
  ASSERT_TRUE(
      Write(DeleteMessageOp{app_, m[1].id, U("carol"), DeletionMode::kAllParticipants, Now()})
          .status.ok());
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->total, 5);  // m0 m3 m4 m5 m6
  EXPECT_EQ(store().ListMessages(app_, U("bob"), c.id, Page{})->total, 2);    // m5 m6
  EXPECT_EQ(store().GetConversation(app_, U("alice"), c.id)->total_message_count, 5);
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 2);
  EXPECT_EQ(store().ListMessages(app_, U("alice"), c.id, Page{})->items.size(), 5u);
  EXPECT_EQ(store().ListMessages(app_, U("bob"), c.id, Page{})->items.size(), 2u);
  EXPECT_EQ(store().ListMessages(app_, U("carol"), c.id, Page{})->total, 5);
}

}  // namespace
}  // namespace relayer::testing
