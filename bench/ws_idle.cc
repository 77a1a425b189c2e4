// ws-idle: logs N users in over REST, opens one authenticated layer-2.0 WebSocket each, leaves
// them idle, and reports how many the server kept open and what they cost it in resident memory.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "async_util.h"
#include "idle_hold.h"
#include "login.h"
#include "report.h"
#include "scenarios.h"
#include "socket_pool.h"
#include "users.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Run {
  const WsIdleOptions* o = nullptr;
  Target target;
  UserSessions sessions;
  std::unique_ptr<SocketPool> pool;
  long rss_start_kb = -1;
  IdleHold idle;
};

asio::awaitable<void> Main(Run* run) {
  const long pid = run->o->common.server_pid;
  run->rss_start_kb = ReadVmRssKb(pid);
  auto login_aw = LoginAll(&run->sessions);
  co_await std::move(login_aw);
  for (auto& client : run->sessions.clients) client->Close();  // every fd goes to the sockets
  run->sessions.clients.clear();

  auto settle = SleepUntil(Clock::now() + std::chrono::seconds(1));
  co_await std::move(settle);
  SocketPool& pool = *run->pool;
  auto hold_aw = OpenAndHoldIdle(&pool, static_cast<size_t>(run->o->connect_concurrency), "ws-idle",
                                 pid, run->o->hold, &run->idle);
  co_await std::move(hold_aw);
  auto close_aw = pool.CloseAll();
  co_await std::move(close_aw);
}

}  // namespace

int RunWsIdle(const WsIdleOptions& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  if (auto e = ResolveDevServer(o.common.url, o.common.data_dir, run.target, run.sessions.app_id);
      !e.empty())
    return Progress(e), 2;
  if (o.connections < 1 || o.connections > 19500)
    return Progress("--connections: 1..19500 (20,000 fds per process)"), 2;
  if (o.hold < 0 || o.hold > 3600) return Progress("--hold: 0..3600"), 2;
  const size_t n = static_cast<size_t>(o.connections);

  SourceAddresses sources(o.common.source_addresses, n);
  for (size_t i = 0; i < n; ++i)
    run.sessions.users.push_back(o.common.user_prefix + "idle_" + std::to_string(i));
  run.pool = std::make_unique<SocketPool>(ioc.get_executor(), &run.target, &run.sessions.tokens, n,
                                          &sources);
  for (int i = 0; i < std::max(1, o.common.login_concurrency); ++i) {
    run.sessions.clients.push_back(
        std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  }
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  ioc.run();
  const SocketPool& pool = *run.pool;
  const IdleHold& idle = run.idle;
  json::object s;
  s["scenario"] = "ws-idle";
  s["url"] = o.common.url;
  s["connections"] = o.connections;
  s["hold_seconds"] = Number(o.hold);
  s["logged_in"] = run.sessions.done - run.sessions.failed;
  s["login_ms"] = static_cast<int64_t>(run.sessions.seconds * 1000);
  s["login_first_error"] = run.sessions.first_error;
  idle.AddTo(s);
  s["fail_kinds"] = CountsJson(pool.fail_kinds);
  s["close_kinds"] = CountsJson(pool.close_kinds);
  s["packets_received"] = pool.packets;
  s["server_pid"] = o.common.server_pid;
  s["server_rss_start_kb"] = run.rss_start_kb;
  s["source_addresses"] = sources.size();
  s["machine"] = MachineJson();
  char row[300];
  std::snprintf(
      row, sizeof row,
      "| ws-idle | %d connections | %zu held after %.0f s | server RSS %.1f → %.1f MB | "
      "%.1f KB per connection |",
      o.connections, idle.held, o.hold, static_cast<double>(idle.server_before_kb) / 1024.0,
      static_cast<double>(idle.server_after_kb) / 1024.0, idle.ServerBytesPerConnection() / 1024.0);
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
