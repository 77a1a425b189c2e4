// Layer Client API 2.0 over HTTP: routing, CORS, Accept/version checks, session authentication,
// and the REST endpoints (sessions, identities, conversations, messages, receipts).
// One ClientApi serves every connection concurrently; it holds no per-request state.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/model.h"
#include "server/app/app_registry.h"
#include "server/http/types.h"
#include "store/store.h"

namespace relayer::server {

class ContentService;

struct ApiOptions {
  Limits limits;
  std::vector<std::string> cors_origins;  // empty: any origin
  std::string public_url;                 // e.g. "https://chat.example.com"; empty: from Host
  bool dev_mode = false;                  // serve POST /dev/identity_tokens
  // Sessions kept in memory after their first use (see SessionCache); 0 entries turns it off.
  size_t session_cache_entries = 100000;
  TimeMs session_cache_ttl_ms = 60000;
  size_t max_push_tokens_per_user = 25;  // the least recently used are evicted past it
  // Rich content (POST /content, GET /content/UUID, download links in message parts); not owned,
  // must outlive the ClientApi. Null: /content is not served and parts carry no download_url.
  ContentService* content = nullptr;
};

using Clock = std::function<TimeMs()>;
TimeMs SystemNow();

// What an authenticated request knows about its caller.
struct Caller {
  Session session;
  const AppConfig* app = nullptr;
};

class ClientApi {
 public:
  ClientApi(Store& store, boost::asio::thread_pool& blocking, const AppRegistry& apps,
            ApiOptions options, Clock clock = SystemNow);
  ~ClientApi();

  boost::asio::awaitable<Response> Handle(Request req);

  // Authenticates a session token (used by the WebSocket upgrade too).
  boost::asio::awaitable<Result<Caller>> Authenticate(const std::string& token);
  // A 401 answer with a fresh nonce in data.nonce.
  boost::asio::awaitable<Response> AuthenticationRequired(std::string message);

  // Internals, shared by the handler files (client_api_impl.h).
  struct Call;
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace relayer::server
