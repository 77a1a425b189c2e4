// Delivery on PostgreSQL: push tokens, webhooks, notifications, the outbox and the delivery
// events writes leave for them (store/sqlite/ops_delivery.cc and events.cc for SQLite's).
//
// Several nodes share these tables. Scheduling consumes exactly the events it names
// (ScheduleDeliveriesOp::event_seqs) and fails when one of them is gone, so two nodes can never
// both schedule an event; which node reads the outbox at all is decided by the outbox lock
// (outbox_lock.h).
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "store/postgres/events.h"
#include "store/postgres/ops.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"

namespace relayer::pg {
namespace json = boost::json;
namespace {

std::string JsonStrings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}

Status Exec(Connection& db, const std::string& sql, const std::vector<Param>& params) {
  return db.Query(sql, params).status();
}

// Rows a statement with RETURNING touched.
Result<size_t> Count(Connection& db, const std::string& sql, const std::vector<Param>& params) {
  RELAYER_ASSIGN_OR_RETURN(Rows r, db.Query(sql, params));
  return r.rows.size();
}

Status InsertWebhook(Connection& db, const Webhook& w) {
  return Exec(db,
              "INSERT INTO webhooks (id, app, version, target_url, events, secret, config, status, "
              "status_reason, created_at, from_config) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
              "$10, $11)",
              {P(w.id), P(w.app.str()), P(w.version), P(w.target_url), P(JsonStrings(w.events)),
               P(w.secret), P(sqlite::EncodeObject(w.config)), P(static_cast<int64_t>(w.status)),
               P(w.status_reason), P(w.created_at), P(w.from_config)});
}

Status DeleteWebhookRows(Connection& db, const std::string& id) {
  RELAYER_RETURN_IF_ERROR(Exec(db, "DELETE FROM deliveries WHERE queue = $1", {P(id)}));
  return Exec(db, "DELETE FROM webhooks WHERE id = $1", {P(id)});
}

// The webhook, its row locked against a concurrent status change on another node.
Result<Webhook> LockWebhook(Connection& db, const AppId& app, const std::string& id) {
  RELAYER_RETURN_IF_ERROR(Exec(db, "SELECT 1 FROM webhooks WHERE id = $1 AND app = $2 FOR UPDATE",
                               {P(id), P(app.str())}));
  return ReadWebhook(db, app, id);
}

// A paused queue starts over: its head is due now and gets a full retry window again.
Status RestartQueue(Connection& db, const std::string& queue, TimeMs now) {
  return Exec(
      db, "UPDATE deliveries SET first_attempt_at = NULL, next_attempt_at = $2 WHERE queue = $1",
      {P(queue), P(now)});
}

Status SetStatus(Connection& db, const std::string& id, WebhookStatus status,
                 const std::string& reason) {
  return Exec(db, "UPDATE webhooks SET status = $2, status_reason = $3 WHERE id = $1",
              {P(id), P(static_cast<int64_t>(status)), P(reason)});
}

}  // namespace

Status InsertEvent(Connection& db, const DeliveryEvent& e, WriteResult& out) {
  Param actor = e.actor.user_id ? P(e.actor.user_id->str()) : Null();
  RELAYER_RETURN_IF_ERROR(
      Exec(db,
           "INSERT INTO delivery_events (app, ts, type, actor_user, actor_name, "
           "object) VALUES ($1, $2, $3, $4, $5, $6)",
           {P(e.app.str()), P(e.ts), P(e.type), std::move(actor), P(e.actor.name),
            P(sqlite::EncodeEventObject(e))}));
  ++out.delivery_events;
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const RegisterPushTokenOp& op, WriteResult&) {
  const PushToken& t = op.token;
  const std::string app = op.app_id.str();
  // The token may have belonged to another device (or user); the device's row is replaced in
  // place, so two nodes registering the same device at once cannot both insert it.
  RELAYER_RETURN_IF_ERROR(
      Exec(ctx.db, "DELETE FROM push_tokens WHERE app = $1 AND token = $2 AND device_id <> $3",
           {P(app), P(t.token), P(t.device_id)}));
  RELAYER_RETURN_IF_ERROR(Exec(
      ctx.db,
      "INSERT INTO push_tokens (app, device_id, user_id, token, type, apns_bundle_id, "
      "gcm_sender_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
      "ON CONFLICT (app, device_id) DO UPDATE SET user_id = excluded.user_id, token = "
      "excluded.token, type = excluded.type, apns_bundle_id = excluded.apns_bundle_id, "
      "gcm_sender_id = excluded.gcm_sender_id, created_at = excluded.created_at, last_used_at = "
      "excluded.last_used_at",
      {P(app), P(t.device_id), P(t.user_id.str()), P(t.token), P(t.type), P(t.apns_bundle_id),
       P(t.gcm_sender_id), P(op.now)}));
  // Keep the user's max_per_user most recently used tokens (this one among them).
  return Exec(ctx.db,
              "DELETE FROM push_tokens WHERE app = $1 AND user_id = $2 AND device_id NOT IN "
              "(SELECT device_id FROM push_tokens WHERE app = $1 AND user_id = $2 "
              "ORDER BY last_used_at DESC, device_id = $4 DESC LIMIT $3)",
              {P(app), P(t.user_id.str()),
               P(static_cast<int64_t>(std::max<size_t>(1, op.max_per_user))), P(t.device_id)});
}

