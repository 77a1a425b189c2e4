// The sync log: every kind of action leaves its line, the filters and paging of ListSyncLog, and
// retention by age and by row count.
#include "core/sync_log.h"

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

std::vector<SyncLogEntry> Log(Store& store, const AppId& app, SyncLogFilter f = {}) {
  if (f.limit == 100) f.limit = 1000;
  auto log = store.ListSyncLog(app, f);
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? *log : std::vector<SyncLogEntry>{};
}

// Oldest first, rendered.
std::vector<std::string> Lines(Store& store, const AppId& app) {
  std::vector<std::string> out;
  auto log = Log(store, app);
  for (auto it = log.rbegin(); it != log.rend(); ++it) out.push_back(RenderSyncLine(*it));
  return out;
}

PatchOp MetadataSet(std::vector<std::string> path, std::string value) {
  PatchOp op;
  op.kind = PatchOpKind::kSet;
  op.path = std::move(path);
  op.value = boost::json::string(value);
  op.has_value = true;
  return op;
}

TEST_P(StoreConformance, SyncLogHasALineForEveryKindOfAction) {
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n1"), Now(), Now() + 100000}).status.ok());
  StartSessionOp start;
  start.app_id = app_;
  start.nonce = Nonce("n1");
  start.identity.user_id = U("alice");
  start.identity.display_name = "Alice";
  start.token = SessionToken("t1");
  start.now = Now();
  start.expires_at = start.now + 100000;
  ASSERT_TRUE(Write(start).status.ok());

  Conversation c = MakeConversation("alice", {"bob"});
  const std::string conv = ConversationUrl(c.id);
  PatchConversationOp add{app_, c.id, U("alice"), {}, Now()};
  add.patch.add_participants = {U("carol")};
  add.patch.remove_participants = {U("bob")};
  ASSERT_TRUE(Write(add).status.ok());
  PatchConversationOp meta{app_, c.id, U("alice"), {}, Now()};
  meta.patch.metadata_ops.push_back(MetadataSet({"metadata", "title"}, "Lunch"));
  ASSERT_TRUE(Write(meta).status.ok());

  Message m1 = Send(c.id, "alice");
  CreateMessageOp service = MessageOp(c.id, "alice");
  service.sender = Sender{std::nullopt, "Bot"};
  ASSERT_TRUE(Write(service).status.ok());
  Receipt(m1.id, "carol", ReceiptType::kDelivery);
  Receipt(m1.id, "carol", ReceiptType::kRead);
  Message m2 = Send(c.id, "alice");
  ASSERT_TRUE(Write(MarkAllReadOp{app_, c.id, U("carol"), std::nullopt, Now()}).status.ok());
  ASSERT_TRUE(Write(DeleteMessageOp{app_, m2.id, U("alice"), DeletionMode::kAllParticipants, Now()})
                  .status.ok());
  ASSERT_TRUE(
      Write(DeleteMessageOp{app_, m1.id, U("carol"), DeletionMode::kMyDevices, Now()}).status.ok());
  Identity profile;
  profile.user_id = U("dave");
  profile.display_name = "Dave";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, profile, Now()}).status.ok());
  ASSERT_TRUE(
      Write(DeleteConversationOp{app_, c.id, U("carol"), DeletionMode::kMyDevices, true, Now()})
          .status.ok());
  ASSERT_TRUE(Write(DeleteConversationOp{app_, c.id, U("alice"), DeletionMode::kAllParticipants,
                                         false, Now()})
                  .status.ok());

  const std::string msg1 = MessageUrl(m1.id), msg2 = MessageUrl(m2.id);
  std::vector<std::string> want = {
      "Sync: User alice updated identity layer:///identities/alice.",
      "Auth: User alice authenticated and started a session.",
      "Sync: User alice created conversation " + conv + ".",
      "Sync: User alice changed the participants of conversation " + conv +
          " (added carol; removed bob).",
      "Sync: User alice changed the metadata of conversation " + conv + ".",
      "Sync: User alice created a message in conversation " + conv + ".",
      "Sync: Service Bot created a message in conversation " + conv + ".",
      "Sync: User carol sent a delivery receipt for message " + msg1 + " in conversation " + conv +
          ".",
      "Sync: User carol sent a read receipt for message " + msg1 + " in conversation " + conv + ".",
      "Sync: User alice created a message in conversation " + conv + ".",
      "Sync: User carol marked 2 messages read in conversation " + conv + ".",
      "Sync: User alice deleted message " + msg2 + " in conversation " + conv +
          " for all participants.",
      "Sync: User carol deleted message " + msg1 + " in conversation " + conv +
          " for their devices.",
      "Sync: Service Platform API updated identity layer:///identities/dave.",
      "Sync: User carol left conversation " + conv + ".",
      "Sync: User alice deleted conversation " + conv + " for all participants.",
  };
  EXPECT_EQ(Lines(store(), app_), want);

  auto log = Log(store(), app_);
  ASSERT_EQ(log.size(), want.size());
  for (size_t i = 1; i < log.size(); ++i) EXPECT_LT(log[i].seq, log[i - 1].seq);
  EXPECT_EQ(log[log.size() - 6].verb, SyncVerb::kMessageCreated);
  EXPECT_EQ(log[log.size() - 6].object_id, m1.id.str());
  EXPECT_EQ(log[log.size() - 6].ts, m1.sent_at);
  EXPECT_EQ(log[log.size() - 6].conversation_id, c.id);
}

