#include "server/app/config.h"

#include <toml++/toml.h>

namespace relayer::server {

namespace {

Status Bad(const std::string& path, const std::string& what) {
  return Status(ErrorCode::kInvalidRequest, path + ": " + what);
}

template <class T>
Status ReadInt(const toml::table& t, const char* key, T& out, const std::string& path) {
  if (auto node = t.get(key)) {
    auto v = node->value<int64_t>();
    if (!v || *v < 0) return Bad(path, std::string(key) + " must be a non-negative integer");
    out = static_cast<T>(*v);
  }
  return Status::Ok();
}

Status ReadString(const toml::table& t, const char* key, std::string& out,
                  const std::string& path) {
  if (auto node = t.get(key)) {
    auto v = node->value<std::string>();
    if (!v) return Bad(path, std::string(key) + " must be a string");
    out = *v;
  }
  return Status::Ok();
}

Status ReadStrings(const toml::table& t, const char* key, std::vector<std::string>& out,
                   const std::string& path) {
  if (auto node = t.get(key)) {
    auto* arr = node->as_array();
    if (!arr) return Bad(path, std::string(key) + " must be an array of strings");
    out.clear();
    for (auto& e : *arr) {
      auto v = e.value<std::string>();
      if (!v) return Bad(path, std::string(key) + " must be an array of strings");
      out.push_back(*v);
    }
  }
  return Status::Ok();
}

Status CheckKeys(const toml::table& t, std::initializer_list<std::string_view> known,
                 const std::string& where) {
  for (auto& [k, v] : t) {
    bool ok = false;
    for (auto n : known) ok = ok || k.str() == n;
    if (!ok) return Bad(where, "unknown key '" + std::string(k.str()) + "'");
  }
  return Status::Ok();
}

Status ReadLimits(const toml::table& t, Limits& l, const std::string& path) {
  if (auto s = CheckKeys(
          t,
          {"max_body_bytes", "max_inline_part_bytes", "max_parts_per_message", "max_message_bytes",
           "max_participants", "max_page_size", "default_page_size", "max_metadata_bytes",
           "max_user_id_bytes", "nonce_ttl_seconds", "session_ttl_seconds",
           "identity_token_max_age_seconds", "max_announcement_recipients", "max_content_bytes",
           "content_link_ttl_seconds", "sync_log_max_age_seconds", "sync_log_max_rows"},
          path + " [limits]");
      !s.ok()) {
    return s;
  }
  Status s;
  int64_t nonce_s = l.nonce_ttl_ms / 1000, session_s = l.session_ttl_ms / 1000,
          token_s = l.identity_token_max_age_ms / 1000, link_s = l.content_link_ttl_ms / 1000,
          sync_log_s = l.sync_log_max_age_ms / 1000;
  for (auto st : {ReadInt(t, "max_body_bytes", l.max_body_bytes, path),
                  ReadInt(t, "max_inline_part_bytes", l.max_inline_part_bytes, path),
                  ReadInt(t, "max_parts_per_message", l.max_parts_per_message, path),
                  ReadInt(t, "max_message_bytes", l.max_message_bytes, path),
                  ReadInt(t, "max_participants", l.max_participants, path),
                  ReadInt(t, "max_page_size", l.max_page_size, path),
                  ReadInt(t, "default_page_size", l.default_page_size, path),
                  ReadInt(t, "max_metadata_bytes", l.max_metadata_bytes, path),
                  ReadInt(t, "max_user_id_bytes", l.max_user_id_bytes, path),
                  ReadInt(t, "max_announcement_recipients", l.max_announcement_recipients, path),
                  ReadInt(t, "nonce_ttl_seconds", nonce_s, path),
                  ReadInt(t, "session_ttl_seconds", session_s, path),
                  ReadInt(t, "identity_token_max_age_seconds", token_s, path),
                  ReadInt(t, "max_content_bytes", l.max_content_bytes, path),
                  ReadInt(t, "content_link_ttl_seconds", link_s, path),
                  ReadInt(t, "sync_log_max_age_seconds", sync_log_s, path),
                  ReadInt(t, "sync_log_max_rows", l.sync_log_max_rows, path)}) {
    if (!st.ok()) return st;
  }
  l.nonce_ttl_ms = nonce_s * 1000;
  l.session_ttl_ms = session_s * 1000;
  l.identity_token_max_age_ms = token_s * 1000;
  if (link_s < 1) return Bad(path, "content_link_ttl_seconds must be at least 1");
  l.content_link_ttl_ms = link_s * 1000;
  l.sync_log_max_age_ms = sync_log_s * 1000;
  return Status::Ok();
}

Status ReadDashboard(const toml::table& t, DashboardOptions& d, const std::string& path) {
  if (auto s = CheckKeys(
          t,
          {"enabled", "max_wait_seconds", "max_waiting_requests", "max_page_size", "max_messages"},
          path + " [dashboard]");
      !s.ok()) {
    return s;
  }
  if (auto node = t.get("enabled")) {
    // as_boolean, not value<bool>: the latter would take 1 for true.
    auto* v = node->as_boolean();
    if (!v) return Bad(path, "dashboard.enabled must be true or false");
    d.enabled = v->get();
  }
  for (auto st : {ReadInt(t, "max_wait_seconds", d.max_wait_seconds, path),
                  ReadInt(t, "max_waiting_requests", d.max_waiting, path),
                  ReadInt(t, "max_page_size", d.max_page_size, path),
                  ReadInt(t, "max_messages", d.max_messages, path)}) {
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Status LoadConfigFile(const std::string& path, ServerConfig& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Bad(path, std::string("parse error: ") + std::string(e.description()));
  }
  if (auto s = CheckKeys(
          root,
          {"data", "store", "listen", "threads", "blocking_threads", "max_batch",
           "commit_linger_us", "public_url", "cors_origins", "dev", "ws_max_queued_bytes",
           "ws_max_queued_packets", "ws_idle_timeout_seconds", "platform_dedup_ttl_seconds",
           "redis", "limits", "delivery", "apps", "dashboard"},
          path);
      !s.ok()) {
    return s;
  }
  for (auto st : {ReadString(root, "data", config.data_dir, path),
                  ReadString(root, "store", config.store, path),
                  ReadString(root, "listen", config.listen, path),
                  ReadInt(root, "threads", config.threads, path),
                  ReadInt(root, "blocking_threads", config.blocking_threads, path),
                  ReadInt(root, "max_batch", config.max_batch, path),
                  ReadInt(root, "commit_linger_us", config.commit_linger_us, path),
                  ReadString(root, "public_url", config.public_url, path),
                  ReadString(root, "redis", config.redis, path),
                  ReadInt(root, "ws_max_queued_bytes", config.ws_max_queued_bytes, path),
                  ReadInt(root, "ws_max_queued_packets", config.ws_max_queued_packets, path),
                  ReadInt(root, "ws_idle_timeout_seconds", config.ws_idle_timeout_seconds, path),
                  ReadStrings(root, "cors_origins", config.cors_origins, path)}) {
    if (!st.ok()) return st;
  }
  if (auto st =
          ReadInt(root, "platform_dedup_ttl_seconds", config.platform_dedup_ttl_seconds, path);
      !st.ok()) {
    return st;
  }
  if (auto node = root.get("dev")) {
    auto v = node->value<bool>();
    if (!v) return Bad(path, "dev must be true or false");
    config.dev = *v;
  }
  if (auto* limits = root.get_as<toml::table>("limits")) {
    if (auto s = ReadLimits(*limits, config.limits, path); !s.ok()) return s;
  }
  if (auto* delivery = root.get_as<toml::table>("delivery")) {
    if (auto s = ReadDeliveryConfig(delivery, config.delivery, path); !s.ok()) return s;
  }
  if (auto* dashboard = root.get_as<toml::table>("dashboard")) {
    if (auto s = ReadDashboard(*dashboard, config.dashboard, path); !s.ok()) return s;
  }
  if (auto node = root.get("apps")) {
    auto* arr = node->as_array();
    if (!arr) return Bad(path, "apps must be an array of tables ([[apps]])");
    for (auto& e : *arr) {
      auto* t = e.as_table();
      if (!t) return Bad(path, "apps must be an array of tables ([[apps]])");
      if (auto s =
              CheckKeys(*t, {"id", "provider_id", "identity_keys", "platform_tokens", "webhooks"},
                        path + " [[apps]]");
          !s.ok()) {
        return s;
      }
      AppSpec app;
      for (auto st : {ReadString(*t, "id", app.id, path),
                      ReadString(*t, "provider_id", app.provider_id, path),
                      ReadStrings(*t, "platform_tokens", app.platform_tokens, path)}) {
        if (!st.ok()) return st;
      }
      if (auto* keys = t->get_as<toml::table>("identity_keys")) {
        for (auto& [kid, file] : *keys) {
          auto v = file.value<std::string>();
          if (!v) return Bad(path, "identity_keys values must be PEM file paths");
          app.key_files[std::string(kid.str())] = *v;
        }
      }
      if (auto* hooks = t->get("webhooks")) {
        auto* arr = hooks->as_array();
        if (!arr) return Bad(path, "webhooks must be an array of tables ([[apps.webhooks]])");
        if (auto s = ReadAppWebhooks(arr, app, path); !s.ok()) return s;
      }
      if (app.id.empty()) return Bad(path, "every [[apps]] needs an id");
      config.apps.push_back(std::move(app));
    }
  }
  return Status::Ok();
}

Status SplitListen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Bad("listen", "expected HOST:PORT, got '" + listen + "'");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string p = listen.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(p) > 65535) {
    return Bad("listen", "bad port in '" + listen + "'");
  }
  port = static_cast<uint16_t>(std::stoul(p));
  return Status::Ok();
}

}  // namespace relayer::server
