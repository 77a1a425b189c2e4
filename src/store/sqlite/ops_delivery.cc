// Delivery writes: push tokens, webhooks, notifications, and the outbox (schedule, finish).
#include <algorithm>
#include <boost/json/serialize.hpp>

#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"
#include "store/sqlite/ops.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

std::string EncodeStrings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}

Status InsertWebhook(Connection& db, const Webhook& w) {
  auto q = db.Prepare(
      "INSERT INTO webhooks (id, app, version, target_url, events, secret, config, status, "
      "status_reason, created_at, from_config) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11)");
  q.Bind(1, w.id).Bind(2, w.app.str()).Bind(3, w.version).Bind(4, w.target_url);
  q.Bind(5, EncodeStrings(w.events)).Bind(6, w.secret).Bind(7, EncodeObject(w.config));
  q.Bind(8, static_cast<int64_t>(w.status)).Bind(9, w.status_reason).Bind(10, w.created_at);
  q.Bind(11, static_cast<int64_t>(w.from_config ? 1 : 0));
  return q.Exec();
}

Status DeleteWebhookRows(Connection& db, const std::string& id) {
  for (const char* sql :
       {"DELETE FROM deliveries WHERE queue = ?1", "DELETE FROM webhooks WHERE id = ?1"}) {
    auto q = db.Prepare(sql);
    q.Bind(1, id);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  return Status::Ok();
}

// A paused queue starts over: its head is due now and gets a full retry window again.
Status RestartQueue(Connection& db, const std::string& queue, TimeMs now) {
  auto q = db.Prepare(
      "UPDATE deliveries SET first_attempt_at = NULL, next_attempt_at = ?2 WHERE queue = ?1");
  q.Bind(1, queue).Bind(2, now);
  return q.Exec();
}

Status SetStatus(Connection& db, const std::string& id, WebhookStatus status,
                 const std::string& reason) {
  auto q = db.Prepare("UPDATE webhooks SET status = ?2, status_reason = ?3 WHERE id = ?1");
  q.Bind(1, id).Bind(2, static_cast<int64_t>(status)).Bind(3, reason);
  return q.Exec();
}

}  // namespace