TEST_P(StoreConformance, SyncLogHasPlatformApiActions) {
  CreateConversationOp create;
  create.app_id = app_;
  create.generated_id = NewConversationId();
  create.creator = AppActor();
  create.participants = {U("ann"), U("bob")};
  create.now = Now();
  auto created = Write(create);
  ASSERT_TRUE(created.status.ok()) << created.status.message();
  const std::string conv = ConversationUrl(created.conversation->id);
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("zed"), Now()}).status.ok());
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("zed"), Now()}).status.ok());  // no change
  ASSERT_TRUE(Write(UnblockUserOp{app_, U("ann"), U("zed"), Now()}).status.ok());
  Identity profile;
  profile.user_id = U("dave");
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, profile, Now()}).status.ok());
  ASSERT_TRUE(Write(DeleteIdentityOp{app_, U("dave"), Now()}).status.ok());
  CreateAnnouncementOp ann;
  ann.app_id = app_;
  ann.id = MessageId("a0000000-0000-4000-8000-00000000000a");
  ann.sender_name = "Ops";
  ann.recipients = {U("ann"), U("bob")};
  MessagePart part;
  part.mime_type = "text/plain";
  part.body = "maintenance at noon";
  ann.parts = {part};
  ann.now = Now();
  ASSERT_TRUE(Write(ann).status.ok());
  EXPECT_EQ(Lines(store(), app_),
            (std::vector<std::string>{
                "Sync: Service Platform API created conversation " + conv + ".",
                "Sync: Service Platform API blocked user zed for user ann.",
                "Sync: Service Platform API unblocked user zed for user ann.",
                "Sync: Service Platform API updated identity layer:///identities/dave.",
                "Sync: Service Platform API deleted identity layer:///identities/dave.",
                "Sync: Service Ops sent announcement "
                "layer:///announcements/a0000000-0000-4000-8000-00000000000a to 2 users.",
            }));
}

TEST_P(StoreConformance, SyncLogSkipsActionsThatChangeNothingOrFail) {
  Conversation c = MakeConversation("alice", {"bob"}, /*distinct=*/true);
  Message m = Send(c.id, "alice");
  const size_t before = Log(store(), app_).size();
  MakeConversation("alice", {"bob"}, true);    // the existing distinct conversation
  Receipt(m.id, "alice", ReceiptType::kRead);  // the sender has read it already
  PostReceiptOp stranger{app_, m.id, U("eve"), ReceiptType::kRead, Now()};
  EXPECT_FALSE(Write(stranger).status.ok());  // not a participant: rolled back
  ASSERT_TRUE(Write(MarkAllReadOp{app_, c.id, U("alice"), std::nullopt, Now()}).status.ok());
  EXPECT_EQ(Log(store(), app_).size(), before);
}

