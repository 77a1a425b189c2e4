// ws-idle: logs N users in over REST, opens one authenticated layer-2.0 WebSocket each, leaves
// them idle, and reports how many the server kept open and what they cost it in resident memory.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "async_util.h"
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
  size_t held = 0, closed_during_hold = 0;
  long rss_start_kb = -1, rss_before_kb = -1, rss_connected_kb = -1, rss_after_kb = -1;
  long bench_rss_before_kb = -1, bench_rss_after_kb = -1;
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
  run->rss_before_kb = ReadVmRssKb(pid);
  run->bench_rss_before_kb = ReadVmRssKb(0);
  Progress("[ws-idle] server RSS before the sockets: " + std::to_string(run->rss_before_kb) +
           " kB");

  SocketPool& pool = *run->pool;
  auto open_aw = pool.OpenAll(static_cast<size_t>(run->o->connect_concurrency), "ws-idle", pid);
  co_await std::move(open_aw);
  run->rss_connected_kb = ReadVmRssKb(pid);
  Progress("[ws-idle] " + std::to_string(pool.connected) + " connected in " +
           std::to_string(pool.open_seconds) + " s; holding them idle");

  auto hold = SleepUntil(Clock::now() +
                         std::chrono::milliseconds(static_cast<int64_t>(run->o->hold * 1000)));
  co_await std::move(hold);
  run->rss_after_kb = ReadVmRssKb(pid);
  run->bench_rss_after_kb = ReadVmRssKb(0);
  run->held = pool.open;
  run->closed_during_hold = pool.closed;
  auto close_aw = pool.CloseAll();
  co_await std::move(close_aw);
}

}  // namespace

int RunWsIdle(const WsIdleOptions& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  if (auto e = ParseTarget(o.common.url, run.target); !e.empty()) return Progress(e), 2;
  if (auto e = ReadDevAppId(o.common.data_dir, run.sessions.app_id); !e.empty())
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
  const size_t held = run.held;

  const long grown_kb =
      run.rss_after_kb >= 0 && run.rss_before_kb >= 0 ? run.rss_after_kb - run.rss_before_kb : -1;
  const double per_conn_bytes =
      held && grown_kb >= 0 ? static_cast<double>(grown_kb) * 1024.0 / held : 0;
  const double bench_per_conn =
      held ? static_cast<double>(run.bench_rss_after_kb - run.bench_rss_before_kb) * 1024.0 / held
           : 0;
  json::object s;
  s["scenario"] = "ws-idle";
  s["url"] = o.common.url;
  s["connections"] = o.connections;
  s["hold_seconds"] = Number(o.hold);
  s["logged_in"] = run.sessions.done - run.sessions.failed;
  s["login_ms"] = static_cast<int64_t>(run.sessions.seconds * 1000);
  s["login_first_error"] = run.sessions.first_error;
  s["connected"] = pool.connected;
  s["connect_ms"] = static_cast<int64_t>(pool.open_seconds * 1000);
  s["failed"] = pool.failed;
  s["fail_kinds"] = CountsJson(pool.fail_kinds);
  s["held"] = held;
  s["closed_during_hold"] = run.closed_during_hold;
  s["close_kinds"] = CountsJson(pool.close_kinds);
  s["packets_received"] = pool.packets;
  s["server_pid"] = o.common.server_pid;
  s["server_rss_start_kb"] = run.rss_start_kb;
  s["server_rss_before_kb"] = run.rss_before_kb;
  s["server_rss_connected_kb"] = run.rss_connected_kb;
  s["server_rss_after_kb"] = run.rss_after_kb;
  s["server_bytes_per_connection"] = static_cast<int64_t>(per_conn_bytes + 0.5);
  s["bench_bytes_per_connection"] = static_cast<int64_t>(bench_per_conn + 0.5);
  s["source_addresses"] = sources.size();
  s["machine"] = MachineJson();
  char row[300];
  std::snprintf(row, sizeof row,
                "| ws-idle | %d connections | %zu held after %.0f s | server RSS %.1f → %.1f MB | "
                "%.1f KB per connection |",
                o.connections, held, o.hold, static_cast<double>(run.rss_before_kb) / 1024.0,
                static_cast<double>(run.rss_after_kb) / 1024.0, per_conn_bytes / 1024.0);
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
