// The change log: content, order, per-viewer filtering, replay by seq and by time.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

TEST_P(StoreConformance, ChangeLogIsOrderedAndFilteredPerViewer) {
  Conversation ab = MakeConversation("alice", {"bob"});
  Conversation ac = MakeConversation("alice", {"carol"});
  Message m1 = Send(ab.id, "alice");
  Message m2 = Send(ac.id, "carol");
  Receipt(m1.id, "bob", ReceiptType::kRead);

  auto alice = Changes("alice");
  // create ab, create ac, m1, m2, bob's receipt on m1 (alice is a participant of ab).
  ASSERT_EQ(alice.size(), 5u);
  for (size_t i = 1; i < alice.size(); ++i) EXPECT_GT(alice[i].seq, alice[i - 1].seq);
  for (size_t i = 1; i < alice.size(); ++i) EXPECT_GE(alice[i].ts, alice[i - 1].ts);
  EXPECT_EQ(alice[0].object_id, ab.id.str());
  EXPECT_EQ(alice[1].object_id, ac.id.str());
  EXPECT_EQ(alice[2].object_id, m1.id.str());
  EXPECT_EQ(alice[3].object_id, m2.id.str());
  EXPECT_EQ(alice[4].op, ChangeOp::kUpdate);

  auto bob = Changes("bob");
  // create ab, m1, receipt update, bob's own unread count update.
  ASSERT_EQ(bob.size(), 4u);
  EXPECT_EQ(bob[0].type, ObjectType::kConversation);
  EXPECT_EQ(bob[1].type, ObjectType::kMessage);
  EXPECT_EQ(bob[3].type, ObjectType::kConversation);
  EXPECT_EQ(bob[3].recipients, std::vector<UserId>{U("bob")});
  for (const Change& ch : Changes("carol")) EXPECT_NE(ch.conversation_id, ab.id);
}

TEST_P(StoreConformance, ChangesAfterSeqAndLimit) {
  Conversation c = MakeConversation("alice", {"bob"});
  for (int i = 0; i < 5; ++i) Send(c.id, "alice");
  auto all = Changes("bob");
  ASSERT_EQ(all.size(), 6u);
  auto after = store().ChangesFor(app_, U("bob"), all[2].seq, 0, 2);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].seq, all[3].seq);
  EXPECT_EQ((*after)[1].seq, all[4].seq);
}

TEST_P(StoreConformance, ChangesFromTimestampWhenNoSeq) {
  Conversation c = MakeConversation("alice", {"bob"});
  Send(c.id, "alice");
  const TimeMs cut = Now();
  Message later = Send(c.id, "alice");
  auto from = store().ChangesFor(app_, U("bob"), 0, cut, 100);
  ASSERT_TRUE(from.ok());
  ASSERT_EQ(from->size(), 1u);
  EXPECT_EQ((*from)[0].object_id, later.id.str());
  EXPECT_EQ((*from)[0].ts, later.sent_at);
}

// Writes take their time before they queue, so commit order and time order may disagree a little:
// a replay from a time returns every change stamped at or after it, and every change committed
// after the first of those, whatever its stamp.
TEST_P(StoreConformance, ChangesFromTimestampIncludeOnesCommittedBeforeAnEarlierStamp) {
  Conversation c = MakeConversation("alice", {"bob"});
  const TimeMs t = Now() + 1000;
  CreateMessageOp late_stamp = MessageOp(c.id, "alice", "stamped later, committed first");
  late_stamp.now = t + 5;
  CreateMessageOp early_stamp = MessageOp(c.id, "alice", "stamped earlier, committed second");
  early_stamp.now = t;
  WriteResult first = Write(late_stamp);
  WriteResult second = Write(early_stamp);
  ASSERT_TRUE(first.status.ok() && second.status.ok());
  auto from = store().ChangesFor(app_, U("bob"), 0, t, 100);
  ASSERT_TRUE(from.ok());
  std::vector<std::string> ids;
  for (const auto& change : *from) ids.push_back(change.object_id);
  EXPECT_EQ(ids, (std::vector<std::string>{first.message->id.str(), second.message->id.str()}));
  // A client whose last packet was the later-stamped change (its socket's node died before the
  // next one reached it) replays from that stamp: the change committed after it comes back too,
  // though it was stamped earlier. Changes committed before the starting one do not.
  auto after = store().ChangesFor(app_, U("bob"), 0, t + 5, 100);
  ASSERT_TRUE(after.ok());
  ids.clear();
  for (const auto& change : *after) ids.push_back(change.object_id);
  EXPECT_EQ(ids, (std::vector<std::string>{first.message->id.str(), second.message->id.str()}));
  auto none = store().ChangesFor(app_, U("bob"), 0, t + 6, 100);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformance, WriteResultChangesMatchTheLog) {
  Conversation c = MakeConversation("alice", {"bob"});
  WriteResult r = Write(MessageOp(c.id, "alice"));
  ASSERT_EQ(r.changes.size(), 1u);
  auto logged = Changes("alice");
  const Change& last = logged.back();
  EXPECT_EQ(last.seq, r.changes[0].seq);
  EXPECT_EQ(last.ts, r.changes[0].ts);
  EXPECT_EQ(last.op, r.changes[0].op);
  EXPECT_EQ(last.type, r.changes[0].type);
  EXPECT_EQ(last.object_id, r.changes[0].object_id);
  EXPECT_EQ(last.conversation_id, r.changes[0].conversation_id);
  EXPECT_EQ(last.recipients, r.changes[0].recipients);
  EXPECT_EQ(last.data_json, r.changes[0].data_json);
}

