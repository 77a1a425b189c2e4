// Messages and receipts on PostgreSQL. Creating a message locks its conversation's row, which
// hands out positions one writer at a time across nodes; receipts lock the message row.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/layer_patch.h"
#include "core/receipts.h"
#include "core/validation.h"
#include "store/postgres/ops.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"

namespace relayer::pg {
namespace json = boost::json;
using sqlite::EncodeObject;
using sqlite::EncodeParts;
using sqlite::EncodeRecipientStatus;

namespace {

Change MessageChange(ChangeOp op, const Message& m, std::vector<UserId> recipients,
                     std::string data) {
  Change c;
  c.op = op;
  c.type = ObjectType::kMessage;
  c.object_id = m.id.str();
  c.conversation_id = m.conversation_id;
  c.recipients = std::move(recipients);
  c.data_json = std::move(data);
  return c;
}

bool IsUserSender(const Sender& s) { return s.user_id.has_value() && !s.user_id->empty(); }

// An existing message answered to a retried create with the same id (nothing when none).
Status ReturnExistingMessage(PgOpContext& ctx, const CreateMessageOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(auto existing, FindMessageRow(ctx.db, op.app_id, *op.id));
  if (!existing) return Status::Ok();
  const Status in_use(ErrorCode::kIdInUse, "message id is in use");
  if (IsUserSender(op.sender)) {
    RELAYER_ASSIGN_OR_RETURN(
        auto p,
        FindParticipant(ctx.db, op.app_id, existing->message.conversation_id, *op.sender.user_id));
    if (!p) return in_use;
    RELAYER_ASSIGN_OR_RETURN(bool visible,
                             MessageVisible(ctx.db, *existing, *op.sender.user_id, *p));
    if (!visible) return in_use;
  }
  out.outcome = CreateOutcome::kIdInUse;
  out.message = std::move(existing->message);
  return Status::Ok();
}

Status SetRecipientStatus(Connection& db, const MessageRow& m) {
  return db
      .Query(
          "UPDATE messages SET recipient_status = $4 WHERE app = $1 AND conv = $2 AND "
          "position = $3",
          {m.app.str(), m.message.conversation_id.str(), P(m.message.position),
           EncodeRecipientStatus(m.message.recipient_status)})
      .status();
}

Status LowerUnread(Connection& db, const AppId& app, const ConversationId& conv,
                   const UserId& user) {
  return db
      .Query(
          "UPDATE participants SET unread = GREATEST(0, unread - 1) WHERE app = $1 AND "
          "conv = $2 AND user_id = $3",
          {app.str(), conv.str(), user.str()})
      .status();
}

Status EmitUnreadCount(PgOpContext& ctx, const AppId& app, TimeMs now,
                       const ConversationId& conversation_id, const UserId& user,
                       WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(ctx.db, app, conversation_id, user));
  if (!p) return Status::Ok();
  Change c;
  c.op = ChangeOp::kUpdate;
  c.type = ObjectType::kConversation;
  c.object_id = conversation_id.str();
  c.conversation_id = conversation_id;
  c.recipients = {user};
  c.data_json = json::serialize(json::array{PatchSet("unread_message_count", p->unread)});
  return EmitChange(ctx, app, now, std::move(c), out);
}

// The other participant of a conversation of just two when they have blocked the user sending
// (Platform API block lists); nullopt otherwise. Group conversations are not affected.
Result<std::optional<UserId>> BlockingPeer(Connection& db, const AppId& app,
                                           const std::vector<UserId>& participants,
                                           const Sender& sender) {
  if (!IsUserSender(sender) || participants.size() != 2) return std::optional<UserId>();
  const UserId& other = participants[0] == *sender.user_id ? participants[1] : participants[0];
  RELAYER_ASSIGN_OR_RETURN(
      Rows rows, db.Query("SELECT 1 FROM blocks WHERE app = $1 AND owner = $2 AND blocked = $3",
                          {app.str(), other.str(), sender.user_id->str()}));
  return rows.rows.empty() ? std::optional<UserId>() : std::optional<UserId>(other);
}

}  // namespace