TEST_P(StoreConformance, SyncLogWriteReportsItsSeq) {
  Conversation c = MakeConversation("alice", {"bob"});
  WriteResult r = Write(MessageOp(c.id, "alice"));
  ASSERT_TRUE(r.status.ok());
  auto log = Log(store(), app_);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(r.sync_log_seq, log.front().seq);
}

TEST_P(StoreConformance, SyncLogFiltersByUserConversationAndTime) {
  Conversation ab = MakeConversation("alice", {"bob"});
  Conversation bc = MakeConversation("bob", {"carol"});
  Send(ab.id, "alice");
  const TimeMs cut = Now();
  Message m = Send(bc.id, "carol");
  Send(ab.id, "bob");
  const TimeMs end = Now();
  Send(bc.id, "bob");

  SyncLogFilter by_bob;
  by_bob.actor = U("bob");
  auto bob = Log(store(), app_, by_bob);
  ASSERT_EQ(bob.size(), 3u);  // created bc, sent in ab, sent in bc
  for (const auto& e : bob) EXPECT_EQ(e.actor.name, "bob");

  SyncLogFilter in_bc;
  in_bc.conversation = bc.id;
  auto bcl = Log(store(), app_, in_bc);
  ASSERT_EQ(bcl.size(), 3u);
  for (const auto& e : bcl) EXPECT_EQ(e.conversation_id, bc.id);

  SyncLogFilter window;
  window.from_ts = cut;
  window.to_ts = end;
  auto w = Log(store(), app_, window);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1].object_id, m.id.str());  // newest first

  SyncLogFilter both = in_bc;
  both.actor = U("carol");
  auto carol_in_bc = Log(store(), app_, both);
  ASSERT_EQ(carol_in_bc.size(), 1u);
  EXPECT_EQ(carol_in_bc[0].object_id, m.id.str());

  SyncLogFilter other_app;
  EXPECT_TRUE(Log(store(), AppId("a0000000-0000-4000-8000-000000000002"), other_app).empty());
}

TEST_P(StoreConformance, SyncLogPagesBackwardAndTailsForward) {
  Conversation c = MakeConversation("alice", {"bob"});
  for (int i = 0; i < 6; ++i) Send(c.id, "alice");
  auto all = Log(store(), app_);  // 7, newest first
  ASSERT_EQ(all.size(), 7u);

  SyncLogFilter first;
  first.limit = 3;
  auto p1 = Log(store(), app_, first);
  ASSERT_EQ(p1.size(), 3u);
  EXPECT_EQ(p1[0].seq, all[0].seq);
  SyncLogFilter next = first;
  next.before_seq = p1.back().seq;
  auto p2 = Log(store(), app_, next);
  ASSERT_EQ(p2.size(), 3u);
  EXPECT_EQ(p2[0].seq, all[3].seq);

  SyncLogFilter tail;
  tail.after_seq = all[4].seq;
  tail.limit = 2;
  auto t = Log(store(), app_, tail);
  ASSERT_EQ(t.size(), 2u);  // oldest first
  EXPECT_EQ(t[0].seq, all[3].seq);
  EXPECT_EQ(t[1].seq, all[2].seq);
  tail.after_seq = all[0].seq;
  EXPECT_TRUE(Log(store(), app_, tail).empty());
  tail.after_seq = 0;  // from the start, oldest first
  auto from_start = Log(store(), app_, tail);
  ASSERT_EQ(from_start.size(), 2u);
  EXPECT_EQ(from_start[0].seq, all[6].seq);

  SyncLogFilter none;
  none.limit = 0;
  EXPECT_TRUE(store().ListSyncLog(app_, none)->empty());
}

