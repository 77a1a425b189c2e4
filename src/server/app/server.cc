#include "server/app/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/api/client_api.h"
#include "server/api/errors.h"
#include "server/app/publishing_store.h"
#include "server/app/store_open.h"
#include "server/async.h"
#include "server/auth/crypto.h"
#include "server/content/content_service.h"
#include "server/content/local_content_store.h"
#include "server/dashboard/dashboard_api.h"
#include "server/delivery/delivery_service.h"
#include "server/http/http_server.h"
#include "server/http/io_pool.h"
#include "server/platform/platform_api.h"
#include "server/ws/hub.h"
#include "server/ws/ws_session.h"
#include "store/store.h"
#ifdef RELAYER_HAVE_FANOUT
#include "server/fanout/node_fanout.h"
#endif

namespace relayer::server {

struct Server::Impl {
  ServerConfig config;
  AppRegistry apps;
  std::unique_ptr<Store> sqlite;  // the backing store: SQLite, or PostgreSQL (config.store)
  std::unique_ptr<PublishingStore> store;
  std::unique_ptr<boost::asio::thread_pool> blocking;
  // Fan-out: one strand, fed by the writer thread in commit order.
  std::unique_ptr<boost::asio::thread_pool> fanout_pool;
  std::unique_ptr<boost::asio::strand<boost::asio::thread_pool::executor_type>> fanout;
  Hub hub;
  std::unique_ptr<SyncLogNotifier> sync_log_notifier;
  std::unique_ptr<DashboardApi> dashboard;
  std::unique_ptr<WsDeps> ws;
  // Before `io`: destroyed after it, once no delivery coroutine can run any more.
  std::unique_ptr<DeliveryService> delivery;
  std::unique_ptr<IoPool> io;
#ifdef RELAYER_HAVE_FANOUT
  // With --redis: events between nodes. After `io` and the pools: destroyed before them, once
  // Stop() has stopped it and joined them.
  std::unique_ptr<fanout::StoreUserLog> user_log;
  std::unique_ptr<fanout::NodeFanout> node_fanout;
#endif
  std::unique_ptr<ContentService> content;
  std::unique_ptr<ClientApi> api;
  std::unique_ptr<PlatformApi> platform;
  std::unique_ptr<HttpServer> http;
  std::string host;
  uint16_t port = 0;
  bool stopped = false;
};

Server::Server() : impl_(std::make_unique<Impl>()) {}
Server::~Server() { Stop(); }

Result<std::vector<AppConfig>> BuildApps(const std::vector<AppSpec>& specs) {
  std::vector<AppConfig> out;
  for (const auto& spec : specs) {
    AppConfig app;
    auto id = ParseAppId(spec.id);
    if (!id) return Status(ErrorCode::kInvalidAppId, "app id '" + spec.id + "' is not a UUID");
    app.id = *id;
    app.provider_id = spec.provider_id;
    app.platform_tokens = spec.platform_tokens;
    for (const auto& [kid, file] : spec.key_files) {
      std::ifstream in(file);
      if (!in)
        return Status(ErrorCode::kInvalidRequest, "cannot read identity key file '" + file + "'");
      std::stringstream pem;
      pem << in.rdbuf();
      if (auto s = app.keys->add(kid, pem.str()); !s.ok()) {
        return Status(s.code(), "identity key '" + kid + "' (" + file + "): " + s.message());
      }
    }
    out.push_back(std::move(app));
  }
  return out;
}

namespace {

// A config-file webhook without an id gets a stable one derived from its app and target.
std::string ConfigWebhookId(const AppId& app, const WebhookSpec& spec) {
  if (auto id = CanonicalUuid(spec.id)) return *id;
  std::string h = HmacSha1Hex(app.str(), spec.target_url);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-5" + h.substr(13, 3) + "-8" + h.substr(17, 3) +
         "-" + h.substr(20, 12);
}

// Makes the store's config-file webhooks those of the config, then starts delivering.
Status StartDelivery(Server::Impl& d, const std::string& server_url) {
  const TimeMs now = SystemNow();
  for (const auto& spec : d.config.apps) {
    auto app = ParseAppId(spec.id);
    if (!app) continue;
    SyncConfigWebhooksOp op;
    op.app_id = *app;
    op.now = now;
    for (const auto& w : spec.webhooks) {
      Webhook hook;
      hook.id = ConfigWebhookId(*app, w);
      hook.app = *app;
      hook.target_url = w.target_url;
      hook.events = w.events;
      hook.secret = w.secret;
      boost::system::error_code ec;
      auto config = boost::json::parse(w.config_json, ec);
      if (!ec && config.is_object()) hook.config = config.as_object();
      op.webhooks.push_back(std::move(hook));
    }
    WriteResult r = SubmitAndWait(*d.sqlite, std::move(op));
    if (!r.status.ok()) return r.status;
  }
  const DeliveryConfig& c = d.config.delivery;
  DeliveryOptions o;
  o.base_url = d.config.public_url.empty() ? server_url : d.config.public_url;
  o.push_url = c.push_webhook_url;
  o.push_secret = c.push_webhook_secret;
  o.timeout_ms = c.timeout_ms;
  o.retry_initial_ms = c.retry_initial_ms;
  o.retry_max_ms = c.retry_max_ms;
  o.webhook_retry_period_ms = c.webhook_retry_period_seconds * 1000;
  o.push_retry_period_ms = c.push_retry_period_seconds * 1000;
  o.max_in_flight = c.max_in_flight;
  o.max_webhooks_per_app = c.max_webhooks_per_app;
  o.outbox_poll_ms = c.outbox_poll_ms;
  Hub* hub = &d.hub;
  d.delivery = std::make_unique<DeliveryService>(
      *d.store, *d.blocking, d.io->At(0),
      [hub](const AppId& app, const UserId& user) { return hub->IsConnected(app, user); }, o,
      SystemNow);
  if (d.platform) d.platform->SetDelivery(d.delivery.get());
  d.delivery->Start();
  return Status::Ok();
}

#ifdef RELAYER_HAVE_FANOUT
// --redis: committed changes go to NodeFanout (which delivers this node's sockets in per-user
// order and publishes to the other nodes) instead of straight to the hub.
Status StartNodeFanout(Server::Impl& d) {
  auto redis = fanout::RedisBusOptions::FromAddress(d.config.redis);
  if (!redis.ok()) return Status(redis.status().code(), "--redis: " + redis.status().message());
  fanout::NodeFanoutOptions options;
  options.redis = std::move(*redis);
  options.redis.client_name = "relayer-node";
  Hub* hub = &d.hub;
  fanout::NodeFanoutHandlers handlers;
  handlers.deliver = [hub](const AppId& app, const UserId& user, const fanout::UserEvent& e) {
    static const WriteResult kNone;
    hub->PublishTo(app, user, e.change, e.objects ? *e.objects : kNone);
  };
  handlers.signal = [hub](const AppId& app, const UserId& user, const std::string& body,
                          TimeMs ts) { hub->SignalLocal(app, user, body, ts); };
  d.user_log = std::make_unique<fanout::StoreUserLog>(*d.store);
  d.node_fanout =
      std::make_unique<fanout::NodeFanout>(*d.fanout, d.io->At(0).get_executor(), *d.blocking,
                                           *d.user_log, std::move(options), std::move(handlers));
  fanout::NodeFanout* node = d.node_fanout.get();
  HubHooks hooks;
  hooks.first_connection = [node](const AppId& app, const UserId& user) {
    node->UserConnected(app, user);
  };
  hooks.last_connection = [node](const AppId& app, const UserId& user) {
    node->UserDisconnected(app, user);
  };
  hooks.signalled = [node](const AppId& app, const std::vector<UserId>& users,
                           const std::string& body,
                           TimeMs ts) { node->Signal(app, users, body, ts); };
  d.hub.SetHooks(std::move(hooks));
  return Status::Ok();
}
#endif

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerConfig& config,
                                              std::vector<AppConfig> extra_apps) {
  std::unique_ptr<Server> server(new Server());
  auto& d = *server->impl_;
  d.config = config;
  auto apps = BuildApps(config.apps);
  if (!apps.ok()) return apps.status();
  for (auto& a : *apps) d.apps.Add(std::move(a));
  for (auto& a : extra_apps) d.apps.Add(std::move(a));
  if (d.apps.empty()) {
    return Status(ErrorCode::kInvalidAppId,
                  "no app configured: pass --app-id/--provider-id/--identity-key, a config file "
                  "with [[apps]], or --dev");
  }
  if (auto s = SplitListen(config.listen, d.host, d.port); !s.ok()) return s;

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status(ErrorCode::kServiceUnavailable,
                  "cannot create data folder '" + config.data_dir + "': " + ec.message());
  }
  auto store = OpenConfiguredStore(config);
  if (!store.ok()) return store.status();
  d.sqlite = std::move(*store);
  if (!config.redis.empty() && !d.sqlite->HasUserSequences()) {
    return Status(ErrorCode::kInvalidRequest,
                  "--redis needs a shared store: --store postgres://... (this store keeps no "
                  "per-user change sequences, so nodes could not fill each other's gaps)");
  }
#ifndef RELAYER_HAVE_FANOUT
  if (!config.redis.empty()) {
    return Status(ErrorCode::kInvalidRequest,
                  "--redis: this relayer was built without hiredis (libhiredis-dev)");
  }
#endif
  d.fanout_pool = std::make_unique<boost::asio::thread_pool>(1);
  d.fanout = std::make_unique<boost::asio::strand<boost::asio::thread_pool::executor_type>>(
      d.fanout_pool->get_executor());
  Impl* impl = &d;
  d.sync_log_notifier = std::make_unique<SyncLogNotifier>(config.dashboard.max_waiting);
  d.store = std::make_unique<PublishingStore>(
      *d.sqlite, [impl](const AppId& app, std::shared_ptr<const WriteResult> result) {
        if (result->delivery_events && impl->delivery) impl->delivery->Poke();
        // Held dashboard long-polls wake straight from the writer thread (Notify never blocks).
        if (result->sync_log_seq) impl->sync_log_notifier->Notify(app);
        if (result->changes.empty()) return;
#ifdef RELAYER_HAVE_FANOUT
        if (impl->node_fanout) {
          impl->node_fanout->Committed(app, std::move(result));  // posts to the fan-out strand
          return;
        }
#endif
        // Rendered and queued on the first network thread, where the sockets of a one-thread
        // server live: no hop through another thread, and the writes of a whole batch leave in
        // one write per socket. Posted after the write's own answer, so that goes first.
        PostCompletion(impl->io->At(0).get_executor(),
                       [impl, app, result] { impl->hub.Publish(app, *result); });
      });

