#include "serve_command.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "server/app/config.h"
#include "server/app/dev_app.h"
#include "server/app/server.h"
#include "server/app/store_open.h"

namespace relayer::apps {

using relayer::server::ServerConfig;

void AddServeCommand(CLI::App& app, ServeOptions& o) {
  auto* cmd = app.add_subcommand("serve", "Run the server");
  cmd->add_option("--config", o.config_file, "TOML config file (see docs/configuration.md)");
  cmd->add_option("--data", o.data_dir, "Data folder (database, dev app) [./data]");
  cmd->add_option("--store", o.store,
                  "postgres://USER@HOST:PORT/DB to run on PostgreSQL (several nodes may share it) "
                  "[empty: SQLite in the data folder]");
  cmd->add_option("--listen", o.listen,
                  "HOST:PORT to listen on; port 0 picks one [127.0.0.1:7070]");
  cmd->add_option("--app-id", o.app_id, "Layer app id (UUID or layer:///apps/staging/UUID)");
  cmd->add_option("--provider-id", o.provider_id, "Identity provider id: the identity tokens' iss");
  cmd->add_option("--identity-key", o.identity_keys, "KID=PUBLIC.pem, repeatable");
  cmd->add_option("--platform-token", o.platform_tokens, "Platform API bearer token, repeatable");
  cmd->add_option("--cors-origin", o.cors_origins, "Allowed browser origin, repeatable [any]");
  cmd->add_option("--public-url", o.public_url, "Base of `url` fields [http://<Host header>]");
  cmd->add_option("--redis", o.redis,
                  "HOST:PORT of the Redis that carries events between nodes sharing a "
                  "postgres:// store [none: one node]");
  cmd->add_option("--threads", o.threads, "Network threads [one per core]");
  cmd->add_option("--max-body-bytes", o.max_body_bytes, "HTTP body limit [1048576]");
  cmd->add_option("--max-participants", o.max_participants, "Participants per conversation [25]");
  cmd->add_option("--max-page-size", o.max_page_size, "Largest page of a list [100]");
  cmd->add_option("--max-content-bytes", o.max_content_bytes,
                  "Largest rich content upload (one message part) [2147483648]");
  cmd->add_option("--content-link-ttl", o.content_link_ttl_seconds,
                  "Lifetime of signed content upload/download links in seconds [3600]");
  cmd->add_option("--session-ttl", o.session_ttl_seconds, "Session lifetime in seconds [30 days]");
  cmd->add_option(
      "--ws-max-queued-bytes", o.ws_max_queued_bytes,
      "Outgoing WebSocket bytes queued before a client that does not read is dropped [8 MiB]");
  cmd->add_option("--ws-max-queued-packets", o.ws_max_queued_packets,
                  "Outgoing WebSocket packets queued before such a client is dropped [20000]");
  cmd->add_option("--ws-idle-timeout", o.ws_idle_timeout_seconds,
                  "Seconds without data or pong before a WebSocket is closed [90]");
  cmd->add_option("--push-webhook-url", o.push_webhook_url,
                  "http:// URL that receives one JSON payload per push notification [none]");
  cmd->add_option("--max-push-tokens", o.max_push_tokens, "Push tokens kept per user [25]");
  cmd->add_option("--webhook-retry-period", o.webhook_retry_period_seconds,
                  "Seconds a failing webhook is retried before it becomes inactive [1800]");
  cmd->add_option("--platform-dedup-ttl", o.platform_dedup_ttl_seconds,
                  "Seconds a Platform API If-None-Match key answers with its first result [86400]");
  cmd->add_flag("--no-dashboard", o.no_dashboard, "Do not serve /dashboard and its API");
  cmd->add_option("--dashboard-max-wait", o.dashboard_max_wait_seconds,
                  "Longest a dashboard logs long-poll is held, in seconds [30]");
  cmd->add_option("--dashboard-max-waiting", o.dashboard_max_waiting,
                  "Dashboard long-polls held at once; more get 429 [100]");
  cmd->add_option("--sync-log-max-age", o.sync_log_max_age_seconds,
                  "Seconds the sync log keeps an entry; 0 keeps them [7 days]");
  cmd->add_option("--sync-log-max-rows", o.sync_log_max_rows,
                  "Sync log entries kept, all apps together; 0: no bound [1000000]");
  cmd->add_flag("--dev", o.dev,
                "Create/use a development app in the data folder and sign demo tokens");
}

namespace {

int Fail(const std::string& what) {
  std::cerr << "relayer: " << what << "\n";
  return 1;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  ServerConfig config;
  if (!o.config_file.empty()) {
    if (auto s = server::LoadConfigFile(o.config_file, config); !s.ok()) return Fail(s.message());
  }
  if (!o.data_dir.empty()) config.data_dir = o.data_dir;
  if (!o.store.empty()) config.store = o.store;
  if (!o.listen.empty()) config.listen = o.listen;
  if (!o.public_url.empty()) config.public_url = o.public_url;
  if (!o.redis.empty()) config.redis = o.redis;
  if (!o.cors_origins.empty()) config.cors_origins = o.cors_origins;
  if (o.threads) config.threads = o.threads;
  if (o.max_body_bytes) config.limits.max_body_bytes = o.max_body_bytes;
  if (o.max_participants) config.limits.max_participants = o.max_participants;
  if (o.max_page_size) config.limits.max_page_size = o.max_page_size;
  if (o.max_content_bytes) config.limits.max_content_bytes = o.max_content_bytes;
  if (o.content_link_ttl_seconds)
    config.limits.content_link_ttl_ms = static_cast<int64_t>(o.content_link_ttl_seconds) * 1000;
  if (o.session_ttl_seconds) config.limits.session_ttl_ms = o.session_ttl_seconds * 1000;
  if (o.dev) config.dev = true;
  if (o.ws_max_queued_bytes) config.ws_max_queued_bytes = o.ws_max_queued_bytes;
  if (o.ws_max_queued_packets) config.ws_max_queued_packets = o.ws_max_queued_packets;
  if (o.ws_idle_timeout_seconds) config.ws_idle_timeout_seconds = o.ws_idle_timeout_seconds;
  if (!o.push_webhook_url.empty()) config.delivery.push_webhook_url = o.push_webhook_url;
  if (o.max_push_tokens) config.delivery.max_push_tokens_per_user = o.max_push_tokens;
  if (o.webhook_retry_period_seconds)
    config.delivery.webhook_retry_period_seconds = o.webhook_retry_period_seconds;
  if (o.platform_dedup_ttl_seconds)
    config.platform_dedup_ttl_seconds = o.platform_dedup_ttl_seconds;
  if (o.no_dashboard) config.dashboard.enabled = false;
  if (o.dashboard_max_wait_seconds)
    config.dashboard.max_wait_seconds = o.dashboard_max_wait_seconds;
  if (o.dashboard_max_waiting) config.dashboard.max_waiting = o.dashboard_max_waiting;
  if (o.sync_log_max_age_seconds >= 0)
    config.limits.sync_log_max_age_ms = o.sync_log_max_age_seconds * 1000;
  if (o.sync_log_max_rows >= 0) config.limits.sync_log_max_rows = o.sync_log_max_rows;
  if (!o.app_id.empty()) {
    server::AppSpec spec;
    spec.id = o.app_id;
    spec.provider_id = o.provider_id;
    spec.platform_tokens = o.platform_tokens;
    for (const auto& kv : o.identity_keys) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return Fail("--identity-key wants KID=PUBLIC.pem, got '" + kv + "'");
      spec.key_files[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (spec.provider_id.empty()) return Fail("--app-id needs --provider-id");
    if (spec.key_files.empty())
      return Fail("--app-id needs at least one --identity-key KID=PUBLIC.pem");
    config.apps.push_back(std::move(spec));
  }

  std::vector<server::AppConfig> extra;
  if (config.dev) {
    auto dev = server::LoadOrCreateDevApp(config.data_dir);
    if (!dev.ok()) return Fail(dev.status().message());
    std::cout << (dev->created ? "Created" : "Using") << " the development app in " << dev->folder
              << "\n  app id:         " << dev->app.id.str()
              << "\n  app id (Layer): layer:///apps/staging/" << dev->app.id.str()
              << "\n  provider id:    " << dev->app.provider_id
              << "\n  platform token: " << dev->app.platform_tokens.front()
              << "\n  identity key:   kid 'dev', " << dev->folder << "/dev-key.pem"
              << "\n  sign a token:   POST /dev/identity_tokens {\"user_id\":..., \"nonce\":...}"
              << " or `relayer token --data " << config.data_dir << " --user alice --nonce N`\n";
    extra.push_back(std::move(dev->app));
  }

  // Signals are taken by this thread only (sigwait below), never by the server's threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = server::Server::Start(config, std::move(extra));
  if (!server.ok()) return Fail(server.status().message());
  std::cout << "relayer: listening on " << (*server)->url() << std::endl;
  if (!config.store.empty()) {
    std::cout << "relayer: store " << server::RedactedStoreUri(config.store) << std::endl;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "relayer: stopping" << std::endl;
  (*server)->Stop();
  return 0;
}

}  // namespace relayer::apps
