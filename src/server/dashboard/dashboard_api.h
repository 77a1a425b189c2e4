// The developer dashboard: GET /dashboard serves one self-contained page, and its JSON API under
// /dashboard/api/APP/... (the sync log with filters and a long-poll tail, the app's conversations
// with every recipient's receipt state) answers to the app's platform tokens
// (`Authorization: Bearer TOKEN`). Holds no per-request state: safe to call concurrently.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <string_view>

#include "server/app/app_registry.h"
#include "server/dashboard/dashboard_options.h"
#include "server/dashboard/log_notifier.h"
#include "server/http/types.h"
#include "store/store.h"

namespace relayer::server {

class DashboardApi {
 public:
  DashboardApi(Store& store, boost::asio::thread_pool& blocking, const AppRegistry& apps,
               SyncLogNotifier& notifier, DashboardOptions options);

  // Whether `target` (path and query) belongs to the dashboard: /dashboard and /dashboard/...
  static bool Owns(std::string_view target);

  boost::asio::awaitable<Response> Handle(Request req);

  struct Query;

 private:
  boost::asio::awaitable<Response> Logs(const AppId& app, const Query& query);
  boost::asio::awaitable<Response> Conversations(const AppId& app, const Query& query);

  Store& store_;
  boost::asio::thread_pool& blocking_;
  const AppRegistry& apps_;
  SyncLogNotifier& notifier_;
  DashboardOptions options_;
};

// The page (HTML with its CSS and JS inline; no external resources).
std::string_view DashboardPage();

}  // namespace relayer::server
