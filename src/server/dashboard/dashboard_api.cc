#include "server/dashboard/dashboard_api.h"

#include <openssl/crypto.h>

#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <map>
#include <string>

#include "server/api/errors.h"
#include "server/api/router.h"
#include "server/async.h"
#include "server/dashboard/dashboard_json.h"

namespace relayer::server {
namespace json = boost::json;
namespace asio = boost::asio;

struct DashboardApi::Query {
  std::map<std::string, std::string> params;  // decoded query parameters

  const std::string* Get(const char* key) const {
    auto it = params.find(key);
    return it == params.end() || it->second.empty() ? nullptr : &it->second;
  }
};

namespace {

Status Bad(const std::string& what) { return Status(ErrorCode::kInvalidRequest, what); }

// A non-negative integer parameter, or `fallback` when absent.
Result<int64_t> IntParam(const DashboardApi::Query& q, const char* key, int64_t fallback) {
  const std::string* v = q.Get(key);
  if (!v) return fallback;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || out < 0) {
    return Bad(std::string(key) + " must be a non-negative integer");
  }
  return out;
}

bool TokenMatches(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

// 401 without credentials, 403 when they are not the app's.
Status Authorize(const Request& req, const AppConfig* app) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view header = req[http::field::authorization];
  if (header.substr(0, kBearer.size()) != kBearer || header.size() == kBearer.size()) {
    return Status(ErrorCode::kAuthenticationRequired,
                  "The dashboard API needs 'Authorization: Bearer <platform token>'");
  }
  const std::string token(header.substr(kBearer.size()));
  if (app) {
    for (const std::string& t : app->platform_tokens) {
      if (TokenMatches(token, t)) return Status::Ok();
    }
  }
  return Status(ErrorCode::kAccessDenied, "The token is not a platform token of this app");
}

Response Page() {
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  // Everything is inline; nothing may be loaded from elsewhere.
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
          "img-src data:; connect-src 'self'");
  res.body() = std::string(DashboardPage());
  res.prepare_payload();
  return res;
}

}  // namespace

DashboardApi::DashboardApi(Store& store, asio::thread_pool& blocking, const AppRegistry& apps,
                           SyncLogNotifier& notifier, DashboardOptions options)
    : store_(store), blocking_(blocking), apps_(apps), notifier_(notifier), options_(options) {}

bool DashboardApi::Owns(std::string_view target) {
  constexpr std::string_view kPrefix = "/dashboard";
  if (target.substr(0, kPrefix.size()) != kPrefix) return false;
  return target.size() == kPrefix.size() || target[kPrefix.size()] == '/' ||
         target[kPrefix.size()] == '?';
}

asio::awaitable<Response> DashboardApi::Handle(Request req) {
  auto target = boost::urls::parse_origin_form(req.target());
  if (!target) co_return ErrorResponse(Bad("Malformed request target"));
  Query query;
  for (auto param : target->params()) query.params[param.key] = param.value;
  const auto segments = Router<int>::Split(target->encoded_path());
  const bool get = req.method() == http::verb::get;
  const std::string method(req.method_string());

  if (!options_.enabled) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidEndpoint, "The dashboard is disabled"));
  }
  if (segments.size() == 1) {
    if (!get) co_return ErrorResponse(Status(ErrorCode::kMethodNotAllowed, "Use GET /dashboard"));
    co_return Page();
  }
  const bool logs = segments.size() == 4 && segments[3] == "logs";
  const bool conversations = segments.size() == 4 && segments[3] == "conversations";
  if (segments[1] != "api" || (!logs && !conversations)) {
    co_return ErrorResponse(Status(ErrorCode::kInvalidEndpoint,
                                   "No endpoint " + method + " " + std::string(target->path())));
  }
  if (!get) {
    co_return ErrorResponse(Status(ErrorCode::kMethodNotAllowed,
                                   "Method " + method + " is not allowed on the dashboard API"));
  }
  auto decoded = PercentDecode(segments[2]);
  std::optional<AppId> app = decoded ? ParseAppId(*decoded) : std::nullopt;
  // Credentials are checked before the app id is judged, so a caller without a token learns
  // nothing about which apps exist.
  if (Status s = Authorize(req, app ? apps_.Find(*app) : nullptr); !s.ok()) {
    co_return ErrorResponse(s);
  }
  if (logs) {
    auto answer = Logs(*app, query);
    co_return co_await std::move(answer);
  }
  auto answer = Conversations(*app, query);
  co_return co_await std::move(answer);
}