  size_t threads =
      config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  d.blocking =
      std::make_unique<boost::asio::thread_pool>(std::max<size_t>(1, config.blocking_threads));
  d.io = std::make_unique<IoPool>(threads);
#ifdef RELAYER_HAVE_FANOUT
  if (!config.redis.empty()) {
    if (auto s = StartNodeFanout(d); !s.ok()) return s;
  }
#endif

  std::string secret;
  if (auto s = LinkSigner::LoadOrCreateSecret(config.data_dir, secret); !s.ok()) return s;
  auto content_bytes =
      LocalContentStore::Open((std::filesystem::path(config.data_dir) / "content").string());
  if (!content_bytes.ok()) return content_bytes.status();
  ContentOptions content_options;
  content_options.max_content_bytes = config.limits.max_content_bytes;
  content_options.link_ttl_ms = config.limits.content_link_ttl_ms;
  content_options.cors_origins = config.cors_origins;
  content_options.public_url = config.public_url;
  d.content = std::make_unique<ContentService>(*d.store, *d.blocking, std::move(*content_bytes),
                                               LinkSigner(std::move(secret)), content_options);
  d.hub.SetContentLinks(d.content.get());

  ApiOptions api_options;
  api_options.limits = config.limits;
  api_options.cors_origins = config.cors_origins;
  api_options.public_url = config.public_url;
  api_options.dev_mode = config.dev;
  api_options.max_push_tokens_per_user = config.delivery.max_push_tokens_per_user;
  api_options.content = d.content.get();
  d.api = std::make_unique<ClientApi>(*d.store, *d.blocking, d.apps, api_options);
  PlatformOptions platform_options;
  platform_options.limits = config.limits;
  platform_options.public_url = config.public_url;
  platform_options.dedup_ttl_ms = static_cast<TimeMs>(config.platform_dedup_ttl_seconds) * 1000;
  platform_options.content_links = d.content.get();
  d.platform =
      std::make_unique<PlatformApi>(*d.store, *d.blocking, d.apps, platform_options, SystemNow);
  d.dashboard = std::make_unique<DashboardApi>(*d.store, *d.blocking, d.apps, *d.sync_log_notifier,
                                               config.dashboard);