TEST_P(StoreConformance, FailedOperationLeavesNoChanges) {
  Conversation c = MakeConversation("alice", {"bob"});
  const size_t before = Changes("bob").size();
  CreateMessageOp bad = MessageOp(c.id, "alice");
  bad.parts.clear();
  bad.parts.push_back(MessagePart{"text/plain", std::string(5000, 'x'), "", std::nullopt});
  EXPECT_FALSE(Write(bad).status.ok());
  EXPECT_EQ(Changes("bob").size(), before);
}

TEST_P(StoreConformance, ChangesOfAnotherAppAreNotReturned) {
  MakeConversation("alice", {"bob"});
  AppId other("a0000000-0000-4000-8000-000000000002");
  auto changes = store().ChangesFor(other, U("bob"), 0, 0, 100);
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
}

// Object ids of a viewer's replayed changes, in the order given.
std::vector<std::string> ObjectIds(const std::vector<Change>& changes) {
  std::vector<std::string> ids;
  for (const Change& c : changes) ids.push_back(c.object_id);
  return ids;
}

// A user removed while away replays what happened up to its removal (the messages, then the
// conversation deleted for it) and nothing of the conversation after.
TEST_P(StoreConformance, AReplayAfterRemovalEndsWithTheRemoval) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  const int64_t away = Changes("carol").back().seq;
  Message before = Send(c.id, "alice", "before");
  Receipt(before.id, "bob", ReceiptType::kRead);
  PatchConversationOp remove{app_, c.id, U("alice"), {}, Now()};
  remove.patch.remove_participants.push_back(U("carol"));
  ASSERT_TRUE(Write(remove).status.ok());
  Message after = Send(c.id, "alice", "after");
  Receipt(after.id, "bob", ReceiptType::kRead);

  auto replay = Changes("carol", away);
  ASSERT_EQ(replay.size(), 3u);
  EXPECT_EQ(replay[0].object_id, before.id.str());
  EXPECT_EQ(replay[0].op, ChangeOp::kCreate);
  EXPECT_EQ(replay[1].object_id, before.id.str());  // bob's read receipt
  EXPECT_EQ(replay[1].op, ChangeOp::kUpdate);
  EXPECT_EQ(replay[2].object_id, c.id.str());
  EXPECT_EQ(replay[2].op, ChangeOp::kDelete);
  // Added back, it gets what comes from then on, not what it missed while out.
  PatchConversationOp add{app_, c.id, U("alice"), {}, Now()};
  add.patch.add_participants.push_back(U("carol"));
  ASSERT_TRUE(Write(add).status.ok());
  Message again = Send(c.id, "alice", "again");
  auto later = Changes("carol", away);
  ASSERT_GE(later.size(), 5u);
  EXPECT_EQ(ObjectIds(later).back(), again.id.str());
  for (const Change& ch : later) EXPECT_NE(ch.object_id, after.id.str());
  for (size_t i = 1; i < later.size(); ++i) EXPECT_GT(later[i].seq, later[i - 1].seq);
}

TEST_P(StoreConformance, AJoinerReplaysNothingFromBeforeItJoined) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message early = Send(c.id, "alice", "early");
  PatchConversationOp add{app_, c.id, U("alice"), {}, Now()};
  add.patch.add_participants.push_back(U("dave"));
  ASSERT_TRUE(Write(add).status.ok());
  Message late = Send(c.id, "bob", "late");
  auto dave = Changes("dave");
  ASSERT_FALSE(dave.empty());
  EXPECT_EQ(dave.back().object_id, late.id.str());
  for (const Change& ch : dave) EXPECT_NE(ch.object_id, early.id.str());
}

// Deleted for everyone: each member's replay still has what came before the deletion.
TEST_P(StoreConformance, AReplayAfterTheConversationIsDeletedForAllHasWhatCameBefore) {
  Conversation c = MakeConversation("alice", {"bob"});
  const int64_t away = Changes("bob").back().seq;
  Message m = Send(c.id, "alice");
  ASSERT_TRUE(Write(DeleteConversationOp{app_, c.id, U("alice"), DeletionMode::kAllParticipants,
                                         false, Now()})
                  .status.ok());
  EXPECT_EQ(ObjectIds(Changes("bob", away)), (std::vector<std::string>{m.id.str(), c.id.str()}));
  // Its messages and their changes do not leak into a conversation created afterwards.
  Conversation next = MakeConversation("alice", {"carol"});
  Send(next.id, "alice");
  EXPECT_EQ(ObjectIds(Changes("bob", away)), (std::vector<std::string>{m.id.str(), c.id.str()}));
}

// A replay merges the viewer's conversations, and its changes indexed by recipient, in commit
// order, and a limit cuts the merged sequence.
TEST_P(StoreConformance, AReplayAcrossConversationsIsInCommitOrderAndLimited) {
  Conversation ab = MakeConversation("alice", {"bob"});
  Conversation cb = MakeConversation("carol", {"bob"});
  const int64_t from = Changes("bob").back().seq;
  std::vector<std::string> sent;
  for (int i = 0; i < 3; ++i) {
    sent.push_back(Send(ab.id, "alice").id.str());
    sent.push_back(Send(cb.id, "carol").id.str());
  }
  Conversation db = MakeConversation("dave", {"bob"});
  sent.push_back(db.id.str());
  EXPECT_EQ(ObjectIds(Changes("bob", from)), sent);
  auto first_four = store().ChangesFor(app_, U("bob"), from, 0, 4);
  ASSERT_TRUE(first_four.ok());
  EXPECT_EQ(ObjectIds(*first_four), std::vector<std::string>(sent.begin(), sent.begin() + 4));
}

}  // namespace
}  // namespace relayer::testing
