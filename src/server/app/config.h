// Server configuration: defaults, the TOML config file, and the single-app command-line flags.
// See docs/configuration.md for every key.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "server/dashboard/dashboard_options.h"

namespace relayer::server {

// A webhook declared in the config file ([[apps.webhooks]]): active without verification.
struct WebhookSpec {
  std::string id;  // UUID; derived from the app and target_url when not given
  std::string target_url;
  std::vector<std::string> events;
  std::string secret;
  std::string config_json = "{}";  // the `config` object sent with every event
};

// Outbound delivery of webhooks and push notifications ([delivery] in the config file).
struct DeliveryConfig {
  std::string push_webhook_url;  // POSTed one JSON payload per device; empty: no push
  std::string push_webhook_secret;
  size_t max_push_tokens_per_user = 25;
  int64_t timeout_ms = 5000;
  int64_t retry_initial_ms = 1000;
  int64_t retry_max_ms = 60000;
  int64_t webhook_retry_period_seconds = 1800;
  int64_t push_retry_period_seconds = 3600;
  size_t max_in_flight = 16;
  size_t max_webhooks_per_app = 100;  // created through the Platform API
  int64_t outbox_poll_ms = 1000;      // re-read a store shared with other nodes this often
};

struct AppSpec {
  std::string id;                                // UUID or layer:///apps/staging/UUID
  std::string provider_id;                       // expected `iss` of identity tokens
  std::map<std::string, std::string> key_files;  // kid -> PEM public key file
  std::vector<std::string> platform_tokens;
  std::vector<WebhookSpec> webhooks;
};

struct ServerConfig {
  std::string data_dir = "./data";
  // Empty: SQLite in data_dir (one node). A postgres:// or postgresql:// URI: PostgreSQL, which
  // several nodes may share (docs/scaling.md); data_dir still holds the content and link secret.
  std::string store;
  std::string listen = "127.0.0.1:7070";
  size_t threads = 0;                     // network threads; 0: one per core
  size_t blocking_threads = 4;            // store readers
  size_t max_batch = 1000;                // operations per group commit
  int64_t commit_linger_us = 1000;        // under load, a group commit waits this long for more
  std::string public_url;                 // base of `url` fields; empty: http://<Host header>
  std::vector<std::string> cors_origins;  // empty: any origin
  bool dev = false;
  size_t ws_max_queued_bytes = 8 << 20;  // a WebSocket client that lets more pile up is dropped
  size_t ws_max_queued_packets = 20000;  // the same bound counted in packets
  size_t ws_idle_timeout_seconds = 90;   // no data nor pong for this long: the socket is closed
  size_t platform_dedup_ttl_seconds = 24 * 60 * 60;  // If-None-Match keys are remembered this long
  // "host:port" of the Redis that carries events between nodes sharing one store (issue 7,
  // docs/scaling.md); empty: one node, no Redis. Needs a store with per-user sequences.
  std::string redis;
  DashboardOptions dashboard;
  Limits limits;
  DeliveryConfig delivery;
  std::vector<AppSpec> apps;
};

// Reads `path` (TOML) over `config`; unknown keys are errors so typos are caught.
Status LoadConfigFile(const std::string& path, ServerConfig& config);

// Reads [delivery] and [[apps.webhooks]] (config_delivery.cc); `t` is the table holding them.
Status ReadDeliveryConfig(const void* toml_table, DeliveryConfig& out, const std::string& path);
Status ReadAppWebhooks(const void* toml_array, AppSpec& app, const std::string& path);

// "127.0.0.1:7070", "[::1]:7070" -> host and port.
Status SplitListen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace relayer::server