Status ApplyOp(OpContext& ctx, const RegisterPushTokenOp& op, WriteResult&) {
  const PushToken& t = op.token;
  {
    // The device or the token may have belonged to someone else (or another registration).
    auto q =
        ctx.db.Prepare("DELETE FROM push_tokens WHERE app = ?1 AND (device_id = ?2 OR token = ?3)");
    q.Bind(1, op.app_id.str()).Bind(2, t.device_id).Bind(3, t.token);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  {
    auto q = ctx.db.Prepare(
        "INSERT INTO push_tokens (app, device_id, user_id, token, type, apns_bundle_id, "
        "gcm_sender_id, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    q.Bind(1, op.app_id.str()).Bind(2, t.device_id).Bind(3, t.user_id.str()).Bind(4, t.token);
    q.Bind(5, t.type).Bind(6, t.apns_bundle_id).Bind(7, t.gcm_sender_id).Bind(8, op.now);
    RELAYER_RETURN_IF_ERROR(q.Exec());
  }
  // Keep the user's max_per_user most recently used tokens (this one among them).
  auto q = ctx.db.Prepare(
      "DELETE FROM push_tokens WHERE app = ?1 AND user_id = ?2 AND device_id NOT IN "
      "(SELECT device_id FROM push_tokens WHERE app = ?1 AND user_id = ?2 "
      "ORDER BY last_used_at DESC, device_id = ?4 DESC LIMIT ?3)");
  q.Bind(1, op.app_id.str()).Bind(2, t.user_id.str());
  q.Bind(3, static_cast<int64_t>(std::max<size_t>(1, op.max_per_user))).Bind(4, t.device_id);
  return q.Exec();
}

Status ApplyOp(OpContext& ctx, const DeletePushTokenOp& op, WriteResult&) {
  auto q =
      ctx.db.Prepare("DELETE FROM push_tokens WHERE app = ?1 AND user_id = ?2 AND device_id = ?3");
  q.Bind(1, op.app_id.str()).Bind(2, op.user.str()).Bind(3, op.device_id);
  RELAYER_RETURN_IF_ERROR(q.Exec());
  if (ctx.db.Changes() == 0) return NotFound("push token not found");
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const CreateWebhookOp& op, WriteResult& out) {
  {
    auto q = ctx.db.Prepare("SELECT COUNT(*) FROM webhooks WHERE app = ?1");
    q.Bind(1, op.webhook.app.str());
    const int64_t count = q.Next() ? q.Int(0) : 0;
    RELAYER_RETURN_IF_ERROR(q.status());
    if (count >= static_cast<int64_t>(op.max_per_app)) {
      return Status(ErrorCode::kInvalidOperation,
                    "an app has at most " + std::to_string(op.max_per_app) + " webhooks");
    }
  }
  RELAYER_RETURN_IF_ERROR(InsertWebhook(ctx.db, op.webhook));
  out.webhook = op.webhook;
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const SyncConfigWebhooksOp& op, WriteResult&) {
  std::vector<std::string> keep;
  for (const Webhook& w : op.webhooks) {
    keep.push_back(w.id);
    auto existing = ReadWebhookRow(ctx.db, op.app_id, w.id);
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
  auto q = ctx.db.Prepare(
      "SELECT id FROM webhooks WHERE app = ?1 AND from_config = 1 AND id NOT IN "
      "(SELECT value FROM json_each(?2))");
  q.Bind(1, op.app_id.str()).Bind(2, EncodeStrings(keep));
  std::vector<std::string> gone;
  while (q.Next()) gone.push_back(q.Text(0));
  RELAYER_RETURN_IF_ERROR(q.status());
  for (const auto& id : gone) RELAYER_RETURN_IF_ERROR(DeleteWebhookRows(ctx.db, id));
  return Status::Ok();
}

Status ApplyOp(OpContext& ctx, const SetWebhookStatusOp& op, WriteResult& out) {
  RELAYER_ASSIGN_OR_RETURN(Webhook w, ReadWebhookRow(ctx.db, op.app_id, op.id));
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

Status ApplyOp(OpContext& ctx, const DeleteWebhookOp& op, WriteResult&) {
  RELAYER_ASSIGN_OR_RETURN(Webhook w, ReadWebhookRow(ctx.db, op.app_id, op.id));
  return DeleteWebhookRows(ctx.db, w.id);
}

Status ApplyOp(OpContext& ctx, const SendNotificationOp& op, WriteResult& out) {
  DeliveryEvent e;
  e.app = op.app_id;
  e.ts = op.now;
  e.type = kNotificationEvent;
  e.recipients = op.recipients;
  e.notification = op.notification;
  return InsertEvent(ctx.db, e, out);
}

Status ApplyOp(OpContext& ctx, const ScheduleDeliveriesOp& op, WriteResult& out) {
  if (!op.event_seqs.empty()) {
    std::vector<int64_t> seqs = op.event_seqs;
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    for (int64_t seq : seqs) {
      auto q = ctx.db.Prepare("DELETE FROM delivery_events WHERE seq = ?1");
      q.Bind(1, seq);
      RELAYER_RETURN_IF_ERROR(q.Exec());
      if (ctx.db.Changes() == 0) {
        return Status(ErrorCode::kConflict, "delivery events were scheduled already");
      }
    }
  }
  for (const Delivery& d : op.deliveries) {
    auto q = ctx.db.Prepare(
        "INSERT INTO deliveries (app, queue, request_id, event_type, body, next_attempt_at, "
        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.Bind(1, d.app.str()).Bind(2, d.queue).Bind(3, d.request_id).Bind(4, d.event_type);
    q.Bind(5, d.body).Bind(6, d.next_attempt_at).Bind(7, d.created_at);
    RELAYER_RETURN_IF_ERROR(q.Exec());
    if (std::find(out.queues.begin(), out.queues.end(), d.queue) == out.queues.end()) {
      out.queues.push_back(d.queue);
    }
  }
  if (!op.event_seqs.empty()) return Status::Ok();
  auto q = ctx.db.Prepare("DELETE FROM delivery_events WHERE seq <= ?1");
  q.Bind(1, op.through_seq);
  return q.Exec();
}

Status ApplyOp(OpContext& ctx, const FinishDeliveryOp& op, WriteResult& out) {
  if (op.outcome == AttemptOutcome::kDelivered || op.outcome == AttemptOutcome::kDrop) {
    auto q = ctx.db.Prepare("DELETE FROM deliveries WHERE id = ?1");
    q.Bind(1, op.id);
    return q.Exec();
  }
  std::optional<std::string> queue;
  {
    auto q = ctx.db.Prepare(
        "UPDATE deliveries SET attempts = attempts + 1, first_attempt_at = "
        "COALESCE(first_attempt_at, ?2), next_attempt_at = ?3, last_error = ?4 WHERE id = ?1 "
        "RETURNING queue");
    q.Bind(1, op.id).Bind(2, op.now).Bind(3, op.next_attempt_at).Bind(4, op.error);
    if (q.Next()) queue = q.Text(0);
    RELAYER_RETURN_IF_ERROR(q.status());
  }
  if (op.outcome == AttemptOutcome::kPauseWebhook && queue && !IsPushQueue(*queue)) {
    RELAYER_RETURN_IF_ERROR(SetStatus(ctx.db, *queue, WebhookStatus::kInactive, op.error));
    auto app = ctx.db.Prepare("SELECT app FROM webhooks WHERE id = ?1");
    app.Bind(1, *queue);
    if (app.Next()) {
      auto w = ReadWebhookRow(ctx.db, AppId(app.Text(0)), *queue);
      if (w.ok()) out.webhook = std::move(*w);
    }
    RELAYER_RETURN_IF_ERROR(app.status());
  }
  return Status::Ok();
}

}  // namespace relayer::sqlite
