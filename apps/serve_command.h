// `relayer serve`: run the server until SIGINT/SIGTERM.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace relayer::apps {

struct ServeOptions {
  std::string config_file;
  std::string data_dir;
  std::string store;  // --store: a PostgreSQL URI (empty: SQLite in data_dir)
  std::string listen;
  std::string app_id;
  std::string provider_id;
  std::vector<std::string> identity_keys;  // KID=PUBLIC.pem
  std::vector<std::string> platform_tokens;
  std::vector<std::string> cors_origins;
  std::string public_url;
  std::string redis;
  size_t threads = 0;
  size_t max_body_bytes = 0;
  size_t max_participants = 0;
  size_t max_page_size = 0;
  int64_t session_ttl_seconds = 0;
  uint64_t max_content_bytes = 0;
  size_t content_link_ttl_seconds = 0;
  size_t ws_max_queued_bytes = 0;
  size_t ws_max_queued_packets = 0;
  size_t ws_idle_timeout_seconds = 0;
  std::string push_webhook_url;
  size_t max_push_tokens = 0;
  int64_t webhook_retry_period_seconds = 0;
  size_t platform_dedup_ttl_seconds = 0;
  bool dev = false;
  bool no_dashboard = false;
  size_t dashboard_max_wait_seconds = 0;
  size_t dashboard_max_waiting = 0;
  int64_t sync_log_max_age_seconds = -1;  // -1: not given (0 keeps every row)
  int64_t sync_log_max_rows = -1;
};

void AddServeCommand(CLI::App& app, ServeOptions& options);
int RunServe(const ServeOptions& options);

}  // namespace relayer::apps