Status Apply(PgOpContext& ctx, const DeletePushTokenOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(
      size_t n, Count(ctx.db,
                      "DELETE FROM push_tokens WHERE app = $1 AND user_id = $2 AND device_id = $3 "
                      "RETURNING 1",
                      {P(op.app_id.str()), P(op.user.str()), P(op.device_id)}));
  if (n == 0) return NotFound("push token not found");
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const CreateWebhookOp& op, WriteResult& out) {
  const std::string app = op.webhook.app.str();
  // Count and insert under one lock per app: two nodes cannot both take the last free place.
  RELAYER_RETURN_IF_ERROR(Exec(
      ctx.db, "SELECT pg_advisory_xact_lock(hashtextextended('webhooks:' || $1, 0))", {P(app)}));
  RELAYER_ASSIGN_OR_RETURN(Rows count,
                           ctx.db.Query("SELECT count(*) FROM webhooks WHERE app = $1", {P(app)}));
  const int64_t n = count.rows.empty() ? 0 : Int(count.rows[0][0]);
  if (n >= static_cast<int64_t>(op.max_per_app)) {
    return Status(ErrorCode::kInvalidOperation,
                  "an app has at most " + std::to_string(op.max_per_app) + " webhooks");
  }
  RELAYER_RETURN_IF_ERROR(InsertWebhook(ctx.db, op.webhook));
  out.webhook = op.webhook;
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const SyncConfigWebhooksOp& op, WriteResult&) {
  std::vector<std::string> keep;
  for (const Webhook& w : op.webhooks) {
    keep.push_back(w.id);
    auto existing = LockWebhook(ctx.db, op.app_id, w.id);
    if (!existing.ok() && existing.status().code() != ErrorCode::kNotFound) {
      return existing.status();
    }
    if (existing.ok() && !existing->from_config) {
      return Status(ErrorCode::kIdInUse, "webhook id " + w.id + " is in use by the Platform API");
    }
    Webhook row = w;
    row.app = op.app_id;
    row.from_config = true;
    row.status = WebhookStatus::kActive;
    if (existing.ok()) {
      row.created_at = existing->created_at;
      const bool same = existing->target_url == w.target_url && existing->events == w.events &&
                        existing->secret == w.secret && existing->config == w.config;
      // An unchanged webhook keeps the status the Platform API or the retries gave it.
      if (same) continue;
      RELAYER_RETURN_IF_ERROR(DeleteWebhookRows(ctx.db, w.id));
    } else {
      row.created_at = op.now;
    }
    RELAYER_RETURN_IF_ERROR(InsertWebhook(ctx.db, row));
  }
  RELAYER_ASSIGN_OR_RETURN(
      Rows gone, ctx.db.Query("SELECT id FROM webhooks WHERE app = $1 AND from_config AND "
                              "id <> ALL($2::text[])",
                              {P(op.app_id.str()), P(TextArray(keep))}));
  for (const Row& r : gone.rows) RELAYER_RETURN_IF_ERROR(DeleteWebhookRows(ctx.db, Text(r[0])));
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const SetWebhookStatusOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Webhook w, LockWebhook(ctx.db, op.app_id, op.id));
  if (op.only_if && w.status != *op.only_if) {
    out.webhook = std::move(w);
    return Status::Ok();
  }
  if (w.status == WebhookStatus::kInactive && op.status != WebhookStatus::kInactive) {
    RELAYER_RETURN_IF_ERROR(RestartQueue(ctx.db, w.id, op.now));
  }
  RELAYER_RETURN_IF_ERROR(SetStatus(ctx.db, w.id, op.status, op.reason));
  w.status = op.status;
  w.status_reason = op.reason;
  out.webhook = std::move(w);
  return Status::Ok();
}

