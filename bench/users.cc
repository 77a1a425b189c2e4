#include "users.h"

#include "async_util.h"
#include "login.h"
#include "report.h"

namespace relayer::bench {

namespace {

boost::asio::awaitable<void> LoginOne(UserSessions* s, size_t worker, size_t index) {
  auto aw = Login(*s->clients[worker], s->app_id, s->users[index]);
  LoginResult r = co_await std::move(aw);
  s->tokens[index] = r.session_token;
  s->done++;
  if (r.session_token.empty()) {
    s->failed++;
    if (s->first_error.empty()) s->first_error = s->users[index] + ": " + r.error;
  }
}

boost::asio::awaitable<void> ReportProgress(UserSessions* s) {
  auto next = Clock::now();
  while (!s->finished) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (s->finished) break;
    Progress("[login] " + std::to_string(s->done) + "/" + std::to_string(s->users.size()) +
             " users, " + std::to_string(s->failed) + " failed");
  }
}

}  // namespace

boost::asio::awaitable<void> LoginAll(UserSessions* s) {
  auto ex = co_await boost::asio::this_coro::executor;
  const auto start = Clock::now();
  s->tokens.assign(s->users.size(), "");
  s->finished = false;
  auto progress = ReportProgress(s);
  boost::asio::co_spawn(ex, std::move(progress), boost::asio::detached);
  auto all = ForEach<UserSessions>(s, &LoginOne, s->users.size(), s->clients.size());
  co_await std::move(all);
  s->finished = true;
  s->seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  Progress("[login] " + std::to_string(s->done - s->failed) + "/" +
           std::to_string(s->users.size()) + " users logged in in " + std::to_string(s->seconds) +
           " s" + (s->first_error.empty() ? "" : "; first failure: " + s->first_error));
}

}  // namespace relayer::bench
