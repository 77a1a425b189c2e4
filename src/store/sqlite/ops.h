// The domain logic of every write operation, run by the writer inside its transaction (this is
// what makes e.g. distinct creation race-free). Each function fills `out` and returns its status;
// on an error the writer rolls the operation back.
#pragma once

#include <string>
#include <vector>

#include "core/limits.h"
#include "store/sqlite/db.h"
#include "store/sqlite/hot_rows.h"
#include "store/sqlite/reads_delivery.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sync_log.h"
#include "store/store.h"

namespace relayer::sqlite {

struct OpContext {
  Connection& db;
  const Limits& limits;
  SyncLogBuffer& sync_log;  // the writer's, flushed before each commit
  HotRows& hot;             // the writer's; see hot_rows.h for when it is emptied
};

// Dispatches on the operation type. The sync log entries of an operation that fails are taken
// back out of `sync_log`. Empties `hot` before any write but a message create or a receipt, and
// after any write that fails.
WriteResult ApplyWrite(Connection& db, const Limits& limits, SyncLogBuffer& sync_log, HotRows& hot,
                       const WriteOp& op);

Status ApplyOp(OpContext& ctx, const CreateNonceOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const StartSessionOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const DeleteSessionOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const UpsertIdentityOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const CreateConversationOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const PatchConversationOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const DeleteConversationOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const MarkAllReadOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const CreateMessageOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const DeleteMessageOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const PostReceiptOp& op, WriteResult& out);
// Delivery (ops_delivery.cc).
Status ApplyOp(OpContext& ctx, const RegisterPushTokenOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const DeletePushTokenOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const CreateWebhookOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const SyncConfigWebhooksOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const SetWebhookStatusOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const DeleteWebhookOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const SendNotificationOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const ScheduleDeliveriesOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const FinishDeliveryOp& op, WriteResult& out);
// ops_platform.cc
Status ApplyOp(OpContext& ctx, const DeleteIdentityOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const BlockUserOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const UnblockUserOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const SetBadgeOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const RememberDedupOp& op, WriteResult& out);
// ops_announcement.cc
Status ApplyOp(OpContext& ctx, const CreateAnnouncementOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const AnnouncementReceiptOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const HideAnnouncementOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const CreateContentOp& op, WriteResult& out);
Status ApplyOp(OpContext& ctx, const CompleteContentOp& op, WriteResult& out);

// Checks the content parts of a message about to be created by `sender` (see CreateMessageOp),
// sets each part's size to the uploaded size, and records that conversation `conv` holds their
// content (ops_content.cc).
Status AttachContent(Connection& db, const AppId& app, const Sender& sender, int64_t conv,
                     std::vector<MessagePart>& parts);

// Appends a change to the log (one row, recipients packed) and to `out.changes`, with its seq,
// indexed by recipient (change_recipients): for changes any user may get, members or not.
Status EmitChange(Connection& db, const AppId& app, TimeMs ts, Change change, WriteResult& out);

// The same for a change whose recipients are all participants of conversation `conv` as it
// commits (messages, receipts, unread counts): one index entry for the conversation, however
// many recipients (schema v11). A replay finds it through the viewer's conversations.
Status EmitMemberChange(Connection& db, const AppId& app, TimeMs ts, int64_t conv, Change change,
                        WriteResult& out);

// The conversation and `user`'s membership; kNotFound unless `user` is a participant (so a
// non-participant never learns that the conversation exists).
struct Membership {
  ConversationRow conv;
  ParticipantRow me;
};
Result<Membership> RequireMember(Connection& db, const AppId& app, const ConversationId& id,
                                 const UserId& user);

// RequireMember, except that AppActor() is let in to any conversation of the app (with an empty
// membership row: nothing hidden, nothing unread).
Result<Membership> RequireMemberOrApp(Connection& db, const AppId& app, const ConversationId& id,
                                      const UserId& user);

// A message and `user`'s membership of its conversation; kNotFound unless the message is
// visible to `user`.
struct VisibleMessage {
  MessageRow msg;
  ParticipantRow me;
};
Result<VisibleMessage> RequireVisibleMessage(Connection& db, const AppId& app, const MessageId& id,
                                             const UserId& user);
// The same for a row already in hand (the writer's cache holds the rows it wrote).
Result<VisibleMessage> RequireVisible(Connection& db, MessageRow row, const AppId& app,
                                      const UserId& user);

// The Layer-Patch path of one user's receipt state: recipient_status.<escaped identity url>.
std::string RecipientStatusPath(const UserId& user);

// One sync log entry, numbered now and written with the operation's transaction (sync_log.h);
// records its seq in `out.sync_log_seq`.
struct SyncEvent {
  SyncActor actor;
  SyncVerb verb = SyncVerb::kMessageCreated;
  std::string object_id;
  ConversationId conversation;
  std::string detail;
};
Status LogSync(OpContext& ctx, const AppId& app, TimeMs ts, const SyncEvent& event,
               WriteResult& out);

// Inserts or replaces an identity's profile.
Status UpsertIdentityRow(Connection& db, const AppId& app, const Identity& identity, TimeMs now);

}  // namespace relayer::sqlite
