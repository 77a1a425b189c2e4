// A running Relayer server: store, apps, network threads, the Client API on HTTP.
// Start() returns once it listens; Stop() (or the destructor) shuts down in order: stop
// accepting, stop network threads, drain the store's writer.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "server/app/app_registry.h"
#include "server/app/config.h"

namespace relayer::server {

class Server {
 public:
  // Builds the app registry from config.apps (reading key files) plus `extra_apps`
  // (e.g. the --dev app), opens the store in config.data_dir, and listens.
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config,
                                               std::vector<AppConfig> extra_apps = {});
  ~Server();

  uint16_t port() const;
  std::string url() const;  // http://host:port
  void Stop();

 private:
  Server();

 public:
  struct Impl;  // server.cc (public so its helpers there can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads the apps of a config into AppConfigs (keys parsed), with clear errors.
Result<std::vector<AppConfig>> BuildApps(const std::vector<AppSpec>& specs);

}  // namespace relayer::server