asio::awaitable<Response> DashboardApi::Logs(const AppId& app, const Query& query) {
  SyncLogFilter filter;
  if (const std::string* user = query.Get("user")) filter.actor = UserId(*user);
  if (const std::string* conv = query.Get("conversation")) {
    filter.conversation = ParseConversationId(*conv);
    if (!filter.conversation)
      co_return ErrorResponse(Bad("conversation must be a conversation id"));
  }
  auto from = IntParam(query, "from", 0);
  auto to = IntParam(query, "to", 0);
  auto before = IntParam(query, "before", 0);
  auto limit = IntParam(query, "limit", 100);
  auto wait = IntParam(query, "wait", 0);
  for (const Status& s :
       {from.status(), to.status(), before.status(), limit.status(), wait.status()}) {
    if (!s.ok()) co_return ErrorResponse(s);
  }
  if (query.Get("after")) {
    auto after = IntParam(query, "after", 0);
    if (!after.ok()) co_return ErrorResponse(after.status());
    filter.after_seq = *after;
  }
  filter.from_ts = *from;
  filter.to_ts = *to;
  filter.before_seq = *before;
  filter.limit = std::min<size_t>(std::max<int64_t>(*limit, 1), options_.max_page_size);
  // Only a tail (after=SEQ) can wait for what comes next.
  const int64_t wait_s =
      filter.after_seq ? std::min<int64_t>(*wait, static_cast<int64_t>(options_.max_wait_seconds))
                       : 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);

  for (;;) {
    const uint64_t seen = notifier_.Generation(app);
    auto rows_aw =
        RunBlocking(blocking_, [this, app, filter] { return store_.ListSyncLog(app, filter); });
    auto rows = co_await std::move(rows_aw);
    if (!rows.ok()) co_return ErrorResponse(rows.status());
    const bool done = !rows->empty() || std::chrono::steady_clock::now() >= deadline;
    if (done || wait_s == 0) {
      json::array list;
      int64_t cursor = filter.after_seq.value_or(0);
      for (const SyncLogEntry& e : *rows) {
        list.push_back(SyncLogEntryJson(e));
        cursor = std::max(cursor, e.seq);
      }
      json::object body{{"logs", std::move(list)}, {"last_seq", cursor}};
      co_return JsonResponse(http::status::ok, body);
    }
    auto wait_aw = notifier_.Wait(app, seen, deadline);
    const SyncLogNotifier::Outcome outcome = co_await std::move(wait_aw);
    if (outcome == SyncLogNotifier::Outcome::kBusy) {
      co_return ErrorResponse(Status(ErrorCode::kRateLimitExceeded,
                                     "Too many dashboard requests are waiting; retry shortly"));
    }
    // Woken or at the deadline: query once more (the deadline check above ends the loop).
  }
}

asio::awaitable<Response> DashboardApi::Conversations(const AppId& app, const Query& query) {
  AppConversationFilter filter;
  if (const std::string* user = query.Get("user")) filter.participant = UserId(*user);
  if (const std::string* before = query.Get("before")) {
    filter.before = ParseConversationId(*before);
    if (!filter.before) co_return ErrorResponse(Bad("before must be a conversation id"));
  }
  auto limit = IntParam(query, "limit", 20);
  auto messages = IntParam(query, "messages", 10);
  for (const Status& s : {limit.status(), messages.status()}) {
    if (!s.ok()) co_return ErrorResponse(s);
  }
  filter.limit = std::min<size_t>(std::max<int64_t>(*limit, 1), options_.max_page_size);
  const size_t per_conversation = std::min<size_t>(*messages, options_.max_messages);
  auto body_aw =
      RunBlocking(blocking_, [this, app, filter, per_conversation]() -> Result<json::value> {
        auto list = store_.ListAppConversations(app, filter);
        if (!list.ok()) return list.status();
        json::array out;
        for (const Conversation& c : *list) {
          auto msgs = store_.ListAppMessages(app, c.id, per_conversation);
          // Deleted between the two reads: show it without messages.
          if (!msgs.ok() && msgs.status().code() != ErrorCode::kNotFound) return msgs.status();
          out.push_back(DashboardConversationJson(c, msgs.ok() ? *msgs : std::vector<Message>{}));
        }
        return json::value(json::object{{"conversations", std::move(out)}});
      });
  auto body = co_await std::move(body_aw);
  if (!body.ok()) co_return ErrorResponse(body.status());
  co_return JsonResponse(http::status::ok, *body);
}

}  // namespace relayer::server
