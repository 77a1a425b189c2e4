// Webhooks (/webhooks[/UUID[/activate|/deactivate]]) and push notifications without a message
// (/notifications). Deliveries themselves are the DeliveryService's (server/delivery/).
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/representation.h"
#include "core/validation.h"
#include "server/api/json_input.h"
#include "server/auth/crypto.h"
#include "server/delivery/delivery_service.h"
#include "server/delivery/http_client.h"
#include "server/platform/platform_impl.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxSecretBytes = 1024;
constexpr size_t kMaxConfigBytes = 16 * 1024;

const char* StatusName(WebhookStatus s) {
  switch (s) {
    case WebhookStatus::kUnverified:
      return "unverified";
    case WebhookStatus::kActive:
      return "active";
    case WebhookStatus::kInactive:
      return "inactive";
  }
  return "inactive";
}

json::object WebhookJson(const Webhook& w, const PlatformCall& call) {
  json::object o;
  o["id"] = "layer:///apps/" + call.app_id().str() + "/webhooks/" + w.id;
  o["url"] = call.AppUrl() + "/webhooks/" + w.id;
  o["version"] = w.version;
  o["target_url"] = w.target_url;
  json::array events;
  for (const auto& e : w.events) events.emplace_back(e);
  o["events"] = std::move(events);
  o["status"] = StatusName(w.status);
  if (!w.status_reason.empty()) o["status_reason"] = w.status_reason;
  o["created_at"] = FormatTime(w.created_at);
  o["config"] = w.config;
  return o;
}

bool KnownEvent(std::string_view e) {
  for (const char* known : kWebhookEventTypes) {
    if (e == known) return true;
  }
  return false;
}

Status ParseWebhook(const json::object& body, Webhook& w) {
  if (auto s = CheckKnownFields(
          body, {"version", "target_url", "events", "event_types", "secret", "config"});
      !s.ok()) {
    return s;
  }
  auto version = OptString(body, "version");
  if (!version.ok()) return version.status();
  if (*version && **version != "1.0") return InvalidProperty("version", "version must be \"1.0\"");
  auto target = OptString(body, "target_url");
  if (!target.ok()) return target.status();
  if (!*target) return MissingProperty("target_url", "target_url is required");
  if ((*target)->size() > kMaxUrlBytes || !IsSupportedTargetUrl(**target)) {
    return InvalidProperty("target_url",
                           "target_url must be an http:// URL (https:// targets are not supported "
                           "by this server; put a TLS-terminating proxy in front)");
  }
  w.target_url = **target;
  // Layer's docs name the list `events` in examples and `event_types` in the table.
  const json::value* events = body.if_contains("events");
  if (!events) events = body.if_contains("event_types");
  if (!events || events->is_null()) return MissingProperty("events", "events is required");
  if (!events->is_array() || events->as_array().empty()) {
    return InvalidProperty("events", "events must be a non-empty array of event types");
  }
  for (const auto& e : events->as_array()) {
    if (!e.is_string() || !KnownEvent(e.as_string())) {
      return InvalidProperty("events", "unknown event type " + json::serialize(e));
    }
    std::string name(e.as_string());
    if (std::find(w.events.begin(), w.events.end(), name) == w.events.end())
      w.events.push_back(name);
  }
  auto secret = OptString(body, "secret");
  if (!secret.ok()) return secret.status();
  if (!*secret || (*secret)->empty()) return MissingProperty("secret", "secret is required");
  if ((*secret)->size() > kMaxSecretBytes) return InvalidProperty("secret", "secret is too long");
  w.secret = **secret;
  auto config = OptObject(body, "config");
  if (!config.ok()) return config.status();
  if (*config) {
    if (json::serialize(**config).size() > kMaxConfigBytes) {
      return InvalidProperty("config", "config is larger than 16 KB");
    }
    w.config = **config;
  }
  return Status::Ok();
}

Result<std::string> WebhookParam(const PlatformCall& call) {
  auto id = CanonicalUuid(call.params.at(0));
  if (!id) return NotFound("webhook not found");
  return *id;
}

asio::awaitable<Response> CreateWebhook(PlatformContext& ctx, PlatformCall& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  CreateWebhookOp op;
  Webhook& w = op.webhook;
  if (auto s = ParseWebhook(*body, w); !s.ok()) co_return ErrorResponse(s);
  w.id = RandomUuid();
  w.app = call.app_id();
  w.status = WebhookStatus::kUnverified;
  w.created_at = ctx.clock();
  if (ctx.delivery) op.max_per_app = ctx.delivery->options().max_webhooks_per_app;
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  if (ctx.delivery) ctx.delivery->Verify(*written.webhook);
  json::object out = WebhookJson(*written.webhook, call);
  auto res = JsonResponse(http::status::created, out);
  res.set(http::field::location, out["url"].as_string());
  co_return res;
}

