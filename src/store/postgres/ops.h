// PgStore's write operations, run by the writer inside its transaction, each in its own savepoint
// (writer.h). One function per WriteOp, in one file per family:
//   ops_session.cc       nonces, sessions, identity upsert
//   ops_conversation.cc  create/patch/delete conversation, mark-all-read
//   ops_message.cc       create/delete message, receipts
//   ops_delivery.cc      push tokens, webhooks, notifications, the outbox, delivery events
//   ops_content.cc       rich content
//   ops_platform.cc      identity delete, blocks, badge, If-None-Match answers
//   ops_announcement.cc  announcements
// Each function fills `out` and returns its status; on an error the writer rolls the operation
// back. Operations must be re-runnable (the writer re-runs a whole batch after a deadlock): they
// build their result from the database state alone, never from memory of an earlier attempt.
// Not implemented yet: Status(kInvalidOperation, "not implemented on PostgreSQL yet").
#pragma once

#include <string>
#include <vector>

#include "core/limits.h"
#include "store/postgres/connection.h"
#include "store/postgres/rows.h"
#include "store/store.h"

namespace relayer::pg {

struct PgOpContext {
  Connection& db;
  const Limits& limits;
};

// What an operation of a family that does not exist on PostgreSQL yet returns.
Status NotImplemented();

// Dispatches on the operation type, then records its delivery events.
WriteResult ApplyWrite(Connection& db, const Limits& limits, const WriteOp& op);

Status Apply(PgOpContext& ctx, const CreateNonceOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const StartSessionOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const DeleteSessionOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const UpsertIdentityOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const CreateConversationOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const PatchConversationOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const DeleteConversationOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const MarkAllReadOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const CreateMessageOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const DeleteMessageOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const PostReceiptOp& op, WriteResult& out);
// ops_delivery.cc
Status Apply(PgOpContext& ctx, const RegisterPushTokenOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const DeletePushTokenOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const CreateWebhookOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const SyncConfigWebhooksOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const SetWebhookStatusOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const DeleteWebhookOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const SendNotificationOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const ScheduleDeliveriesOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const FinishDeliveryOp& op, WriteResult& out);
// ops_platform.cc
Status Apply(PgOpContext& ctx, const DeleteIdentityOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const BlockUserOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const UnblockUserOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const SetBadgeOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const RememberDedupOp& op, WriteResult& out);
// ops_announcement.cc
Status Apply(PgOpContext& ctx, const CreateAnnouncementOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const AnnouncementReceiptOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const HideAnnouncementOp& op, WriteResult& out);
// ops_content.cc
Status Apply(PgOpContext& ctx, const CreateContentOp& op, WriteResult& out);
Status Apply(PgOpContext& ctx, const CompleteContentOp& op, WriteResult& out);

// Delivery events (ops_delivery.cc; see store/sqlite/events.h for what SQLite records). The
// snapshot is taken before the operation runs, RecordEvents after it succeeded.
struct PreSnapshot {
  std::optional<Message> message;
  std::optional<Conversation> conversation;
};
Result<PreSnapshot> SnapshotBefore(PgOpContext& ctx, const WriteOp& op);
Status RecordEvents(PgOpContext& ctx, const WriteOp& op, const PreSnapshot& pre, WriteResult& out);

// Checks the content parts of a message about to be created by `sender` (see CreateMessageOp),
// sets each part's size to the uploaded size, and records that conversation `conv` holds their
// content (ops_content.cc).
Status AttachContent(PgOpContext& ctx, const AppId& app, const Sender& sender,
                     const ConversationId& conv, std::vector<MessagePart>& parts);

// Appends a change to the log: the changes row, then for each recipient the next number of its
// own sequence (user_change_heads) and its user_changes row. Fills change.seq, change.ts and
// change.user_seqs and appends the change to `out.changes`.
Status EmitChange(PgOpContext& ctx, const AppId& app, TimeMs ts, Change change, WriteResult& out);

// The conversation and `user`'s membership; kNotFound unless `user` is a participant (so a
// non-participant never learns that the conversation exists). `lock` takes the conversation
// row FOR UPDATE (writers that change its counters or participants).
struct Membership {
  ConversationRow conv;
  ParticipantRow me;
};
Result<Membership> RequireMember(Connection& db, const AppId& app, const ConversationId& id,
                                 const UserId& user, bool lock = false);
// RequireMember, except that AppActor() is let in to any conversation of the app (with an empty
// membership row: nothing hidden, nothing unread).
Result<Membership> RequireMemberOrApp(Connection& db, const AppId& app, const ConversationId& id,
                                      const UserId& user, bool lock = false);

// A message and `user`'s membership of its conversation; kNotFound unless the message is
// visible to `user`.
struct VisibleMessage {
  MessageRow msg;
  ParticipantRow me;
};
Result<VisibleMessage> RequireVisibleMessage(Connection& db, const AppId& app, const MessageId& id,
                                             const UserId& user);

// The Layer-Patch path of one user's receipt state: recipient_status.<escaped identity url>.
std::string RecipientStatusPath(const UserId& user);

// One sync log row, written in the operation's transaction; records its seq in
// `out.sync_log_seq` and prunes a few rows past the retention limits (sync_log.cc).
struct SyncEvent {
  SyncActor actor;
  SyncVerb verb = SyncVerb::kMessageCreated;
  std::string object_id;
  ConversationId conversation;
  std::string detail;
};
Status LogSync(PgOpContext& ctx, const AppId& app, TimeMs ts, const SyncEvent& event,
               WriteResult& out);

// Inserts or replaces an identity's profile.
Status UpsertIdentityRow(Connection& db, const AppId& app, const Identity& identity, TimeMs now);

}  // namespace relayer::pg
