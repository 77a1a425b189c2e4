#include "server/platform/dedup.h"

#include <spdlog/spdlog.h>

namespace relayer::server {

namespace asio = boost::asio;

Result<std::optional<std::string>> DedupKeyFrom(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return std::optional<std::string>();
  if (header.substr(0, 2) == "W/") header.remove_prefix(2);
  if (header.size() >= 2 && header.front() == '"' && header.back() == '"') {
    header = header.substr(1, header.size() - 2);
  }
  auto uuid = CanonicalUuid(header);
  if (!uuid) {
    return Status(ErrorCode::kInvalidHeader, "If-None-Match must be a UUID");
  }
  return std::optional<std::string>(*uuid);
}

namespace {

// Holds a key in PlatformContext::dedup_in_flight for its lifetime.
class InFlight {
 public:
  InFlight(PlatformContext& ctx, std::pair<AppId, std::string> key) : ctx_(ctx), key_(key) {
    std::lock_guard lock(ctx_.dedup_mu);
    held_ = ctx_.dedup_in_flight.insert(key_).second;
  }
  ~InFlight() {
    if (!held_) return;
    std::lock_guard lock(ctx_.dedup_mu);
    ctx_.dedup_in_flight.erase(key_);
  }
  bool held() const { return held_; }

 private:
  PlatformContext& ctx_;
  std::pair<AppId, std::string> key_;
  bool held_ = false;
};

}  // namespace

asio::awaitable<Response> RunDeduplicated(PlatformContext& ctx, PlatformCall& call,
                                          const std::string& key, const PlatformHandler& handler) {
  InFlight in_flight(ctx, {call.app_id(), key});
  if (!in_flight.held()) {
    co_return ErrorResponse(
        Status(ErrorCode::kConflict, "A request with this If-None-Match is still running; retry"));
  }
  const TimeMs now = ctx.clock();
  auto found_aw = RunBlocking(ctx.blocking, [&ctx, app = call.app_id(), key, now] {
    return ctx.store.FindDedup(app, key, now);
  });
  auto found = co_await std::move(found_aw);
  if (!found.ok()) co_return ErrorResponse(found.status());
  if (*found) {
    Response res{static_cast<http::status>((*found)->status), 11};
    if (!(*found)->body.empty()) {
      res.set(http::field::content_type, "application/json; charset=utf-8");
      res.body() = std::move((*found)->body);
    }
    co_return res;
  }
  auto run_aw = handler(ctx, call);
  Response res = co_await std::move(run_aw);
  const int status = static_cast<int>(res.result_int());
  if (status < 200 || status >= 300) co_return res;
  RememberDedupOp op;
  op.app_id = call.app_id();
  op.key = key;
  op.status = status;
  op.body = res.body();
  op.now = ctx.clock();
  op.expires_at = op.now + ctx.options.dedup_ttl_ms;
  auto remembered_aw = Write(ctx.store, std::move(op));
  auto remembered = co_await std::move(remembered_aw);
  // The create itself succeeded; a lost key only means a retry could create again.
  if (!remembered.status.ok()) {
    spdlog::warn("platform: could not remember If-None-Match {}: {}", key,
                 remembered.status.message());
  }
  co_return res;
}

}  // namespace relayer::server