asio::awaitable<Response> ListWebhooks(PlatformContext& ctx, PlatformCall& call) {
  auto list_aw = RunBlocking(ctx.blocking,
                             [&ctx, app = call.app_id()] { return ctx.store.ListWebhooks(app); });
  auto list = co_await std::move(list_aw);
  if (!list.ok()) co_return ErrorResponse(list.status());
  json::array out;
  for (const auto& w : *list) out.push_back(WebhookJson(w, call));
  co_return JsonResponse(http::status::ok, out);
}

asio::awaitable<Response> GetWebhook(PlatformContext& ctx, PlatformCall& call) {
  auto id = WebhookParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto w_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), id = *id] {
    return ctx.store.GetWebhook(app, id);
  });
  auto w = co_await std::move(w_aw);
  if (!w.ok()) co_return ErrorResponse(w.status());
  co_return JsonResponse(http::status::ok, WebhookJson(*w, call));
}

asio::awaitable<Response> SetStatus(PlatformContext& ctx, PlatformCall& call, bool activate) {
  auto id = WebhookParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  auto w_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), id = *id] {
    return ctx.store.GetWebhook(app, id);
  });
  auto w = co_await std::move(w_aw);
  if (!w.ok()) co_return ErrorResponse(w.status());
  SetWebhookStatusOp op;
  op.app_id = call.app_id();
  op.id = *id;
  op.now = ctx.clock();
  // Activation verifies the target again, except for the operator's config-file webhooks.
  if (!activate) {
    op.status = WebhookStatus::kInactive;
    op.reason = "Deactivated by User";
  } else {
    op.status = w->from_config ? WebhookStatus::kActive : WebhookStatus::kUnverified;
  }
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  if (activate && ctx.delivery) {
    if (written.webhook->status == WebhookStatus::kUnverified) {
      ctx.delivery->Verify(*written.webhook);
    } else {
      ctx.delivery->Kick(written.webhook->id);
    }
  }
  co_return JsonResponse(http::status::ok, WebhookJson(*written.webhook, call));
}

asio::awaitable<Response> Activate(PlatformContext& ctx, PlatformCall& call) {
  auto answer = SetStatus(ctx, call, true);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> Deactivate(PlatformContext& ctx, PlatformCall& call) {
  auto answer = SetStatus(ctx, call, false);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> DeleteWebhook(PlatformContext& ctx, PlatformCall& call) {
  auto id = WebhookParam(call);
  if (!id.ok()) co_return ErrorResponse(id.status());
  DeleteWebhookOp op{call.app_id(), *id};
  auto answer = WriteNoContent(ctx, std::move(op));
  co_return co_await std::move(answer);
}

asio::awaitable<Response> PostNotification(PlatformContext& ctx, PlatformCall& call) {
  auto body = ParseJsonObject(call.req.body());
  if (!body.ok()) co_return ErrorResponse(body.status());
  if (auto s = CheckKnownFields(*body, {"recipients", "notification"}); !s.ok()) {
    co_return ErrorResponse(s);
  }
  SendNotificationOp op;
  const json::value* recipients = body->if_contains("recipients");
  if (!recipients || recipients->is_null()) {
    co_return ErrorResponse(MissingProperty("recipients", "recipients is required"));
  }
  if (!recipients->is_array() || recipients->as_array().empty() ||
      recipients->as_array().size() > ctx.limits().max_announcement_recipients) {
    co_return ErrorResponse(InvalidProperty(
        "recipients", "recipients must be a non-empty array of at most " +
                          std::to_string(ctx.limits().max_announcement_recipients) + " user ids"));
  }
  for (const auto& r : recipients->as_array()) {
    std::optional<UserId> user;
    if (r.is_string()) user = ParseIdentityRef(r.as_string());
    if (!user || !ValidateUserId(user->str(), ctx.limits()).ok()) {
      co_return ErrorResponse(InvalidProperty("recipients", "recipients must be user ids"));
    }
    op.recipients.push_back(std::move(*user));
  }
  auto notification = OptObject(*body, "notification");
  if (!notification.ok()) co_return ErrorResponse(notification.status());
  if (!*notification) {
    co_return ErrorResponse(MissingProperty("notification", "notification is required"));
  }
  for (const char* key : {"text", "title", "sound"}) {
    auto v = OptString(**notification, key, "notification.");
    if (!v.ok()) co_return ErrorResponse(v.status());
  }
  op.app_id = call.app_id();
  op.notification = std::move(**notification);
  op.now = ctx.clock();
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(http::status::accepted);
}

}  // namespace

void RegisterWebhookRoutes(PlatformRouter& router) {
  using V = http::verb;
  router.Add(V::post, "/webhooks", {CreateWebhook});
  router.Add(V::get, "/webhooks", {ListWebhooks});
  router.Add(V::get, "/webhooks/:id", {GetWebhook});
  router.Add(V::delete_, "/webhooks/:id", {DeleteWebhook});
  router.Add(V::post, "/webhooks/:id/activate", {Activate});
  router.Add(V::post, "/webhooks/:id/deactivate", {Deactivate});
  router.Add(V::post, "/notifications", {PostNotification});
}

}  // namespace relayer::server
