// Delivery reads on PostgreSQL: push tokens, webhooks, pending events, the outbox. Text is ordered
// with COLLATE "C" (byte order), as SQLite orders it, whatever the database's locale.
#include <boost/json/parse.hpp>

#include "store/postgres/ops.h"
#include "store/postgres/reads.h"
#include "store/postgres/sql.h"
#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"

namespace relayer::pg {
namespace json = boost::json;
namespace {

constexpr const char* kWebhookColumns =
    "SELECT id, app, version, target_url, events, secret, config, status, status_reason, "
    "created_at, from_config FROM webhooks ";

Result<Webhook> WebhookFromRow(const Row& r) {
  Webhook w;
  w.id = Text(r[0]);
  w.app = AppId(Text(r[1]));
  w.version = Text(r[2]);
  w.target_url = Text(r[3]);
  boost::system::error_code ec;
  json::value events = json::parse(Text(r[4]), ec);
  if (ec || !events.is_array()) return Internal("stored webhook events are not an array");
  for (const json::value& e : events.get_array()) {
    if (e.is_string()) w.events.emplace_back(e.get_string());
  }
  w.secret = Text(r[5]);
  RELAYER_ASSIGN_OR_RETURN(w.config, sqlite::DecodeObject(Text(r[6])));
  const int64_t status = Int(r[7]);
  if (status < 0 || status > 2) return Internal("stored webhook status out of range");
  w.status = static_cast<WebhookStatus>(status);
  w.status_reason = Text(r[8]);
  w.created_at = Int(r[9]);
  w.from_config = Bool(r[10]);
  return w;
}

}  // namespace

Result<Webhook> ReadWebhook(Connection& db, const AppId& app, const std::string& id) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r,
      db.Query(std::string(kWebhookColumns) + "WHERE id = $1 AND app = $2", {P(id), P(app.str())}));
  if (r.rows.empty()) return NotFound("webhook not found");
  return WebhookFromRow(r.rows[0]);
}

Result<std::vector<Webhook>> ReadWebhooks(Connection& db, const AppId& app) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query(std::string(kWebhookColumns) +
                           "WHERE $1 = '' OR app = $1 ORDER BY created_at, id COLLATE \"C\"",
                       {P(app.str())}));
  std::vector<Webhook> out;
  for (const Row& row : r.rows) {
    RELAYER_ASSIGN_OR_RETURN(Webhook w, WebhookFromRow(row));
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::vector<PushToken>> ReadPushTokens(Connection& db, const AppId& app,
                                              const std::vector<UserId>& users) {
  std::vector<std::string> ids;
  for (const UserId& u : users) ids.push_back(u.str());
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT user_id, device_id, token, type, apns_bundle_id, gcm_sender_id, "
                       "created_at, last_used_at FROM push_tokens WHERE app = $1 AND user_id = "
                       "ANY($2::text[]) ORDER BY user_id COLLATE \"C\", device_id COLLATE \"C\"",
                       {P(app.str()), P(TextArray(ids))}));
  std::vector<PushToken> out;
  for (const Row& row : r.rows) {
    PushToken t;
    t.user_id = UserId(Text(row[0]));
    t.device_id = Text(row[1]);
    t.token = Text(row[2]);
    t.type = Text(row[3]);
    t.apns_bundle_id = Text(row[4]);
    t.gcm_sender_id = Text(row[5]);
    t.created_at = Int(row[6]);
    t.last_used_at = Int(row[7]);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<DeliveryEvent>> ReadPendingEvents(Connection& db, size_t limit) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT seq, app, ts, type, actor_user, actor_name, object FROM "
                       "delivery_events ORDER BY seq LIMIT $1",
                       {P(static_cast<int64_t>(limit))}));
  std::vector<DeliveryEvent> out;
  for (const Row& row : r.rows) {
    DeliveryEvent e;
    e.seq = Int(row[0]);
    e.app = AppId(Text(row[1]));
    e.ts = Int(row[2]);
    e.type = Text(row[3]);
    if (row[4]) e.actor.user_id = UserId(*row[4]);
    e.actor.name = Text(row[5]);
    RELAYER_RETURN_IF_ERROR(sqlite::DecodeEventObject(Text(row[6]), e));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> ReadDeliveryQueues(Connection& db) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT queue FROM deliveries GROUP BY queue ORDER BY queue COLLATE \"C\""));
  std::vector<std::string> out;
  for (const Row& row : r.rows) out.push_back(Text(row[0]));
  return out;
}

Result<std::optional<Delivery>> ReadNextDelivery(Connection& db, const std::string& queue) {
  RELAYER_ASSIGN_OR_RETURN(
      Rows r, db.Query("SELECT id, app, queue, request_id, event_type, body, attempts, "
                       "first_attempt_at, next_attempt_at, created_at, last_error FROM deliveries "
                       "WHERE queue = $1 ORDER BY id LIMIT 1",
                       {P(queue)}));
  if (r.rows.empty()) return std::optional<Delivery>();
  const Row& row = r.rows[0];
  Delivery d;
  d.id = Int(row[0]);
  d.app = AppId(Text(row[1]));
  d.queue = Text(row[2]);
  d.request_id = Text(row[3]);
  d.event_type = Text(row[4]);
  d.body = Text(row[5]);
  d.attempts = static_cast<int>(Int(row[6]));
  if (row[7]) d.first_attempt_at = Int(row[7]);
  d.next_attempt_at = Int(row[8]);
  d.created_at = Int(row[9]);
  d.last_error = Text(row[10]);
  if (!IsPushQueue(d.queue)) {
    auto w = ReadWebhook(db, d.app, d.queue);
    if (w.ok()) {
      d.webhook = std::move(*w);
    } else if (w.status().code() != ErrorCode::kNotFound) {
      return w.status();
    }
  }
  return std::optional<Delivery>(std::move(d));
}

}  // namespace relayer::pg
