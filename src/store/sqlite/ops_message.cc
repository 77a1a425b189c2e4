// Message writes: create, delete, receipts.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/layer_patch.h"
#include "core/receipts.h"
#include "core/validation.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/ops.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
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

// An existing message answered to a retried create with the same id.
Status ReturnExistingMessage(OpContext& ctx, const CreateMessageOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(auto existing, FindMessageRow(ctx.db, *op.id));
  if (!existing) return Status::Ok();
  const Status in_use(ErrorCode::kIdInUse, "message id is in use");
  if (existing->app != op.app_id) return in_use;
  if (IsUserSender(op.sender)) {
    RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(ctx.db, existing->conv, *op.sender.user_id));
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
  auto q = db.Prepare("UPDATE messages SET recipient_status = ?1 WHERE rowid = ?2");
  q.Bind(1, EncodeRecipientStatus(m.message.recipient_status)).Bind(2, m.rowid);
  return q.Exec();
}

Status LowerUnread(Connection& db, int64_t conv, const UserId& user) {
  auto q = db.Prepare(
      "UPDATE participants SET unread = MAX(0, unread - 1) WHERE conv = ?1 AND user_id = ?2");
  q.Bind(1, conv).Bind(2, user.str());
  return q.Exec();
}

Status EmitUnreadCount(OpContext& ctx, const AppId& app, TimeMs now, int64_t conv,
                       const ConversationId& conversation_id, const UserId& user,
                       WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(auto p, FindParticipant(ctx.db, conv, user));
  if (!p) return Status::Ok();
  Change c;
  c.op = ChangeOp::kUpdate;
  c.type = ObjectType::kConversation;
  c.object_id = conversation_id.str();
  c.conversation_id = conversation_id;
  c.recipients = {user};
  c.data_json = json::serialize(json::array{PatchSet("unread_message_count", p->unread)});
  return EmitMemberChange(ctx.db, app, now, conv, std::move(c), out);
}

// The other participant of a conversation of just two when they have blocked the user sending
// (Platform API block lists); nullopt otherwise. Group conversations are not affected.
Result<std::optional<UserId>> BlockingPeer(Connection& db, const AppId& app,
                                           const std::vector<UserId>& participants,
                                           const Sender& sender) {
  if (!IsUserSender(sender) || participants.size() != 2) return std::optional<UserId>();
  const UserId& other = participants[0] == *sender.user_id ? participants[1] : participants[0];
  auto q = db.Prepare("SELECT 1 FROM blocks WHERE app = ?1 AND owner = ?2 AND blocked = ?3");
  q.Bind(1, app.str()).Bind(2, other.str()).Bind(3, sender.user_id->str());
  bool blocked = q.Next();
  if (!q.ok()) return q.status();
  return blocked ? std::optional<UserId>(other) : std::optional<UserId>();
}

// The conversation and its participants, from the writer's cache or else read and then cached.
Result<HotRows::Conversation*> HotConversation(OpContext& ctx, const AppId& app,
                                               const ConversationId& id) {
  if (HotRows::Conversation* held = ctx.hot.FindConversation(app, id)) return held;
  RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(ctx.db, app, id));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants, ParticipantIds(ctx.db, row.rowid));
  return &ctx.hot.PutConversation({std::move(row), std::move(participants), {}});
}

Result<std::optional<UserId>> HotBlockingPeer(OpContext& ctx, const AppId& app,
                                              HotRows::Conversation& c, const Sender& sender) {
  if (!IsUserSender(sender) || c.participants.size() != 2) return std::optional<UserId>();
  for (const auto& [from, blocker] : c.blockers) {
    if (from == *sender.user_id) return blocker;
  }
  RELAYER_ASSIGN_OR_RETURN(std::optional<UserId> blocker,
                           BlockingPeer(ctx.db, app, c.participants, sender));
  c.blockers.emplace_back(*sender.user_id, blocker);
  return blocker;
}

// The display name the sender's identity has now (empty without a profile).
Result<std::string> HotDisplayName(OpContext& ctx, const AppId& app, const UserId& user) {
  if (const std::string* held = ctx.hot.FindName(app, user)) return *held;
  RELAYER_ASSIGN_OR_RETURN(Identity identity, IdentityOrBare(ctx.db, app, user));
  ctx.hot.PutName(app, user, identity.display_name);
  return std::move(identity.display_name);
}

}  // namespace

