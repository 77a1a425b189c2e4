#include "server/platform/platform_api.h"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>

#include "core/validation.h"
#include "server/http/layer_accept.h"
#include "server/platform/dedup.h"
#include "server/platform/platform_impl.h"

namespace relayer::server {

namespace asio = boost::asio;

struct PlatformApi::Impl {
  const AppRegistry& apps;
  PlatformContext ctx;
  PlatformRouter router;

  Impl(Store& store, asio::thread_pool& blocking, const AppRegistry& a, PlatformOptions options,
       Clock clock)
      : apps(a), ctx{store, blocking, std::move(options), std::move(clock), {}, {}} {
    RegisterConversationRoutes(router);
    RegisterMessageRoutes(router);
    RegisterUserRoutes(router);
    RegisterIdentityRoutes(router);
    RegisterBlockRoutes(router);
    RegisterAnnouncementRoutes(router);
    RegisterWebhookRoutes(router);
  }

  asio::awaitable<Response> Dispatch(Request req);
  std::string BaseUrl(const Request& req) const {
    if (!ctx.options.public_url.empty()) return ctx.options.public_url;
    auto host = req[http::field::host];
    if (host.empty()) return "http://localhost";
    return "http://" + std::string(host);
  }
};

namespace {

// "application/vnd.layer+json; version=1.x": the versions layer-api and Layer's docs used.
bool AcceptsPlatform(std::string_view accept) {
  auto v = LayerAcceptVersion(accept);
  return v && (*v == "1.0" || *v == "1.1" || *v == "1.2" || *v == "1.3");
}

// Authorization: Bearer TOKEN
std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || header.substr(0, kScheme.size()) != kScheme)
    return std::nullopt;
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

// Compares without an early exit, so that timing does not reveal a token's prefix.
bool SameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool TokenValid(const AppConfig& app, std::string_view token) {
  bool ok = false;
  for (const auto& t : app.platform_tokens) ok |= SameToken(t, token);
  return ok;
}

}  // namespace

asio::awaitable<Response> PlatformApi::Impl::Dispatch(Request req) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target)
    co_return ErrorResponse(Status(ErrorCode::kInvalidRequest, "Malformed request target"));
  PlatformCall call;
  for (auto param : target->params()) call.query[param.key] = param.value;
  // /apps/APP/rest...: the app segment, then the route relative to it.
  auto segments = PlatformRouter::Split(target->encoded_path());
  if (segments.size() < 2 || segments[0] != "apps") {
    co_return ErrorResponse(Status(ErrorCode::kInvalidEndpoint, "No such Platform API endpoint"));
  }
  // Authentication first: an unauthenticated caller learns nothing about which apps exist.
  auto token = BearerToken(req[http::field::authorization]);
  if (!token) {
    co_return ErrorResponse(Status(ErrorCode::kAuthenticationRequired,
                                   "Authorization: Bearer <platform token> is required"));
  }
  auto app_id = ParseAppId(segments[1]);
  const AppConfig* app = app_id ? apps.Find(*app_id) : nullptr;
  if (!app || !TokenValid(*app, *token)) {
    // One answer for an unknown app and a wrong token, for the same reason.
    co_return ErrorResponse(
        Status(ErrorCode::kAuthenticationRequired, "The platform token is not valid for this app"));
  }
  call.app = app;
  if (!AcceptsPlatform(req[http::field::accept])) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidHeader,
               "Accept must be 'application/vnd.layer+json; version=1.0' (1.0 to 1.3 are served)"));
  }
  std::string rest;
  for (size_t i = 2; i < segments.size(); ++i) rest += "/" + segments[i];
  auto match = router.Find(req.method(), rest);
  if (match.outcome == PlatformRouter::Outcome::kNotFound) {
    co_return ErrorResponse(
        Status(ErrorCode::kInvalidEndpoint, "No endpoint " + std::string(req.method_string()) +
                                                " " + std::string(target->encoded_path())));
  }
  if (match.outcome == PlatformRouter::Outcome::kMethodNotAllowed) {
    co_return ErrorResponse(
        Status(ErrorCode::kMethodNotAllowed, "Method " + std::string(req.method_string()) +
                                                 " is not allowed on " +
                                                 std::string(target->encoded_path())));
  }
  for (auto& raw : match.params) {
    auto decoded = PercentDecode(raw);
    if (!decoded) co_return ErrorResponse(InvalidRequest("Malformed percent-encoding in path"));
    call.params.push_back(std::move(*decoded));
  }
  call.base_url = BaseUrl(req);
  const PlatformRoute& route = *match.fn;
  std::optional<std::string> dedup_key;
  if (route.dedup) {
    auto key = DedupKeyFrom(req[http::field::if_none_match]);
    if (!key.ok()) co_return ErrorResponse(key.status());
    dedup_key = std::move(*key);
  }
  call.req = std::move(req);
  if (!dedup_key) co_return co_await route.fn(ctx, call);
  auto deduped_aw = RunDeduplicated(ctx, call, *dedup_key, route.fn);
  co_return co_await std::move(deduped_aw);
}

