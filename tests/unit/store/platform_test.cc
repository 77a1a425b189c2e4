// Platform API state: the app as creator/actor/viewer (AppActor), block lists and their effect,
// badges, announcements, If-None-Match answers, identity removal, and the v7 migration.
#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

MessagePart Text(const std::string& s) {
  MessagePart p;
  p.mime_type = "text/plain";
  p.body = s;
  return p;
}

TEST_P(StoreConformance, AppCreatesConversationWithoutBeingAParticipant) {
  CreateConversationOp op;
  op.app_id = app_;
  op.generated_id = NewConversationId();
  op.creator = AppActor();
  op.participants = {U("bob"), U("alice")};
  op.distinct = true;
  op.now = Now();
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.outcome, CreateOutcome::kCreated);
  ASSERT_EQ(r.conversation->participants.size(), 2u);
  EXPECT_EQ(r.conversation->participants[0].user_id, U("alice"));
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  // The same distinct set again: the existing conversation.
  op.generated_id = NewConversationId();
  WriteResult again = Write(op);
  EXPECT_EQ(again.outcome, CreateOutcome::kExisting);
  EXPECT_EQ(again.conversation->id, r.conversation->id);
  // The app needs participants.
  op.participants.clear();
  EXPECT_EQ(Write(op).status.code(), ErrorCode::kMissingProperty);
}

TEST_P(StoreConformance, AppSeesPatchesAndDeletesAnyConversation) {
  Conversation c = MakeConversation("alice", {"bob"});
  Message m = Send(c.id, "alice");
  auto seen = store().GetConversation(app_, AppActor(), c.id);
  ASSERT_TRUE(seen.ok()) << seen.status().message();
  EXPECT_EQ(seen->total_message_count, 1);
  EXPECT_TRUE(store().GetMessage(app_, AppActor(), m.id).ok());
  EXPECT_EQ(store().ListMessages(app_, AppActor(), c.id, Page{})->items.size(), 1u);

  PatchConversationOp patch;
  patch.app_id = app_;
  patch.id = c.id;
  patch.actor = AppActor();
  patch.patch.add_participants = {U("carol")};
  patch.patch.remove_participants = {U("alice")};
  patch.now = Now();
  WriteResult p = Write(patch);
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  ASSERT_TRUE(p.conversation.has_value());
  EXPECT_EQ(p.conversation->participants.size(), 2u);
  EXPECT_EQ(store().GetConversation(app_, U("alice"), c.id).status().code(), ErrorCode::kNotFound);

  DeleteConversationOp mine{app_, c.id, AppActor(), DeletionMode::kMyDevices, false, Now()};
  EXPECT_FALSE(Write(mine).status.ok());
  DeleteConversationOp all{app_, c.id, AppActor(), DeletionMode::kAllParticipants, false, Now()};
  ASSERT_TRUE(Write(all).status.ok());
  EXPECT_EQ(store().GetConversation(app_, AppActor(), c.id).status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, BlockListIsKeptPerOwner) {
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("zed"), Now()}).status.ok());
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("bob"), Now()}).status.ok());
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("bob"), Now()}).status.ok());
  EXPECT_EQ(Write(BlockUserOp{app_, U("ann"), U("ann"), Now()}).status.code(),
            ErrorCode::kInvalidProperty);
  EXPECT_EQ(*store().ListBlocks(app_, U("ann")), (std::vector<UserId>{U("bob"), U("zed")}));
  EXPECT_TRUE(store().ListBlocks(app_, U("zed"))->empty());
  ASSERT_TRUE(Write(UnblockUserOp{app_, U("ann"), U("bob"), Now()}).status.ok());
  EXPECT_EQ(Write(UnblockUserOp{app_, U("ann"), U("bob"), Now()}).status.code(),
            ErrorCode::kNotFound);
  Close();
  Open();
  EXPECT_EQ(*store().ListBlocks(app_, U("ann")), (std::vector<UserId>{U("zed")}));
}

TEST_P(StoreConformance, ABlockedSenderIsHiddenFromTheBlockerInOneToOne) {
  Conversation c = MakeConversation("zed", {"ann"});
  ASSERT_TRUE(Write(BlockUserOp{app_, U("ann"), U("zed"), Now()}).status.ok());
  WriteResult r = Write(MessageOp(c.id, "zed"));
  ASSERT_TRUE(r.status.ok());
  for (const Change& ch : r.changes) {
    for (const UserId& u : ch.recipients) EXPECT_NE(u, U("ann"));
  }
  EXPECT_EQ(store().ListMessages(app_, U("ann"), c.id, Page{})->total, 0);
  EXPECT_EQ(store().ListMessages(app_, U("zed"), c.id, Page{})->total, 1);
  EXPECT_EQ(Unread(c.id, "ann"), 0);
  EXPECT_EQ(store().GetMessage(app_, U("ann"), r.message->id).status().code(),
            ErrorCode::kNotFound);
  Send(c.id, "ann");  // the blocker still reaches the blocked user
  EXPECT_EQ(store().ListMessages(app_, U("zed"), c.id, Page{})->total, 2);
}