Status ApplyOp(OpContext& ctx, const CreateMessageOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(HotRows::Conversation * held,
                           HotConversation(ctx, op.app_id, op.conversation_id));
  const ConversationRow& c = held->row;
  const bool user_sender = IsUserSender(op.sender);
  if (user_sender) {
    if (std::find(held->participants.begin(), held->participants.end(), *op.sender.user_id) ==
        held->participants.end()) {
      return NotFound("conversation not found");
    }
  } else if (op.sender.name.empty()) {
    return InvalidProperty("sender", "a message needs a sender user or a sender name");
  }
  if (op.id) {
    RELAYER_RETURN_IF_ERROR(ReturnExistingMessage(ctx, op, out));
    if (out.message) return Status::Ok();
  }
  RELAYER_RETURN_IF_ERROR(ValidateParts(op.parts, ctx.limits));
  std::vector<MessagePart> parts = op.parts;
  RELAYER_RETURN_IF_ERROR(AttachContent(ctx.db, op.app_id, op.sender, c.rowid, parts));

  Message m;
  m.id = op.id.value_or(op.generated_id);
  m.conversation_id = c.id;
  m.position = c.last_position + 1;
  m.sender = op.sender;
  if (!user_sender) m.sender.user_id.reset();
  m.sent_at = op.now;
  m.parts = std::move(parts);
  m.notification = op.notification;
  std::vector<UserId> participants = held->participants;
  for (const UserId& u : participants) m.recipient_status[u] = ReceiptState::kSent;
  if (user_sender) m.recipient_status[*m.sender.user_id] = ReceiptState::kRead;
  RELAYER_ASSIGN_OR_RETURN(std::optional<UserId> blocker,
                           HotBlockingPeer(ctx, op.app_id, *held, op.sender));

  int64_t message_rowid = 0;
  {
    auto q = ctx.db.Prepare(
        "INSERT INTO messages (id, app, conv, position, sender_user, sender_name, sent_at, "
        "parts, notification, recipient_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    q.Bind(1, m.id.str()).Bind(2, op.app_id.str()).Bind(3, c.rowid).Bind(4, m.position);
    if (user_sender) {
      q.Bind(5, m.sender.user_id->str());
    } else {
      q.BindNull(5);
    }
    q.Bind(6, m.sender.name).Bind(7, m.sent_at).Bind(8, EncodeParts(m.parts));
    if (m.notification) {
      q.Bind(9, EncodeObject(*m.notification));
    } else {
      q.BindNull(9);
    }
    q.Bind(10, EncodeRecipientStatus(m.recipient_status));
    RELAYER_RETURN_IF_ERROR(q.Exec());
    message_rowid = ctx.db.LastInsertRowid();
  }
  {
    auto q = ctx.db.Prepare(
        "UPDATE conversations SET last_position = ?2, last_sent_at = ?3, "
        "message_count = message_count + 1 WHERE rowid = ?1");
    q.Bind(1, c.rowid).Bind(2, m.position).Bind(3, m.sent_at);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  {
    // One statement for every participant: unread +1 except for the sender, and a conversation
    // deleted for someone's devices becomes visible again.
    auto q = ctx.db.Prepare(
        "UPDATE participants SET unread = unread + (user_id IS NOT ?2 AND user_id IS NOT ?3), "
        "hidden = (hidden AND user_id IS ?3) WHERE conv = ?1");
    q.Bind(1, c.rowid);
    if (user_sender) {
      q.Bind(2, m.sender.user_id->str());
    } else {
      q.BindNull(2);
    }
    if (blocker) {
      q.Bind(3, blocker->str());
    } else {
      q.BindNull(3);
    }
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  if (blocker) {
    // The blocker never sees it: hidden for them alone, and not pushed to them.
    auto q = ctx.db.Prepare("INSERT INTO hidden_messages (msg, user_id) VALUES (?1, ?2)");
    q.Bind(1, message_rowid).Bind(2, blocker->str());
    RELAYER_RETURN_IF_ERROR(q.Exec());
    std::erase(participants, *blocker);
  }
  RELAYER_RETURN_IF_ERROR(EmitMemberChange(ctx.db, op.app_id, op.now, c.rowid,
                                           MessageChange(ChangeOp::kCreate, m, participants, ""),
                                           out));
  const SyncActor actor =
      user_sender ? SyncActor::User(*m.sender.user_id) : SyncActor::Service(m.sender.name);
  RELAYER_RETURN_IF_ERROR(LogSync(ctx, op.app_id, op.now,
                                  {actor, SyncVerb::kMessageCreated, m.id.str(), c.id, ""}, out));
  out.outcome = CreateOutcome::kCreated;
  if (user_sender) {
    // The answer and the pushed copy name the sender as the identity is now (see rows.cc).
    RELAYER_ASSIGN_OR_RETURN(m.sender.name, HotDisplayName(ctx, op.app_id, *m.sender.user_id));
  }
  held->row.last_position = m.position;
  ctx.hot.PutMessage(MessageRow{message_rowid, c.rowid, op.app_id, m});
  out.message = std::move(m);
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const PostReceiptOp& op, WriteResult& out) {
  // The message's row from the writer's cache when it wrote it (hot_rows.h).
  MessageRow* written = ctx.hot.FindMessage(op.id);
  RELAYER_ASSIGN_OR_RETURN(VisibleMessage v,
                           written ? RequireVisible(ctx.db, *written, op.app_id, op.actor)
                                   : RequireVisibleMessage(ctx.db, op.app_id, op.id, op.actor));
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
  if (written) written->message.recipient_status = m.recipient_status;
  const bool now_read = after == ReceiptState::kRead;
  if (now_read) RELAYER_RETURN_IF_ERROR(LowerUnread(ctx.db, v.msg.conv, op.actor));

  std::vector<UserId> participants;
  if (const HotRows::Conversation* held = ctx.hot.FindConversation(op.app_id, m.conversation_id);
      held && held->row.rowid == v.msg.conv) {
    participants = held->participants;
  } else {
    RELAYER_ASSIGN_OR_RETURN(participants, ParticipantIds(ctx.db, v.msg.conv));
  }
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor),
               op.type == ReceiptType::kRead ? SyncVerb::kReadReceipt : SyncVerb::kDeliveryReceipt,
               m.id.str(), m.conversation_id, ""},
              out));
  json::array patch{PatchSet(RecipientStatusPath(op.actor), ReceiptStateName(after))};
  RELAYER_RETURN_IF_ERROR(EmitMemberChange(
      ctx.db, op.app_id, op.now, v.msg.conv,
      MessageChange(ChangeOp::kUpdate, m, std::move(participants), json::serialize(patch)), out));
  if (now_read) {
    RELAYER_RETURN_IF_ERROR(
        EmitUnreadCount(ctx, op.app_id, op.now, v.msg.conv, m.conversation_id, op.actor, out));
  }
  out.message = std::move(m);
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const DeleteMessageOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(VisibleMessage v,
                           RequireVisibleMessage(ctx.db, op.app_id, op.id, op.actor));
  const Message& m = v.msg.message;
  RELAYER_RETURN_IF_ERROR(
      LogSync(ctx, op.app_id, op.now,
              {SyncActor::User(op.actor), SyncVerb::kMessageDeleted, m.id.str(), m.conversation_id,
               ModeDetail(op.mode == DeletionMode::kAllParticipants)},
              out));
  if (op.mode == DeletionMode::kMyDevices) {
    auto it = m.recipient_status.find(op.actor);
    if (it != m.recipient_status.end() && it->second != ReceiptState::kRead) {
      RELAYER_RETURN_IF_ERROR(LowerUnread(ctx.db, v.msg.conv, op.actor));
    }
    auto q = ctx.db.Prepare("INSERT OR IGNORE INTO hidden_messages (msg, user_id) VALUES (?1, ?2)");
    q.Bind(1, v.msg.rowid).Bind(2, op.actor.str());
    RELAYER_RETURN_IF_ERROR(q.Exec());
    return EmitMemberChange(
        ctx.db, op.app_id, op.now, v.msg.conv,
        MessageChange(ChangeOp::kDelete, m, {op.actor}, R"({"mode":"my_devices"})"), out);
  }

  // Everyone for whom the message still counted as unread gets one unread less.
  std::vector<UserId> unread_for;
  for (const auto& [user, state] : m.recipient_status) {
    if (state != ReceiptState::kRead) unread_for.push_back(user);
  }
  {
    auto q = ctx.db.Prepare(
        "UPDATE participants SET unread = MAX(0, unread - 1) WHERE conv = ?1 "
        "AND user_id IN (SELECT value FROM json_each(?2)) AND hidden_before < ?3 "
        "AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.msg = ?4 "
        "AND h.user_id = participants.user_id)");
    q.Bind(1, v.msg.conv).Bind(2, EncodeUsers(unread_for)).Bind(3, m.position);
    q.Bind(4, v.msg.rowid);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  for (const char* sql :
       {"DELETE FROM hidden_messages WHERE msg = ?1", "DELETE FROM messages WHERE rowid = ?1"}) {
    auto q = ctx.db.Prepare(sql);
    q.Bind(1, v.msg.rowid);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  {
    auto q = ctx.db.Prepare(
        "UPDATE conversations SET message_count = message_count - 1, last_sent_at = (SELECT "
        "sent_at FROM messages WHERE conv = ?1 ORDER BY position DESC LIMIT 1) WHERE rowid = ?1");
    q.Bind(1, v.msg.conv);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  {
    // It no longer counts among the messages hidden below anyone's hidden_before.
    auto q = ctx.db.Prepare(
        "UPDATE participants SET hidden_below = hidden_below - 1 "
        "WHERE conv = ?1 AND hidden_before >= ?2");
    q.Bind(1, v.msg.conv).Bind(2, m.position);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> participants, ParticipantIds(ctx.db, v.msg.conv));
  return EmitMemberChange(ctx.db, op.app_id, op.now, v.msg.conv,
                          MessageChange(ChangeOp::kDelete, m, std::move(participants),
                                        R"({"mode":"all_participants"})"),
                          out);
}

}  // namespace relayer::sqlite