Status Apply(PgOpContext& ctx, const CreateMessageOp& op, WriteResult& out) {
  const bool user_sender = IsUserSender(op.sender);
  if (user_sender) {
    RELAYER_ASSIGN_OR_RETURN(
        auto p, FindParticipant(ctx.db, op.app_id, op.conversation_id, *op.sender.user_id));
    if (!p) return NotFound("conversation not found");
  } else if (op.sender.name.empty()) {
    RELAYER_RETURN_IF_ERROR(FindConversationRow(ctx.db, op.app_id, op.conversation_id).status());
    return InvalidProperty("sender", "a message needs a sender user or a sender name");
  }
  if (op.id) {
    RELAYER_RETURN_IF_ERROR(ReturnExistingMessage(ctx, op, out));
    if (out.message) return Status::Ok();
  }
  RELAYER_RETURN_IF_ERROR(ValidateParts(op.parts, ctx.limits));
  // Locked from here to commit: positions are handed out one writer at a time.
  RELAYER_ASSIGN_OR_RETURN(ConversationRow c,
                           FindConversationRow(ctx.db, op.app_id, op.conversation_id, true));
  std::vector<MessagePart> parts = op.parts;
  RELAYER_RETURN_IF_ERROR(AttachContent(ctx, op.app_id, op.sender, c.id, parts));

  Message m;
  m.id = op.id.value_or(op.generated_id);
  if (!IsUuid(m.id.str())) return InvalidProperty("id", "a message id is a UUID");
  m.conversation_id = c.id;
  m.position = c.last_position + 1;
  m.sender = op.sender;
  if (!user_sender) m.sender.user_id.reset();
  m.sent_at = op.now;
  m.parts = std::move(parts);
  m.notification = op.notification;
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants,
                           ParticipantIds(ctx.db, op.app_id, c.id));
  for (const UserId& u : participants) m.recipient_status[u] = ReceiptState::kSent;
  if (user_sender) m.recipient_status[*m.sender.user_id] = ReceiptState::kRead;
  RELAYER_ASSIGN_OR_RETURN(std::optional<UserId> blocker,
                           BlockingPeer(ctx.db, op.app_id, participants, op.sender));

  const Param sender_user = user_sender ? P(m.sender.user_id->str()) : Null();
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("INSERT INTO messages (app, conv, position, id, sender_user, sender_name, "
                 "sent_at, parts, notification, recipient_status) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                 {op.app_id.str(), c.id.str(), P(m.position), m.id.str(), sender_user,
                  m.sender.name, P(m.sent_at), EncodeParts(m.parts),
                  m.notification ? P(EncodeObject(*m.notification)) : Null(),
                  EncodeRecipientStatus(m.recipient_status)})
          .status());
  // The id is unique per app: a node that raced us with the same id makes this insert do
  // nothing, and its message is the answer (this one's row goes again).
  RELAYER_ASSIGN_OR_RETURN(
      Rows claimed, ctx.db.Query("INSERT INTO message_ids (app, id, conv, position) VALUES ($1, "
                                 "$2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
                                 {op.app_id.str(), m.id.str(), c.id.str(), P(m.position)}));
  if (claimed.rows.empty()) {
    RELAYER_RETURN_IF_ERROR(
        ctx.db
            .Query("DELETE FROM messages WHERE app = $1 AND conv = $2 AND position = $3",
                   {op.app_id.str(), c.id.str(), P(m.position)})
            .status());
    CreateMessageOp again = op;
    again.id = m.id;
    RELAYER_RETURN_IF_ERROR(ReturnExistingMessage(ctx, again, out));
    if (out.message) return Status::Ok();
    return Status(ErrorCode::kIdInUse, "message id is in use");
  }
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE conversations SET last_position = $3, last_sent_at = $4, "
                 "message_count = message_count + 1 WHERE app = $1 AND id = $2",
                 {op.app_id.str(), c.id.str(), P(m.position), P(m.sent_at)})
          .status());
  // One statement for every participant: unread +1 except for the sender (and a blocker), and
  // a conversation deleted for someone's devices becomes visible again.
  const Param blocker_user = blocker ? P(blocker->str()) : Null();
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE participants SET unread = unread + CASE WHEN user_id IS DISTINCT FROM "
                 "$3::text AND user_id IS DISTINCT FROM $4::text THEN 1 ELSE 0 END, "
                 "hidden = (hidden AND user_id IS NOT DISTINCT FROM $4::text) "
                 "WHERE app = $1 AND conv = $2",
                 {op.app_id.str(), c.id.str(), sender_user, blocker_user})
          .status());
  if (blocker) {
    // The blocker never sees it: hidden for them alone, and not pushed to them.
    RELAYER_RETURN_IF_ERROR(ctx.db
                                .Query("INSERT INTO hidden_messages (app, conv, user_id, position) "
                                       "VALUES ($1, $2, $3, $4)",
                                       {op.app_id.str(), c.id.str(), blocker->str(), P(m.position)})
                                .status());
    std::erase(participants, *blocker);
  }
  RELAYER_RETURN_IF_ERROR(EmitChange(ctx, op.app_id, op.now,
                                     MessageChange(ChangeOp::kCreate, m, participants, ""), out));
  const SyncActor actor =
      user_sender ? SyncActor::User(*m.sender.user_id) : SyncActor::Service(m.sender.name);
  RELAYER_RETURN_IF_ERROR(LogSync(ctx, op.app_id, op.now,
                                  {actor, SyncVerb::kMessageCreated, m.id.str(), c.id, ""}, out));
  out.outcome = CreateOutcome::kCreated;
  if (user_sender) {
    // The answer and the pushed copy name the sender as the identity is now (see rows.cc).
    RELAYER_ASSIGN_OR_RETURN(Identity sender, IdentityOrBare(ctx.db, op.app_id, *m.sender.user_id));
    m.sender.name = sender.display_name;
  }
  out.message = std::move(m);
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const PostReceiptOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(VisibleMessage v,
                           RequireVisibleMessage(ctx.db, op.app_id, op.id, op.actor));
  Message& m = v.msg.message;
  auto it = m.recipient_status.find(op.actor);
  // The sender is read already; a user who joined after the message has no state to move.
  if (it == m.recipient_status.end()) {
    out.message = std::move(m);
    return Status::Ok();
  }
  const ReceiptState before = it->second;
  const ReceiptState after = ApplyReceipt(before, op.type);
  if (after == before) {
    out.message = std::move(m);
    return Status::Ok();
  }
  it->second = after;
  RELAYER_RETURN_IF_ERROR(SetRecipientStatus(ctx.db, v.msg));
  const bool now_read = after == ReceiptState::kRead;
  if (now_read) {
    RELAYER_RETURN_IF_ERROR(LowerUnread(ctx.db, op.app_id, m.conversation_id, op.actor));
  }
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants,
                           ParticipantIds(ctx.db, op.app_id, m.conversation_id));
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor),
               op.type == ReceiptType::kRead ? SyncVerb::kReadReceipt : SyncVerb::kDeliveryReceipt,
               m.id.str(), m.conversation_id, ""},
              out));
  json::array patch{PatchSet(RecipientStatusPath(op.actor), ReceiptStateName(after))};
  RELAYER_RETURN_IF_ERROR(EmitChange(
      ctx, op.app_id, op.now,
      MessageChange(ChangeOp::kUpdate, m, std::move(participants), json::serialize(patch)), out));
  if (now_read) {
    RELAYER_RETURN_IF_ERROR(
        EmitUnreadCount(ctx, op.app_id, op.now, m.conversation_id, op.actor, out));
  }
  out.message = std::move(m);
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const DeleteMessageOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(VisibleMessage v,
                           RequireVisibleMessage(ctx.db, op.app_id, op.id, op.actor));
  const Message& m = v.msg.message;
  const std::string app = op.app_id.str();
  const std::string conv = m.conversation_id.str();
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor), SyncVerb::kMessageDeleted, m.id.str(), m.conversation_id,
               ModeDetail(op.mode == DeletionMode::kAllParticipants)},
              out));
  if (op.mode == DeletionMode::kMyDevices) {
    auto it = m.recipient_status.find(op.actor);
    if (it != m.recipient_status.end() && it->second != ReceiptState::kRead) {
      RELAYER_RETURN_IF_ERROR(LowerUnread(ctx.db, op.app_id, m.conversation_id, op.actor));
    }
    RELAYER_RETURN_IF_ERROR(ctx.db
                                .Query("INSERT INTO hidden_messages (app, conv, user_id, position) "
                                       "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                       {app, conv, op.actor.str(), P(m.position)})
                                .status());
    return EmitChange(ctx, op.app_id, op.now,
                      MessageChange(ChangeOp::kDelete, m, {op.actor}, R"({"mode":"my_devices"})"),
                      out);
  }
  // The conversation's counters change: lock it like a create does.
  RELAYER_RETURN_IF_ERROR(FindConversationRow(ctx.db, op.app_id, m.conversation_id, true).status());
  // Everyone for whom the message still counted as unread gets one unread less.
  std::vector<std::string> unread_for;
  for (const auto& [user, state] : m.recipient_status) {
    if (state != ReceiptState::kRead) unread_for.push_back(user.str());
  }
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE participants p SET unread = GREATEST(0, unread - 1) WHERE p.app = $1 "
                 "AND p.conv = $2 AND p.user_id = ANY($3::text[]) AND p.hidden_before < $4 "
                 "AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = p.app AND "
                 "h.conv = p.conv AND h.user_id = p.user_id AND h.position = $4)",
                 {app, conv, TextArray(unread_for), P(m.position)})
          .status());
  // Its id row and hidden rows go with it (cascade).
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("DELETE FROM messages WHERE app = $1 AND conv = $2 AND position = $3",
                 {app, conv, P(m.position)})
          .status());
  RELAYER_RETURN_IF_ERROR(
      ctx.db
          .Query("UPDATE conversations SET message_count = message_count - 1, last_sent_at = "
                 "(SELECT sent_at FROM messages WHERE app = $1 AND conv = $2 ORDER BY position "
                 "DESC LIMIT 1) WHERE app = $1 AND id = $2",
                 {app, conv})
          .status());
  // It no longer counts among the messages hidden below anyone's hidden_before.
  RELAYER_RETURN_IF_ERROR(ctx.db
                              .Query("UPDATE participants SET hidden_below = hidden_below - 1 "
                                     "WHERE app = $1 AND conv = $2 AND hidden_before >= $3",
                                     {app, conv, P(m.position)})
                              .status());
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants,
                           ParticipantIds(ctx.db, op.app_id, m.conversation_id));
  return EmitChange(ctx, op.app_id, op.now,
                    MessageChange(ChangeOp::kDelete, m, std::move(participants),
                                  R"({"mode":"all_participants"})"),
                    out);
}

}  // namespace relayer::pg