Status Apply(PgOpContext& ctx, const DeleteWebhookOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(Webhook w, LockWebhook(ctx.db, op.app_id, op.id));
  return DeleteWebhookRows(ctx.db, w.id);
}

Status Apply(PgOpContext& ctx, const SendNotificationOp& op, WriteResult& out) {
  DeliveryEvent e;
  e.app = op.app_id;
  e.ts = op.now;
  e.type = kNotificationEvent;
  e.recipients = op.recipients;
  e.notification = op.notification;
  return InsertEvent(ctx.db, e, out);
}

Status Apply(PgOpContext& ctx, const ScheduleDeliveriesOp& op, WriteResult& out) {
  // Consume the events first: when another node got there before us, nothing is inserted.
  if (!op.event_seqs.empty()) {
    std::vector<std::string> seqs;
    for (int64_t s : op.event_seqs) seqs.push_back(std::to_string(s));
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    RELAYER_ASSIGN_OR_RETURN(size_t n,
                             Count(ctx.db,
                                   "DELETE FROM delivery_events WHERE seq = ANY($1::bigint[]) "
                                   "RETURNING seq",
                                   {P(TextArray(seqs))}));
    if (n != seqs.size()) {
      return Status(ErrorCode::kConflict, "delivery events were scheduled already");
    }
  } else {
    RELAYER_RETURN_IF_ERROR(
        Exec(ctx.db, "DELETE FROM delivery_events WHERE seq <= $1", {P(op.through_seq)}));
  }
  if (op.deliveries.empty()) return Status::Ok();
  // One statement for the whole batch; ids follow the order of `deliveries`.
  json::array rows;
  for (const Delivery& d : op.deliveries) {
    rows.push_back(json::object{{"app", d.app.str()},
                                {"queue", d.queue},
                                {"request_id", d.request_id},
                                {"event_type", d.event_type},
                                {"body", d.body},
                                {"next_attempt_at", d.next_attempt_at},
                                {"created_at", d.created_at}});
    if (std::find(out.queues.begin(), out.queues.end(), d.queue) == out.queues.end()) {
      out.queues.push_back(d.queue);
    }
  }
  return Exec(ctx.db,
              "INSERT INTO deliveries (app, queue, request_id, event_type, body, next_attempt_at, "
              "created_at) SELECT app, queue, request_id, event_type, body, next_attempt_at, "
              "created_at FROM ROWS FROM (json_to_recordset($1::json) AS (app text, queue text, "
              "request_id text, event_type text, body text, next_attempt_at bigint, created_at "
              "bigint)) WITH ORDINALITY AS x(app, queue, request_id, event_type, body, "
              "next_attempt_at, created_at, n) ORDER BY n",
              {P(json::serialize(rows))});
}

Status Apply(PgOpContext& ctx, const FinishDeliveryOp& op, WriteResult& out) {
  if (op.outcome == AttemptOutcome::kDelivered || op.outcome == AttemptOutcome::kDrop) {
    return Exec(ctx.db, "DELETE FROM deliveries WHERE id = $1", {P(op.id)});
  }
  RELAYER_ASSIGN_OR_RETURN(
      Rows updated,
      ctx.db.Query("UPDATE deliveries SET attempts = attempts + 1, first_attempt_at = "
                   "COALESCE(first_attempt_at, $2), next_attempt_at = $3, last_error = $4 "
                   "WHERE id = $1 RETURNING queue, app",
                   {P(op.id), P(op.now), P(op.next_attempt_at), P(op.error)}));
  if (updated.rows.empty()) return Status::Ok();  // gone already
  const std::string queue = Text(updated.rows[0][0]);
  if (op.outcome == AttemptOutcome::kPauseWebhook && !IsPushQueue(queue)) {
    RELAYER_RETURN_IF_ERROR(SetStatus(ctx.db, queue, WebhookStatus::kInactive, op.error));
    auto w = ReadWebhook(ctx.db, AppId(Text(updated.rows[0][1])), queue);
    if (w.ok()) {
      out.webhook = std::move(*w);
    } else if (w.status().code() != ErrorCode::kNotFound) {
      return w.status();
    }
  }
  return Status::Ok();
}

}  // namespace relayer::pg