PlatformApi::PlatformApi(Store& store, asio::thread_pool& blocking, const AppRegistry& apps,
                         PlatformOptions options, Clock clock)
    : impl_(std::make_unique<Impl>(store, blocking, apps, std::move(options), std::move(clock))) {}

void PlatformApi::SetDelivery(DeliveryService* delivery) { impl_->ctx.delivery = delivery; }

PlatformApi::~PlatformApi() = default;

bool PlatformApi::Handles(std::string_view target) {
  return target == "/apps" || target.substr(0, 6) == "/apps/" || target.substr(0, 6) == "/apps?";
}

asio::awaitable<Response> PlatformApi::Handle(Request req) {
  Response res;
  try {
    auto dispatch = impl_->Dispatch(std::move(req));
    res = co_await std::move(dispatch);
  } catch (const std::exception& e) {
    spdlog::error("platform request failed: {}", e.what());
    res = ErrorResponse(Internal("Internal server error"));
  }
  co_return res;
}

// ---- Shared helpers ----------------------------------------------------------------------------

Result<Page> ParsePlatformPage(const PlatformCall& call, const Limits& limits) {
  Page page;
  page.page_size = limits.default_page_size;
  if (auto it = call.query.find("page_size"); it != call.query.end()) {
    const std::string& v = it->second;
    bool digits =
        !v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos;
    size_t n = digits ? std::stoul(v) : 0;
    if (n == 0) return InvalidProperty("page_size", "page_size must be a positive integer");
    page.page_size = std::min(n, limits.max_page_size);
  }
  if (auto it = call.query.find("from_id"); it != call.query.end() && !it->second.empty()) {
    auto slash = it->second.rfind('/');
    std::string uuid = slash == std::string::npos ? it->second : it->second.substr(slash + 1);
    auto canonical = CanonicalUuid(uuid);
    if (!canonical) return InvalidProperty("from_id", "from_id must be an object id or UUID");
    page.from_id = *canonical;
  }
  return page;
}

Result<UserId> UserParam(const PlatformCall& call, size_t index, const Limits& limits) {
  const std::string& raw = call.params.at(index);
  if (!ValidateUserId(raw, limits).ok()) return NotFound("No user '" + raw + "'");
  return UserId(raw);
}

Result<ConversationId> ConversationParam(const PlatformCall& call, size_t index) {
  auto id = ParseConversationId(call.params.at(index));
  if (!id) return NotFound("No conversation '" + call.params.at(index) + "'");
  return *id;
}

Result<MessageId> MessageParam(const PlatformCall& call, size_t index) {
  auto id = ParseMessageId(call.params.at(index));
  if (!id) return NotFound("No message '" + call.params.at(index) + "'");
  return *id;
}

asio::awaitable<Response> WriteNoContent(PlatformContext& ctx, WriteOp op) {
  auto written_aw = Write(ctx.store, std::move(op));
  auto written = co_await std::move(written_aw);
  if (!written.status.ok()) co_return ErrorResponse(written.status);
  co_return EmptyResponse(http::status::no_content);
}

}  // namespace relayer::server
