#include "store/sqlite/reads_delivery.h"

#include <boost/json/parse.hpp>

#include "store/sqlite/codec.h"
#include "store/sqlite/events.h"
#include "store/sqlite/try.h"

namespace relayer::sqlite {
namespace json = boost::json;
namespace {

constexpr const char* kWebhookColumns =
    "SELECT id, app, version, target_url, events, secret, config, status, status_reason, "
    "created_at, from_config FROM webhooks ";

Result<Webhook> WebhookFromQuery(const Query& q) {
  Webhook w;
  w.id = q.Text(0);
  w.app = AppId(q.Text(1));
  w.version = q.Text(2);
  w.target_url = q.Text(3);
  boost::system::error_code ec;
  json::value events = json::parse(q.Text(4), ec);
  if (ec || !events.is_array()) return Internal("stored webhook events are not an array");
  for (const json::value& e : events.get_array()) {
    if (e.is_string()) w.events.emplace_back(e.get_string());
  }
  w.secret = q.Text(5);
  RELAYER_ASSIGN_OR_RETURN(w.config, DecodeObject(q.Text(6)));
  const int64_t status = q.Int(7);
  if (status < 0 || status > 2) return Internal("stored webhook status out of range");
  w.status = static_cast<WebhookStatus>(status);
  w.status_reason = q.Text(8);
  w.created_at = q.Int(9);
  w.from_config = q.Int(10) != 0;
  return w;
}

}  // namespace

Result<Webhook> ReadWebhookRow(Connection& db, const AppId& app, const std::string& id) {
  auto q = db.Prepare(std::string(kWebhookColumns) + "WHERE id = ?1 AND app = ?2");
  q.Bind(1, id).Bind(2, app.str());
  if (q.Next()) return WebhookFromQuery(q);
  if (!q.ok()) return q.status();
  return NotFound("webhook not found");
}

Result<std::vector<Webhook>> ReadWebhooks(Connection& db, const AppId& app) {
  auto q = db.Prepare(std::string(kWebhookColumns) +
                      "WHERE ?1 = '' OR app = ?1 ORDER BY created_at, id");
  q.Bind(1, app.str());
  std::vector<Webhook> out;
  while (q.Next()) {
    RELAYER_ASSIGN_OR_RETURN(Webhook w, WebhookFromQuery(q));
    out.push_back(std::move(w));
  }
  if (!q.ok()) return q.status();
  return out;
}

Result<std::vector<PushToken>> ReadPushTokens(Connection& db, const AppId& app,
                                              const std::vector<UserId>& users) {
  auto q = db.Prepare(
      "SELECT user_id, device_id, token, type, apns_bundle_id, gcm_sender_id, created_at, "
      "last_used_at FROM push_tokens WHERE app = ?1 AND user_id IN (SELECT value FROM "
      "json_each(?2)) ORDER BY user_id, device_id");
  q.Bind(1, app.str()).Bind(2, EncodeUsers(users));
  std::vector<PushToken> out;
  while (q.Next()) {
    PushToken t;
    t.user_id = UserId(q.Text(0));
    t.device_id = q.Text(1);
    t.token = q.Text(2);
    t.type = q.Text(3);
    t.apns_bundle_id = q.Text(4);
    t.gcm_sender_id = q.Text(5);
    t.created_at = q.Int(6);
    t.last_used_at = q.Int(7);
    out.push_back(std::move(t));
  }
  if (!q.ok()) return q.status();
  return out;
}

Result<std::vector<DeliveryEvent>> ReadPendingEvents(Connection& db, size_t limit) {
  auto q = db.Prepare(
      "SELECT seq, app, ts, type, actor_user, actor_name, object FROM delivery_events "
      "ORDER BY seq LIMIT ?1");
  q.Bind(1, static_cast<int64_t>(limit));
  std::vector<DeliveryEvent> out;
  while (q.Next()) {
    DeliveryEvent e;
    e.seq = q.Int(0);
    e.app = AppId(q.Text(1));
    e.ts = q.Int(2);
    e.type = q.Text(3);
    if (auto user = q.OptText(4)) e.actor.user_id = UserId(*user);
    e.actor.name = q.Text(5);
    RELAYER_RETURN_IF_ERROR(DecodeEventObject(q.Text(6), e));
    out.push_back(std::move(e));
  }
  if (!q.ok()) return q.status();
  return out;
}

Result<std::vector<std::string>> ReadDeliveryQueues(Connection& db) {
  auto q = db.Prepare("SELECT DISTINCT queue FROM deliveries ORDER BY queue");
  std::vector<std::string> out;
  while (q.Next()) out.push_back(q.Text(0));
  if (!q.ok()) return q.status();
  return out;
}

Result<std::optional<Delivery>> ReadNextDelivery(Connection& db, const std::string& queue) {
  auto q = db.Prepare(
      "SELECT id, app, queue, request_id, event_type, body, attempts, first_attempt_at, "
      "next_attempt_at, created_at, last_error FROM deliveries WHERE queue = ?1 "
      "ORDER BY id LIMIT 1");
  q.Bind(1, queue);
  if (!q.Next()) {
    if (!q.ok()) return q.status();
    return std::optional<Delivery>();
  }
  Delivery d;
  d.id = q.Int(0);
  d.app = AppId(q.Text(1));
  d.queue = q.Text(2);
  d.request_id = q.Text(3);
  d.event_type = q.Text(4);
  d.body = q.Text(5);
  d.attempts = static_cast<int>(q.Int(6));
  if (!q.IsNull(7)) d.first_attempt_at = q.Int(7);
  d.next_attempt_at = q.Int(8);
  d.created_at = q.Int(9);
  d.last_error = q.Text(10);
  if (!IsPushQueue(d.queue)) {
    auto w = ReadWebhookRow(db, d.app, d.queue);
    if (w.ok()) {
      d.webhook = std::move(*w);
    } else if (w.status().code() != ErrorCode::kNotFound) {
      return w.status();
    }
  }
  return std::optional<Delivery>(std::move(d));
}

}  // namespace relayer::sqlite
