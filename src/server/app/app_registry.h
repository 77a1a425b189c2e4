// The apps one server hosts: Layer app id, identity provider (`iss`), public keys by `kid`,
// platform API tokens, and (in --dev mode) the private key that signs demo identity tokens.
// Built at start-up, then read-only: safe for concurrent reads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "server/auth/jwt.h"

namespace relayer::server {

struct AppConfig {
  AppId id;
  std::string provider_id;
  std::shared_ptr<PublicKeyRing> keys = std::make_shared<PublicKeyRing>();
  std::vector<std::string> platform_tokens;
  std::optional<std::string> dev_private_pem;  // only in --dev mode
  std::string dev_kid = "dev";
};

class AppRegistry {
 public:
  void Add(AppConfig app) { apps_[app.id] = std::move(app); }
  const AppConfig* Find(const AppId& id) const {
    auto it = apps_.find(id);
    return it == apps_.end() ? nullptr : &it->second;
  }
  const std::map<AppId, AppConfig>& all() const { return apps_; }
  bool empty() const { return apps_.empty(); }

 private:
  std::map<AppId, AppConfig> apps_;
};

}  // namespace relayer::server
