// The --dev development app: created on first start in <data>/dev/ (random app id, an RSA key
// pair with kid "dev", a platform token) and loaded on later starts, so tokens stay valid.
#pragma once

#include <string>

#include "core/status.h"
#include "server/app/app_registry.h"

namespace relayer::server {

struct DevApp {
  AppConfig app;
  std::string folder;
  bool created = false;  // first start
};

Result<DevApp> LoadOrCreateDevApp(const std::string& data_dir);
// Loads an existing dev app (for `relayer token`); not_found if none exists yet.
Result<DevApp> LoadDevApp(const std::string& data_dir);

}  // namespace relayer::server
