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

struct AppSpec {
  std::string id;                                // UUID or layer:///apps/staging/UUID
  std::string provider_id;                       // expected `iss` of identity tokens
  std::map<std::string, std::string> key_files;  // kid -> PEM public key file
  std::vector<std::string> platform_tokens;
};

struct ServerConfig {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:7070";
  size_t threads = 0;                     // network threads; 0: one per core
  size_t blocking_threads = 4;            // store readers
  size_t max_batch = 1000;                // operations per group commit
  std::string public_url;                 // base of `url` fields; empty: http://<Host header>
  std::vector<std::string> cors_origins;  // empty: any origin
  bool dev = false;
  size_t ws_max_queued_bytes = 8 << 20;  // a WebSocket client that lets more pile up is dropped
  size_t ws_max_queued_packets = 20000;  // the same bound counted in packets
  size_t ws_idle_timeout_seconds = 90;   // no data nor pong for this long: the socket is closed
  DashboardOptions dashboard;
  Limits limits;
  std::vector<AppSpec> apps;
};

// Reads `path` (TOML) over `config`; unknown keys are errors so typos are caught.
Status LoadConfigFile(const std::string& path, ServerConfig& config);

// "127.0.0.1:7070", "[::1]:7070" -> host and port.
Status SplitListen(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace relayer::server
