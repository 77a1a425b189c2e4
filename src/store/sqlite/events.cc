#include "store/sqlite/events.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/delivery_plan.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

// Whether an active webhook of `app` subscribes to `type` (held by the writer: hot_rows.h).
Result<bool> WebhookWants(OpContext& ctx, const AppId& app, std::string_view type) {
  if (const bool* held = ctx.hot.FindWebhookWants(app, type)) return *held;
  auto q = ctx.db.Prepare(
      "SELECT 1 FROM webhooks WHERE app = ?1 AND status = 1 AND EXISTS "
      "(SELECT 1 FROM json_each(webhooks.events) WHERE value = ?2) LIMIT 1");
  q.Bind(1, app.str()).Bind(2, type);
  bool found = q.Next();
  if (!q.ok()) return q.status();
  ctx.hot.PutWebhookWants(app, type, found);
  return found;
}

// Whether one of `users` has a push token. An app without any token needs no look at theirs
// (whether it has one is held by the writer: hot_rows.h).
Result<bool> AnyPushToken(OpContext& ctx, const AppId& app, const std::vector<UserId>& users) {
  if (users.empty()) return false;
  bool app_has_one = false;
  if (const bool* held = ctx.hot.FindHasPushTokens(app)) {
    app_has_one = *held;
  } else {
    auto q = ctx.db.Prepare("SELECT 1 FROM push_tokens WHERE app = ?1 LIMIT 1");
    q.Bind(1, app.str());
    app_has_one = q.Next();
    if (!q.ok()) return q.status();
    ctx.hot.PutHasPushTokens(app, app_has_one);
  }
  if (!app_has_one) return false;
  auto q = ctx.db.Prepare(
      "SELECT 1 FROM push_tokens WHERE app = ?1 AND user_id IN (SELECT value FROM json_each(?2)) "
      "LIMIT 1");
  q.Bind(1, app.str()).Bind(2, EncodeUsers(users));
  const bool found = q.Next();
  if (!q.ok()) return q.status();
  return found;
}

// Whether a push may be owed for `m`: it has a notification and a recipient has a token.
Result<bool> PushWanted(OpContext& ctx, const AppId& app, const Message& m) {
  if (!m.notification) return false;
  std::vector<UserId> recipients;
  for (const auto& [user, state] : m.recipient_status) {
    if (!m.sender.user_id || user != *m.sender.user_id) recipients.push_back(user);
  }
  return AnyPushToken(ctx, app, recipients);
}

Result<Conversation> ConversationSnapshot(Connection& db, const AppId& app,
                                          const ConversationId& id) {
  RELAYER_ASSIGN_OR_RETURN(ConversationRow row, FindConversationRow(db, app, id));
  Conversation c;
  c.id = row.id;
  c.created_at = row.created_at;
  c.distinct = row.distinct_key.has_value();
  RELAYER_ASSIGN_OR_RETURN(c.metadata, DecodeObject(row.metadata_json));
  RELAYER_ASSIGN_OR_RETURN(std::vector<UserId> users, ParticipantIds(db, row.rowid));
  for (UserId& u : users) {
    Identity i;
    i.user_id = std::move(u);
    c.participants.push_back(std::move(i));
  }
  return c;
}

Result<Message> MessageSnapshot(Connection& db, const MessageId& id) {
  RELAYER_ASSIGN_OR_RETURN(auto row, FindMessageRow(db, id));
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

// Records a conversation event when a webhook wants it.
Status ConversationEvent(OpContext& ctx, const AppId& app, TimeMs ts, const char* type,
                         const UserId& actor, const std::optional<Conversation>& known,
                         const ConversationId& id, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx, app, type));
  if (!wanted) return Status::Ok();
  DeliveryEvent e = Event(app, ts, type, UserActor(actor));
  if (known) {
    e.conversation = *known;
  } else {
    RELAYER_ASSIGN_OR_RETURN(e.conversation, ConversationSnapshot(ctx.db, app, id));
  }
  return InsertEvent(ctx.db, e, out);
}

Status MessageEvent(OpContext& ctx, const AppId& app, TimeMs ts, const char* type, Sender actor,
                    const std::optional<Message>& known, const MessageId& id, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx, app, type));
  if (!wanted && known && std::string_view(type) == "message.sent") {
    RELAYER_ASSIGN_OR_RETURN(wanted, PushWanted(ctx, app, *known));
  }
  if (!wanted) return Status::Ok();
  DeliveryEvent e = Event(app, ts, type, std::move(actor));
  if (known) {
    e.message = *known;
  } else {
    RELAYER_ASSIGN_OR_RETURN(e.message, MessageSnapshot(ctx.db, id));
  }
  return InsertEvent(ctx.db, e, out);
}

}  // namespace

Result<PreSnapshot> SnapshotBefore(OpContext& ctx, const WriteOp& op) {
  PreSnapshot pre;
  if (const auto* d = std::get_if<DeleteMessageOp>(&op);
      d && d->mode == DeletionMode::kAllParticipants) {
    RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx, d->app_id, "message.deleted"));
    if (wanted) {
      auto m = MessageSnapshot(ctx.db, d->id);
      if (m.ok()) pre.message = std::move(*m);
    }
  } else if (const auto* c = std::get_if<DeleteConversationOp>(&op);
             c && c->mode == DeletionMode::kAllParticipants) {
    RELAYER_ASSIGN_OR_RETURN(bool wanted, WebhookWants(ctx, c->app_id, "conversation.deleted"));
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
  OpContext& ctx;
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
    RELAYER_ASSIGN_OR_RETURN(bool wanted, AnyPushToken(ctx, op.app_id, op.recipients));
    if (!wanted) return Status::Ok();
    DeliveryEvent e = Event(op.app_id, op.now, kNotificationEvent, Sender());
    e.recipients = op.recipients;
    e.notification = *op.notification;
    return InsertEvent(ctx.db, e, out);
  }
};

}  // namespace