  WsOptions ws_options;
  ws_options.public_url = config.public_url;
  ws_options.content_links = d.content.get();
  ws_options.max_message_bytes = config.limits.max_body_bytes;
  ws_options.max_queued_bytes = config.ws_max_queued_bytes;
  ws_options.max_queued_packets = config.ws_max_queued_packets;
  ws_options.idle_timeout =
      std::chrono::seconds(std::max<size_t>(2, config.ws_idle_timeout_seconds));
  d.ws = std::make_unique<WsDeps>(
      WsDeps{*d.api, *d.store, *d.blocking, d.hub, config.limits, SystemNow, ws_options});

  HttpServerOptions http_options;
  http_options.host = d.host;
  http_options.port = d.port;
  http_options.max_body_bytes = config.limits.max_body_bytes;
  ClientApi* api = d.api.get();
  PlatformApi* platform = d.platform.get();
  DashboardApi* dashboard = d.dashboard.get();
  d.http = std::make_unique<HttpServer>(
      *d.io, http_options,
      [api, platform, dashboard](Request req) {
        // Server-to-server calls live under /apps/, the dashboard under /dashboard; everything
        // else is the Client API.
        if (PlatformApi::Handles(req.target())) return platform->Handle(std::move(req));
        if (DashboardApi::Owns(req.target())) return dashboard->Handle(std::move(req));
        return api->Handle(std::move(req));
      },
      [ws = d.ws.get()](boost::asio::ip::tcp::socket socket, Request req) {
        if (IsWebSocketPath(req.target())) {
          StartWsSession(std::move(socket), std::move(req), *ws);
        } else {
          boost::system::error_code ec;
          socket.close(ec);
        }
      },
      [](const Status& s) { return ErrorResponse(s); });
  d.http->SetStreamRoute(d.content->Route());
  auto port = d.http->Listen();
  if (!port.ok()) return port.status();
  d.port = *port;
  if (auto s = StartDelivery(d, server->url()); !s.ok()) return s;
  d.io->Start();
  return server;
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const {
  const auto& h = impl_->host;
  bool v6 = h.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->port);
}

void Server::Stop() {
  auto& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  if (d.http) d.http->StopAccepting();
#ifdef RELAYER_HAVE_FANOUT
  if (d.node_fanout) d.node_fanout->Stop();
#endif
  if (d.io) d.io->Stop();
  if (d.blocking) d.blocking->join();
  if (d.sqlite) d.sqlite->Close();
  if (d.fanout_pool) d.fanout_pool->join();
}

}  // namespace relayer::server