TEST_P(StoreConformance, BadgeSumsUnreadAndKeepsTheExternalCount) {
  Conversation c1 = MakeConversation("alice", {"bob"});
  Conversation c2 = MakeConversation("carol", {"bob"});
  Send(c1.id, "alice");
  Send(c1.id, "alice");
  Send(c2.id, "carol");
  auto b = store().GetBadge(app_, U("bob"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->external_unread_count, 0);
  EXPECT_EQ(b->unread_message_count, 3);
  EXPECT_EQ(b->unread_conversation_count, 2);
  ASSERT_TRUE(Write(SetBadgeOp{app_, U("bob"), 13, Now()}).status.ok());
  EXPECT_EQ(store().GetBadge(app_, U("bob"))->external_unread_count, 13);
  EXPECT_EQ(Write(SetBadgeOp{app_, U("bob"), -1, Now()}).status.code(),
            ErrorCode::kInvalidProperty);
}

TEST_P(StoreConformance, AnnouncementsReachTheirRecipientsOnly) {
  CreateAnnouncementOp op;
  op.app_id = app_;
  op.id = NewMessageId();
  op.sender_name = "Admin";
  op.recipients = {U("bob"), U("alice"), U("bob")};
  op.parts = {Text("hello")};
  op.now = Now();
  WriteResult r = Write(op);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].type, ObjectType::kAnnouncement);
  EXPECT_EQ(r.changes[0].recipients, (std::vector<UserId>{U("alice"), U("bob")}));
  EXPECT_EQ(r.message->sender.name, "Admin");
  EXPECT_FALSE(r.message->sender.user_id.has_value());
  EXPECT_EQ(Write(op).status.code(), ErrorCode::kIdInUse);

  auto bobs = store().ListAnnouncements(app_, U("bob"), Page{});
  ASSERT_TRUE(bobs.ok());
  ASSERT_EQ(bobs->items.size(), 1u);
  EXPECT_EQ(bobs->total, 1);
  EXPECT_EQ(bobs->items[0].parts[0].body, "hello");
  EXPECT_TRUE(store().ListAnnouncements(app_, U("carol"), Page{})->items.empty());
  EXPECT_EQ(store().GetAnnouncement(app_, U("carol"), op.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Changes("bob").back().type, ObjectType::kAnnouncement);

  WriteResult read = Write(AnnouncementReceiptOp{app_, op.id, U("bob"), ReceiptType::kRead, Now()});
  ASSERT_TRUE(read.status.ok());
  EXPECT_EQ(store().GetAnnouncement(app_, U("bob"), op.id)->recipient_status.at(U("bob")),
            ReceiptState::kRead);
  ASSERT_TRUE(Write(HideAnnouncementOp{app_, op.id, U("bob"), Now()}).status.ok());
  EXPECT_TRUE(store().ListAnnouncements(app_, U("bob"), Page{})->items.empty());
  EXPECT_EQ(store().ListAnnouncements(app_, U("alice"), Page{})->items.size(), 1u);

  CreateAnnouncementOp empty = op;
  empty.id = NewMessageId();
  empty.recipients.clear();
  EXPECT_EQ(Write(empty).status.code(), ErrorCode::kMissingProperty);
}

TEST_P(StoreConformance, DedupKeepsTheFirstAnswerUntilItExpires) {
  ASSERT_TRUE(Write(RememberDedupOp{app_, "k", 201, "{\"id\":1}", 100, 200}).status.ok());
  ASSERT_TRUE(Write(RememberDedupOp{app_, "k", 201, "{\"id\":2}", 110, 210}).status.ok());
  auto found = store().FindDedup(app_, "k", 150);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status, 201);
  EXPECT_EQ((*found)->body, "{\"id\":1}");
  EXPECT_FALSE(
      store().FindDedup(AppId("b0000000-0000-4000-8000-000000000002"), "k", 150)->has_value());
  EXPECT_FALSE(store().FindDedup(app_, "k", 200)->has_value());
  Close();
  Open();
  EXPECT_TRUE(store().FindDedup(app_, "k", 199)->has_value());
  // A later write purges it; the key then takes a new answer.
  ASSERT_TRUE(Write(RememberDedupOp{app_, "k", 202, "{}", 300, 400}).status.ok());
  EXPECT_EQ((*store().FindDedup(app_, "k", 301))->status, 202);
}

TEST_P(StoreConformance, DeleteIdentityRemovesTheProfileOnly) {
  Identity i;
  i.user_id = U("ann");
  i.display_name = "Ann";
  ASSERT_TRUE(Write(UpsertIdentityOp{app_, i, Now()}).status.ok());
  Conversation c = MakeConversation("ann", {"bob"});
  ASSERT_TRUE(Write(DeleteIdentityOp{app_, U("ann")}).status.ok());
  EXPECT_EQ(store().GetIdentity(app_, U("ann")).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Write(DeleteIdentityOp{app_, U("ann")}).status.code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store().GetConversation(app_, U("ann"), c.id).ok());
}

}  // namespace
}  // namespace relayer::testing
