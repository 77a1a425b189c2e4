#include "server/api/client_api.h"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <chrono>

#include "server/api/client_api_impl.h"
#include "server/auth/crypto.h"
#include "server/http/layer_accept.h"

namespace relayer::server {

namespace json = boost::json;
namespace asio = boost::asio;

TimeMs SystemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ClientApi::Impl::Impl(Store& s, asio::thread_pool& b, const AppRegistry& a, ApiOptions o, Clock c)
    : store(s),
      blocking(b),
      apps(a),
      options(std::move(o)),
      clock(std::move(c)),
      sessions(options.session_cache_entries, options.session_cache_ttl_ms) {
  using V = http::verb;
  router.Add(V::post, "/nonces", {&Impl::PostNonces, false});
  router.Add(V::post, "/sessions", {&Impl::PostSessions, false});
  router.Add(V::delete_, "/sessions/:token", {&Impl::DeleteSession, false});
  router.Add(V::head, "/ping", {&Impl::Ping, false, false});
  router.Add(V::get, "/ping", {&Impl::Ping, false, false});
  router.Add(V::get, "/", {&Impl::Root, true, false});
  router.Add(V::get, "/identities/:user", {&Impl::GetIdentity});
  router.Add(V::post, "/conversations", {&Impl::PostConversation});
  router.Add(V::get, "/conversations", {&Impl::ListConversations});
  router.Add(V::get, "/conversations/:id", {&Impl::GetConversation});
  router.Add(V::patch, "/conversations/:id", {&Impl::PatchConversation});
  router.Add(V::delete_, "/conversations/:id", {&Impl::DeleteConversation});
  router.Add(V::post, "/conversations/:id/mark_all_read", {&Impl::MarkAllRead});
  router.Add(V::post, "/conversations/:id/messages", {&Impl::PostMessage});
  router.Add(V::get, "/conversations/:id/messages", {&Impl::ListMessages});
  router.Add(V::get, "/messages/:id", {&Impl::GetMessage});
  router.Add(V::delete_, "/messages/:id", {&Impl::DeleteMessage});
  router.Add(V::post, "/messages/:id/receipts", {&Impl::PostReceipt});
  router.Add(V::post, "/push_tokens", {&Impl::PostPushToken});
  router.Add(V::delete_, "/push_tokens/:device_id", {&Impl::DeletePushToken});
  router.Add(V::get, "/announcements", {&Impl::ListAnnouncements});
  router.Add(V::get, "/announcements/:id", {&Impl::GetAnnouncement});
  router.Add(V::delete_, "/announcements/:id", {&Impl::DeleteAnnouncement});
  router.Add(V::post, "/announcements/:id/receipts", {&Impl::PostAnnouncementReceipt});
  router.Add(V::post, "/content", {&Impl::PostContent});
  router.Add(V::get, "/content/:id", {&Impl::GetContent});
  if (options.dev_mode) {
    router.Add(V::post, "/dev/identity_tokens", {&Impl::DevIdentityToken, false, false});
  }
}

std::string ClientApi::Impl::BaseUrl(const Request& req) const {
  if (!options.public_url.empty()) return options.public_url;
  auto host = req[http::field::host];
  if (host.empty()) return "http://localhost";
  return "http://" + std::string(host);
}

bool ClientApi::Impl::OriginAllowed(std::string_view origin) const {
  if (options.cors_origins.empty()) return true;
  for (const auto& o : options.cors_origins) {
    if (o == "*" || o == origin) return true;
  }
  return false;
}

void ClientApi::Impl::AddCors(std::string_view origin, Response& res) const {
  if (origin.empty() || !OriginAllowed(origin)) return;
  // With credentials a browser needs the exact origin echoed, never "*".
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
  res.set(http::field::access_control_expose_headers, "Layer-Count, Location, Link");
}

namespace {

// "application/vnd.layer+json; version=2.0" (any other media type listed alongside is fine).
bool AcceptsLayer20(std::string_view accept) {
  auto v = LayerAcceptVersion(accept);
  return v && (*v == "2.0");
}

// Authorization: Layer session-token="TOKEN"
std::optional<std::string> SessionTokenFrom(std::string_view header) {
  constexpr std::string_view kScheme = "Layer ";
  if (header.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  auto rest = header.substr(kScheme.size());
  auto key = rest.find("session-token=");
  if (key == std::string_view::npos) return std::nullopt;
  rest = rest.substr(key + 14);
  if (!rest.empty() && rest.front() == '"') {
    rest.remove_prefix(1);
    auto close = rest.find('"');
    if (close == std::string_view::npos) return std::nullopt;
    rest = rest.substr(0, close);
  } else {
    auto end = rest.find_first_of(" ,");
    if (end != std::string_view::npos) rest = rest.substr(0, end);
  }
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

}  // namespace

asio::awaitable<Result<Caller>> ClientApi::Impl::Authenticate(const std::string& token) {
  const TimeMs now = clock();
  std::optional<Session> cached = sessions.Find(token, now);
  if (!cached) {
    auto session_aw =
        RunBlocking(blocking, [this, token] { return store.GetSession(SessionToken(token)); });
    auto session = co_await std::move(session_aw);
    if (!session.ok()) {
      co_return Status(ErrorCode::kAuthenticationRequired, "Session token is unknown or expired");
    }
    if (session->expires_at <= now) {
      co_return Status(ErrorCode::kAuthenticationRequired, "Session has expired");
    }
    sessions.Put(*session, now);
    cached = std::move(*session);
  }
  const AppConfig* app = apps.Find(cached->app_id);
  if (!app) co_return Status(ErrorCode::kInvalidAppId, "The session's app is no longer served");
  co_return Caller{std::move(*cached), app};
}

asio::awaitable<Result<std::string>> ClientApi::Impl::NewNonce() {
  CreateNonceOp op;
  op.nonce = Nonce(RandomToken(24));
  op.now = clock();
  op.expires_at = op.now + options.limits.nonce_ttl_ms;
  std::string nonce = op.nonce.str();
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return written.status;
  co_return nonce;
}

asio::awaitable<Response> ClientApi::Impl::WriteNoContent(WriteOp op) {
  auto written_aw = Write(store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(http::status::no_content);
}

asio::awaitable<Response> ClientApi::Impl::Unauthorized(std::string message) {
  auto nonce_aw = NewNonce();
  auto nonce = co_await std::move(nonce_aw);
  if (!nonce.ok()) co_return ErrorResponse(nonce.status());
  json::object data;
  data["nonce"] = *nonce;
  co_return ErrorResponse(Status(ErrorCode::kAuthenticationRequired, std::move(message)),
                          std::move(data));
}

asio::awaitable<Response> ClientApi::Impl::Dispatch(Request req) {
  Call call;
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target)
    co_return ErrorResponse(Status(ErrorCode::kInvalidRequest, "Malformed request target"));
  std::string path = std::string(target->encoded_path());
  for (auto param : target->params()) call.query[param.key] = param.value;

  http::verb method = req.method();
  // Browsers and proxies that cannot send PATCH tunnel it through POST.
  if (method == http::verb::post) {
    auto override = req["X-HTTP-Method-Override"];
    if (override == "PATCH")
      method = http::verb::patch;
    else if (override == "DELETE")
      method = http::verb::delete_;
  }

  if (method == http::verb::options) {
    Response res{http::status::no_content, 11};
    res.set(http::field::access_control_allow_methods,
            "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    auto asked = req[http::field::access_control_request_headers];
    std::string allowed = asked.empty() ? "accept, content-type, authorization, client-id, "
                                          "layer-xdk-version"
                                        : std::string(asked);
    res.set(http::field::access_control_allow_headers, allowed);
    res.set(http::field::access_control_max_age, "86400");
    co_return res;
  }

  auto match = router.Find(method, path);
  if (match.outcome == Router<Route>::Outcome::kNotFound) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidEndpoint,
                                   "No endpoint " + std::string(req.method_string()) + " " + path));
  }
  if (match.outcome == Router<Route>::Outcome::kMethodNotAllowed) {
    co_return ErrorResponse(
        Status(ErrorCode::kMethodNotAllowed,
               "Method " + std::string(req.method_string()) + " is not allowed on " + path));
  }
  const Route& route = *match.fn;
  for (auto& raw : match.params) {
    auto decoded = PercentDecode(raw);
    if (!decoded) co_return ErrorResponse(InvalidRequest("Malformed percent-encoding in path"));
    call.params.push_back(std::move(*decoded));
  }
  if (route.needs_accept && !AcceptsLayer20(req[http::field::accept])) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidHeader,
                                   "Accept must be 'application/vnd.layer+json; version=2.0'"));
  }
  if (route.needs_session) {
    auto token = SessionTokenFrom(req[http::field::authorization]);
    if (!token) {
      auto unauthorized = Unauthorized("Authorization header with a session token required");
      co_return co_await std::move(unauthorized);
    }
    auto caller_aw = Authenticate(*token);
    auto caller = co_await std::move(caller_aw);
    if (!caller.ok()) {
      if (caller.status().code() == ErrorCode::kAuthenticationRequired) {
        auto unauthorized = Unauthorized(caller.status().message());
        co_return co_await std::move(unauthorized);
      }
      co_return ErrorResponse(caller.status());
    }
    call.caller = std::move(*caller);
  }
  call.base_url = BaseUrl(req);
  call.req = std::move(req);
  co_return co_await (this->*route.fn)(call);
}

ClientApi::ClientApi(Store& store, asio::thread_pool& blocking, const AppRegistry& apps,
                     ApiOptions options, Clock clock)
    : impl_(std::make_unique<Impl>(store, blocking, apps, std::move(options), std::move(clock))) {}

ClientApi::~ClientApi() = default;

asio::awaitable<Response> ClientApi::Handle(Request req) {
  const std::string origin(req[http::field::origin]);
  Response res;
  try {
    auto dispatch = impl_->Dispatch(std::move(req));
    res = co_await std::move(dispatch);
  } catch (const std::exception& e) {
    spdlog::error("request failed: {}", e.what());
    res = ErrorResponse(Internal("Internal server error"));
  }
  impl_->AddCors(origin, res);
  co_return res;
}

asio::awaitable<Result<Caller>> ClientApi::Authenticate(const std::string& token) {
  co_return co_await impl_->Authenticate(token);
}

asio::awaitable<Response> ClientApi::AuthenticationRequired(std::string message) {
  auto unauthorized = impl_->Unauthorized(std::move(message));
  co_return co_await std::move(unauthorized);
}

}  // namespace relayer::server