TEST_P(StoreConformance, SyncLogKeepsAtMostMaxRows) {
  Limits limits;
  limits.sync_log_max_rows = 5;
  limits.sync_log_max_age_ms = 0;
  Open(limits);
  Conversation c = MakeConversation("alice", {"bob"});
  for (int i = 0; i < 20; ++i) Send(c.id, "alice");
  auto log = Log(store(), app_);
  ASSERT_EQ(log.size(), 5u);
  SyncLogFilter one;
  one.limit = 1;
  auto newest = Log(store(), app_, one);
  EXPECT_EQ(log[0].seq, newest[0].seq);
}

TEST_P(StoreConformance, SyncLogPrunesRowsOlderThanMaxAgeAFewAtATime) {
  Conversation c = MakeConversation("alice", {"bob"});
  for (int i = 0; i < 30; ++i) Send(c.id, "alice");
  ASSERT_EQ(Log(store(), app_).size(), 31u);

  Limits limits;
  limits.sync_log_max_age_ms = 60'000;
  Open(limits);
  now_ += 120'000;  // everything so far is now too old
  Send(c.id, "alice");
  const size_t after_one = Log(store(), app_).size();
  EXPECT_LT(after_one, 32u);  // some pruned...
  EXPECT_GT(after_one, 1u);   // ...but only a small batch per write
  for (int i = 0; i < 10; ++i) Send(c.id, "alice");
  auto log = Log(store(), app_);
  ASSERT_EQ(log.size(), 11u);  // only the recent ones remain
  for (const auto& e : log) EXPECT_GE(e.ts, now_ - 60'000);
}

TEST_P(StoreConformance, AppConversationsAndMessagesShowEveryRecipientsState) {
  Conversation ab = MakeConversation("alice", {"bob", "carol"});
  Conversation cd = MakeConversation("carol", {"dave"});
  Message m = Send(ab.id, "alice");
  Receipt(m.id, "bob", ReceiptType::kRead);
  Receipt(m.id, "carol", ReceiptType::kDelivery);
  ASSERT_TRUE(
      Write(DeleteMessageOp{app_, m.id, U("bob"), DeletionMode::kMyDevices, Now()}).status.ok());

  auto all = store().ListAppConversations(app_, {});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, cd.id);  // newest first
  EXPECT_EQ((*all)[1].id, ab.id);
  EXPECT_EQ((*all)[1].participants.size(), 3u);
  EXPECT_EQ((*all)[1].total_message_count, 1);  // hidden for bob's devices, still counted
  ASSERT_TRUE((*all)[1].last_message.has_value());

  AppConversationFilter with_dave;
  with_dave.participant = U("dave");
  auto dave = store().ListAppConversations(app_, with_dave);
  ASSERT_TRUE(dave.ok());
  ASSERT_EQ(dave->size(), 1u);
  EXPECT_EQ((*dave)[0].id, cd.id);

  AppConversationFilter page;
  page.before = cd.id;
  auto rest = store().ListAppConversations(app_, page);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].id, ab.id);

  auto messages = store().ListAppMessages(app_, ab.id, 10);
  ASSERT_TRUE(messages.ok()) << messages.status().message();
  ASSERT_EQ(messages->size(), 1u);
  const auto& status = (*messages)[0].recipient_status;
  EXPECT_EQ(status.at(U("alice")), ReceiptState::kRead);
  EXPECT_EQ(status.at(U("bob")), ReceiptState::kRead);
  EXPECT_EQ(status.at(U("carol")), ReceiptState::kDelivered);

  auto missing = store().ListAppMessages(app_, NewConversationId(), 10);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  auto other_app = store().ListAppMessages(AppId("a0000000-0000-4000-8000-000000000002"), ab.id, 1);
  EXPECT_EQ(other_app.status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace relayer::testing
