// Layer Platform API 1.x (server to server) under /apps/APP_UUID/...: bearer-token
// authentication against the app's platform tokens, Accept version checks, Layer error objects,
// If-None-Match de-duplication of creates, and the routes registered by the handler files
// (platform_*_handlers.cc). One PlatformApi serves every connection concurrently; it holds no
// per-request state. Safe for concurrent Handle calls.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string_view>

#include "core/limits.h"
#include "core/model.h"
#include "core/representation.h"
#include "server/app/app_registry.h"
#include "server/http/types.h"
#include "store/store.h"

namespace relayer::server {

class DeliveryService;

struct PlatformOptions {
  Limits limits;
  std::string public_url;  // base of `url` fields; empty: http://<Host header>
  // How long an If-None-Match key keeps answering with its first result.
  TimeMs dedup_ttl_ms = 24LL * 60 * 60 * 1000;
  // Signs download links of rich content parts; not owned (null: download_url is null).
  const ContentLinks* content_links = nullptr;
};

class PlatformApi {
 public:
  using Clock = std::function<TimeMs()>;
  PlatformApi(Store& store, boost::asio::thread_pool& blocking, const AppRegistry& apps,
              PlatformOptions options, Clock clock);
  ~PlatformApi();

  // Lets webhook routes verify and wake webhooks. Call before serving requests.
  void SetDelivery(DeliveryService* delivery);

  // Whether a request target belongs to the Platform API (its path starts with /apps/).
  static bool Handles(std::string_view target);
  boost::asio::awaitable<Response> Handle(Request req);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace relayer::server
