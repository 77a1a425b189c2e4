// Delivery events on PostgreSQL: what a committed write leaves for webhooks and push, recorded in
// the write's own transaction, only when an active webhook of the app subscribes to the event
// type or (for a new message with a notification) a recipient has a push token. The same rules as
// SQLite's (store/sqlite/events.cc), whose JSON encoding of the event object is shared.
#include "store/postgres/events.h"

#include "store/delivery_plan.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"

namespace relayer::pg {
namespace {

std::string UserArray(const std::vector<UserId>& users) {
  std::vector<std::string> v;
  v.reserve(users.size());
  for (const UserId& u : users) v.push_back(u.str());
  return TextArray(v);
}

Result<bool> Exists(Connection& db, const std::string& sql, const std::vector<Param>& params) {
  RELAYER_ASSIGN_OR_RETURN(Rows r, db.Query(sql, params));
  return !r.rows.empty();
}

// Whether an active webhook of `app` subscribes to `type`.
Result<bool> WebhookWants(Connection& db, const AppId& app, std::string_view type) {
  return Exists(db,
                "SELECT 1 FROM webhooks WHERE app = $1 AND status = 1 AND EXISTS (SELECT 1 FROM "
                "json_array_elements_text(events::json) e WHERE e = $2) LIMIT 1",
                {P(app.str()), P(std::string(type))});
}

Result<bool> AnyPushToken(Connection& db, const AppId& app, const std::vector<UserId>& users) {
  if (users.empty()) return false;
  return Exists(db,
                "SELECT 1 FROM push_tokens WHERE app = $1 AND user_id = ANY($2::text[]) LIMIT 1",
                {P(app.str()), P(UserArray(users))});
}

// Whether a push may be owed for `m`: it has a notification and a recipient has a token.
Result<bool> PushWanted(Connection& db, const AppId& app, const Message& m) {
  if (!m.notification) return false;
  std::vector<UserId> recipients;
  for (const auto& [user, state] : m.recipient_status) {
    if (!m.sender.user_id || user != *m.sender.user_id) recipients.push_back(user);
  }
  return AnyPushToken(db, app, recipients);
}

Result<Conversation> ConversationSnapshot(Connection& db, const AppId& app,
                                          const ConversationId& id) {
  RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(db, app, id));
  Conversation c;
  c.id = row.id;
  c.created_at = row.created_at;
  c.distinct = row.distinct;
  RELAYER_ASSIGN_OR_RETURN(c.metadata, sqlite::DecodeObject(row.metadata_json));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> users, ParticipantIds(db, app, id));
  for (UserId& u : users) {
    Identity i;
    i.user_id = std::move(u);
    c.participants.push_back(std::move(i));
  }
  return c;
}

Result<Message> MessageSnapshot(Connection& db, const AppId& app, const MessageId& id) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindMessageRow(db, app, id));
  if (!row) return NotFound("message not found");
  return std::move(row->message);
}

DeliveryEvent Event(const AppId& app, TimeMs ts, std::string type, Sender actor) {
  DeliveryEvent e;
  e.app = app;
  e.ts = ts;
  e.type = std::move(type);
  e.actor = std::move(actor);
  return e;
}

Status ConversationEvent(PgOpContext& ctx, const AppId& app, TimeMs ts, const char* type,
                         const UserId& actor, const std::optional<Conversation>& known,
                         const ConversationId& id, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx.db, app, type));
  if (!wanted) return Status::Ok();
  DeliveryEvent e = Event(app, ts, type, UserActor(actor));
  if (known) {
    e.conversation = *known;
  } else {
    RELAYER_ASSIGN_OR_RETURN(e.conversation, ConversationSnapshot(ctx.db, app, id));
  }
  return InsertEvent(ctx.db, e, out);
}

Status MessageEvent(PgOpContext& ctx, const AppId& app, TimeMs ts, const char* type, Sender actor,
                    const std::optional<Message>& known, const MessageId& id, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx.db, app, type));
  if (!wanted && known && std::string_view(type) == "message.sent") {
    RELAYER_ASSIGN_OR_RETURN(wanted, PushWanted(ctx.db, app, *known));
  }
  if (!wanted) return Status::Ok();
  DeliveryEvent e = Event(app, ts, type, std::move(actor));
  if (known) {
    e.message = *known;
  } else {
    RELAYER_ASSIGN_OR_RETURN(e.message, MessageSnapshot(ctx.db, app, id));
  }
  return InsertEvent(ctx.db, e, out);
}

}  // namespace

Result<PreSnapshot> SnapshotBefore(PgOpContext& ctx, const WriteOp& op) {
  PreSnapshot pre;
  if (const auto* d = std::get_if<DeleteMessageOp>(&op);
      d && d->mode == DeletionMode::kAllParticipants) {
    RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx.db, d->app_id, "message.deleted"));
    if (wanted) {
      auto m = MessageSnapshot(ctx.db, d->app_id, d->id);
      if (m.ok()) pre.message = std::move(*m);
    }
  } else if (const auto* c = std::get_if<DeleteConversationOp>(&op);
             c && c->mode == DeletionMode::kAllParticipants) {
    RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx.db, c->app_id, "conversation.deleted"));
    if (wanted) {
      auto conv = ConversationSnapshot(ctx.db, c->app_id, c->id);
      if (conv.ok()) pre.conversation = std::move(*conv);
    }
  }
  return pre;
}

namespace {

// The database side of RecordDeliveryEvents (store/delivery_plan.h), in the write's transaction.
struct EventSink {
  PgOpContext& ctx;
  WriteResult& out;

  Status Conversation(const AppId& app, TimeMs ts, const char* type, const UserId& actor,
                      const std::optional<relayer::Conversation>& known, const ConversationId& id) {
    return ConversationEvent(ctx, app, ts, type, actor, known, id, out);
  }
  Status Message(const AppId& app, TimeMs ts, const char* type, Sender actor,
                 const std::optional<relayer::Message>& known, const MessageId& id) {
    return MessageEvent(ctx, app, ts, type, std::move(actor), known, id, out);
  }
  Status Notification(const CreateAnnouncementOp& op) {
    RELAYER_ASSIGN_OR_RETURN(bool wanted, AnyPushToken(ctx.db, op.app_id, op.recipients));
    if (!wanted) return Status::Ok();
    DeliveryEvent e = Event(op.app_id, op.now, kNotificationEvent, Sender());
    e.recipients = op.recipients;
    e.notification = *op.notification;
    return InsertEvent(ctx.db, e, out);
  }
};

}  // namespace

Status RecordEvents(PgOpContext& ctx, const WriteOp& op, const PreSnapshot& pre, WriteResult& out) {
  EventSink sink{ctx, out};
  return RecordDeliveryEvents(sink, op, pre.conversation, pre.message, out);
}

}  // namespace relayer::pg
