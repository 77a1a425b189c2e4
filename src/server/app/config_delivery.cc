// The [delivery] table and [[apps.webhooks]] of the config file.
#include <toml++/toml.h>

#include <boost/json/serialize.hpp>

#include "core/delivery.h"
#include "server/app/config.h"
#include "server/delivery/http_client.h"

namespace relayer::server {
namespace {

Status Bad(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kInvalidRequest, path + ": " + what);
}

template <class T>
Status Int(const toml::table& t, const char* key, T& out, const std::string& path) {
  if (auto node = t.get(key)) {
    auto v = node->value<int64_t>();
    if (!v || *v < 0) return Bad(path, std::string(key) + " must be a non-negative integer");
    out = static_cast<T>(*v);
  }
  return Status::Ok();
}

Status Str(const toml::table& t, const char* key, std::string& out, const std::string& path) {
  if (auto node = t.get(key)) {
    auto v = node->value<std::string>();
    if (!v) return Bad(path, std::string(key) + " must be a string");
    out = *v;
  }
  return Status::Ok();
}

Status Known(const toml::table& t, std::initializer_list<std::string_view> keys,
             const std::string& where) {
  for (auto& [k, v] : t) {
    bool ok = false;
    for (auto n : keys) ok = ok || k.str() == n;
    if (!ok) return Bad(where, "unknown key '" + std::string(k.str()) + "'");
  }
  return Status::Ok();
}

bool KnownEvent(const std::string& e) {
  for (const char* known : kWebhookEventTypes) {
    if (e == known) return true;
  }
  return false;
}

}  // namespace

Status ReadDeliveryConfig(const void* table, DeliveryConfig& d, const std::string& path) {
  const auto& t = *static_cast<const toml::table*>(table);
  const std::string where = path + " [delivery]";
  if (auto s = Known(
          t,
          {"push_webhook_url", "push_webhook_secret", "max_push_tokens_per_user", "timeout_ms",
           "retry_initial_ms", "retry_max_ms", "webhook_retry_period_seconds",
           "push_retry_period_seconds", "max_in_flight", "max_webhooks_per_app", "outbox_poll_ms"},
          where);
      !s.ok()) {
    return s;
  }
  for (auto st : {Str(t, "push_webhook_url", d.push_webhook_url, where),
                  Str(t, "push_webhook_secret", d.push_webhook_secret, where),
                  Int(t, "max_push_tokens_per_user", d.max_push_tokens_per_user, where),
                  Int(t, "timeout_ms", d.timeout_ms, where),
                  Int(t, "retry_initial_ms", d.retry_initial_ms, where),
                  Int(t, "retry_max_ms", d.retry_max_ms, where),
                  Int(t, "webhook_retry_period_seconds", d.webhook_retry_period_seconds, where),
                  Int(t, "push_retry_period_seconds", d.push_retry_period_seconds, where),
                  Int(t, "max_in_flight", d.max_in_flight, where),
                  Int(t, "max_webhooks_per_app", d.max_webhooks_per_app, where),
                  Int(t, "outbox_poll_ms", d.outbox_poll_ms, where)}) {
    if (!st.ok()) return st;
  }
  if (!d.push_webhook_url.empty() && !IsSupportedTargetUrl(d.push_webhook_url)) {
    return Bad(where, "push_webhook_url must be an http:// URL");
  }
  return Status::Ok();
}

Status ReadAppWebhooks(const void* array, AppSpec& app, const std::string& path) {
  const auto& arr = *static_cast<const toml::array*>(array);
  const std::string where = path + " [[apps.webhooks]]";
  for (const auto& e : arr) {
    const auto* t = e.as_table();
    if (!t) return Bad(where, "must be tables");
    if (auto s = Known(*t, {"id", "target_url", "events", "secret", "config"}, where); !s.ok())
      return s;
    WebhookSpec w;
    for (auto st : {Str(*t, "id", w.id, where), Str(*t, "target_url", w.target_url, where),
                    Str(*t, "secret", w.secret, where)}) {
      if (!st.ok()) return st;
    }
    if (!IsSupportedTargetUrl(w.target_url)) return Bad(where, "target_url must be an http:// URL");
    if (w.secret.empty()) return Bad(where, "every webhook needs a secret");
    if (auto* events = t->get_as<toml::array>("events")) {
      for (const auto& ev : *events) {
        auto v = ev.value<std::string>();
        if (!v || !KnownEvent(*v)) return Bad(where, "unknown event type in events");
        w.events.push_back(*v);
      }
    }
    if (w.events.empty()) return Bad(where, "every webhook needs events");
    if (auto* config = t->get_as<toml::table>("config")) {
      boost::json::object o;
      for (auto& [k, v] : *config) {
        auto text = v.value<std::string>();
        if (!text) return Bad(where, "config values must be strings");
        o[std::string(k.str())] = *text;
      }
      w.config_json = boost::json::serialize(o);
    }
    app.webhooks.push_back(std::move(w));
  }
  return Status::Ok();
}

}  // namespace relayer::server