Status RecordEvents(OpContext& ctx, const WriteOp& op, const PreSnapshot& pre, WriteResult& out) {
  EventSink sink{ctx, out};
  return RecordDeliveryEvents(sink, op, pre.conversation, pre.message, out);
}

Status InsertEvent(Connection& db, const DeliveryEvent& e, WriteResult& out) {
  auto q = db.Prepare(
      "INSERT INTO delivery_events (app, ts, type, actor_user, actor_name, object) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  q.Bind(1, e.app.str()).Bind(2, e.ts).Bind(3, e.type);
  if (e.actor.user_id) {
    q.Bind(4, e.actor.user_id->str());
  } else {
    q.BindNull(4);
  }
  q.Bind(5, e.actor.name).Bind(6, EncodeEventObject(e));
  RELAYER_RETURN_IF_ERROR(q.Exec());
  ++out.delivery_events;
  return Status::Ok();
}

std::string EncodeEventObject(const DeliveryEvent& e) {
  json::object o;
  if (e.message) {
    const Message& m = *e.message;
    json::object mj;
    mj["id"] = m.id.str();
    mj["conversation_id"] = m.conversation_id.str();
    mj["position"] = m.position;
    if (m.sender.user_id) mj["sender_user"] = m.sender.user_id->str();
    mj["sender_name"] = m.sender.name;
    mj["sent_at"] = m.sent_at;
    mj["parts"] = json::parse(EncodeParts(m.parts));
    if (m.notification) mj["notification"] = *m.notification;
    mj["recipient_status"] = json::parse(EncodeRecipientStatus(m.recipient_status));
    o["message"] = std::move(mj);
  }
  if (e.conversation) {
    const Conversation& c = *e.conversation;
    json::object cj;
    cj["id"] = c.id.str();
    cj["created_at"] = c.created_at;
    cj["distinct"] = c.distinct;
    cj["metadata"] = c.metadata;
    json::array participants;
    for (const Identity& i : c.participants) participants.emplace_back(i.user_id.str());
    cj["participants"] = std::move(participants);
    o["conversation"] = std::move(cj);
  }
  if (!e.recipients.empty() || !e.notification.empty()) {
    json::array recipients;
    for (const UserId& u : e.recipients) recipients.emplace_back(u.str());
    o["recipients"] = std::move(recipients);
    o["notification"] = e.notification;
  }
  return json::serialize(o);
}

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

}  // namespace

Status DecodeEventObject(std::string_view text, DeliveryEvent& e) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Internal("stored delivery event is not a JSON object");
  const json::object& o = v.get_object();
  if (const json::value* mv = o.if_contains("message"); mv && mv->is_object()) {
    const json::object& mj = mv->get_object();
    Message m;
    m.id = MessageId(Str(mj, "id"));
    m.conversation_id = ConversationId(Str(mj, "conversation_id"));
    m.position = Int(mj, "position");
    if (mj.contains("sender_user")) m.sender.user_id = UserId(Str(mj, "sender_user"));
    m.sender.name = Str(mj, "sender_name");
    m.sent_at = Int(mj, "sent_at");
    if (const json::value* p = mj.if_contains("parts")) {
      RELAYER_ASSIGN_OR_RETURN(m.parts, DecodeParts(json::serialize(*p)));
    }
    if (const json::value* n = mj.if_contains("notification"); n && n->is_object()) {
      m.notification = n->get_object();
    }
    if (const json::value* r = mj.if_contains("recipient_status")) {
      RELAYER_ASSIGN_OR_RETURN(m.recipient_status, DecodeRecipientStatus(json::serialize(*r)));
    }
    e.message = std::move(m);
  }
  if (const json::value* cv = o.if_contains("conversation"); cv && cv->is_object()) {
    const json::object& cj = cv->get_object();
    Conversation c;
    c.id = ConversationId(Str(cj, "id"));
    c.created_at = Int(cj, "created_at");
    if (const json::value* d = cj.if_contains("distinct"); d && d->is_bool())
      c.distinct = d->get_bool();
    if (const json::value* md = cj.if_contains("metadata"); md && md->is_object()) {
      c.metadata = md->get_object();
    }
    if (const json::value* ps = cj.if_contains("participants"); ps && ps->is_array()) {
      for (const json::value& p : ps->get_array()) {
        if (!p.is_string()) continue;
        Identity i;
        i.user_id = UserId(std::string(p.get_string()));
        c.participants.push_back(std::move(i));
      }
    }
    e.conversation = std::move(c);
  }
  if (const json::value* rv = o.if_contains("recipients"); rv && rv->is_array()) {
    for (const json::value& r : rv->get_array()) {
      if (r.is_string()) e.recipients.emplace_back(std::string(r.get_string()));
    }
  }
  if (const json::value* n = o.if_contains("notification"); n && n->is_object()) {
    e.notification = n->get_object();
  }
  return Status::Ok();
}

}  // namespace relayer::sqlite
