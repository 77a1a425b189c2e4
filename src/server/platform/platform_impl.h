// Internals of PlatformApi shared by its handler files: the per-request call, the context every
// handler gets, the router, and one registration function per handler file. To add routes, write
// a platform_<area>_handlers.cc with a Register<Area>Routes(PlatformRouter&) and call it from
// PlatformApi::Impl's constructor (platform_api.cc). Patterns are relative to /apps/APP_UUID.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "server/api/errors.h"
#include "server/api/router.h"
#include "server/async.h"
#include "server/platform/platform_api.h"

namespace relayer::server {

class DeliveryService;

struct PlatformCall {
  Request req;
  std::vector<std::string> params;           // path parameters after the app, percent-decoded
  std::map<std::string, std::string> query;  // query parameters, decoded
  std::string base_url;                      // "http://host:port", for `url` fields
  const AppConfig* app = nullptr;            // the authenticated app of the path

  const AppId& app_id() const { return app->id; }
  // base_url + "/apps/" + app UUID: the prefix of every Platform `url`.
  std::string AppUrl() const { return base_url + "/apps/" + app->id.str(); }
};

// What every handler may use. Shared by all requests; read-only after start-up.
struct PlatformContext {
  Store& store;
  boost::asio::thread_pool& blocking;
  PlatformOptions options;
  PlatformApi::Clock clock;
  // If-None-Match keys whose request is running (see dedup.h).
  std::mutex dedup_mu{};
  std::set<std::pair<AppId, std::string>> dedup_in_flight{};
  // Verifies and wakes webhooks; set once at start-up (null: webhooks are stored, not verified).
  DeliveryService* delivery = nullptr;

  const Limits& limits() const { return options.limits; }
};

using PlatformHandler =
    std::function<boost::asio::awaitable<Response>(PlatformContext&, PlatformCall&)>;
struct PlatformRoute {
  PlatformHandler fn;
  // A create that honours If-None-Match: a repeated key answers with the first 2xx result.
  bool dedup = false;
};
using PlatformRouter = Router<PlatformRoute>;

// One per handler file.
void RegisterConversationRoutes(PlatformRouter& router);  // platform_conversation_handlers.cc
void RegisterMessageRoutes(PlatformRouter& router);       // platform_message_handlers.cc
void RegisterUserRoutes(PlatformRouter& router);      // platform_user_handlers.cc (per-user reads)
void RegisterIdentityRoutes(PlatformRouter& router);  // platform_identity_handlers.cc
void RegisterBlockRoutes(PlatformRouter& router);     // platform_block_handlers.cc
void RegisterAnnouncementRoutes(PlatformRouter& router);  // platform_announcement_handlers.cc
void RegisterWebhookRoutes(PlatformRouter& router);       // platform_webhook_handlers.cc

// Shared helpers (platform_api.cc).
// Parses `page_size` and `from_id` like the Client API (default and maximum from the limits).
Result<Page> ParsePlatformPage(const PlatformCall& call, const Limits& limits);
// A user id from the path; kNotFound when it is not a valid user id.
Result<UserId> UserParam(const PlatformCall& call, size_t index, const Limits& limits);
Result<ConversationId> ConversationParam(const PlatformCall& call, size_t index);
Result<MessageId> MessageParam(const PlatformCall& call, size_t index);
// Commits `op` and answers 204, or the error.
boost::asio::awaitable<Response> WriteNoContent(PlatformContext& ctx, WriteOp op);

}  // namespace relayer::server
