// ws-idle: logs N users in over REST, opens one authenticated layer-2.0 WebSocket each, leaves
// them idle, and reports how many the server kept open and what they cost it in resident memory.
#include <boost/asio/io_context.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <map>

#include "async_util.h"
#include "login.h"
#include "report.h"
#include "scenarios.h"
#include "users.h"
#include "ws_client.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;

namespace {

struct Conn {
  explicit Conn(asio::any_io_executor ex) : ws(std::move(ex)) {}
  WsStream ws;
  beast::flat_buffer buffer;
  asio::ip::address local;
  bool open = false;
};

struct Run {
  const WsIdleOptions* o = nullptr;
  Target target;
  UserSessions sessions;
  std::vector<std::unique_ptr<Conn>> conns;
  size_t attempted = 0, connected = 0, failed = 0, open = 0, closed = 0, packets = 0;
  std::map<std::string, uint64_t> fail_kinds, close_kinds;
  long rss_start_kb = -1, rss_before_kb = -1, rss_connected_kb = -1, rss_after_kb = -1;
  long bench_rss_before_kb = -1, bench_rss_after_kb = -1;
  double connect_seconds = 0;
  bool closing = false;
  bool progress_done = false;
};

asio::awaitable<void> ReadLoop(Run* run, Conn* c) {
  boost::system::error_code ec;
  for (;;) {
    auto aw = c->ws.async_read(c->buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
    if (ec) break;
    run->packets++;
    c->buffer.consume(c->buffer.size());
  }
  c->open = false;
  run->open--;
  if (run->closing) co_return;
  run->closed++;
  std::string why = ec.message();
  if (ec == beast::websocket::error::closed) {
    why = "closed by server: " + std::to_string(c->ws.reason().code) + " " +
          std::string(c->ws.reason().reason.data(), c->ws.reason().reason.size());
  }
  run->close_kinds[why]++;
}

asio::awaitable<void> OpenOne(Run* run, size_t worker, size_t i) {
  (void)worker;
  run->attempted++;
  if (run->sessions.tokens[i].empty()) {
    run->failed++;
    run->fail_kinds["login failed"]++;
    co_return;
  }
  Conn* c = run->conns[i].get();
  auto aw = OpenLayerSocket(c->ws, run->target, c->local, run->sessions.tokens[i]);
  boost::system::error_code ec = co_await std::move(aw);
  if (ec) {
    run->failed++;
    run->fail_kinds[ec.message()]++;
    boost::system::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().close(ignored);
    co_return;
  }
  c->open = true;
  run->connected++;
  run->open++;
  auto read = ReadLoop(run, c);
  asio::co_spawn(c->ws.get_executor(), std::move(read), asio::detached);
}

asio::awaitable<void> ReportProgress(Run* run) {
  auto next = Clock::now();
  while (!run->progress_done) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (run->progress_done) break;
    Progress("[ws-idle] attempted " + std::to_string(run->attempted) + " connected " +
             std::to_string(run->connected) + " failed " + std::to_string(run->failed) + " open " +
             std::to_string(run->open) + " server RSS " +
             std::to_string(ReadVmRssKb(run->o->common.server_pid)) + " kB");
  }
}

asio::awaitable<void> Main(Run* run) {
  auto ex = co_await asio::this_coro::executor;
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

  auto progress = ReportProgress(run);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  const auto start = Clock::now();
  auto open_aw = ForEach<Run>(run, &OpenOne, run->conns.size(),
                              static_cast<size_t>(run->o->connect_concurrency));
  co_await std::move(open_aw);
  run->connect_seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  run->rss_connected_kb = ReadVmRssKb(pid);
  Progress("[ws-idle] " + std::to_string(run->connected) + " connected in " +
           std::to_string(run->connect_seconds) + " s; holding them idle");

  auto hold = SleepUntil(Clock::now() +
                         std::chrono::milliseconds(static_cast<int64_t>(run->o->hold * 1000)));
  co_await std::move(hold);
  run->progress_done = true;
  run->rss_after_kb = ReadVmRssKb(pid);
  run->bench_rss_after_kb = ReadVmRssKb(0);
  run->closing = true;  // RunWsIdle counts, then closes them all
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
  for (size_t i = 0; i < n; ++i) {
    run.sessions.users.push_back(o.common.user_prefix + "idle_" + std::to_string(i));
    auto c = std::make_unique<Conn>(ioc.get_executor());
    c->local = sources.Next();
    run.conns.push_back(std::move(c));
  }
  for (int i = 0; i < std::max(1, o.common.login_concurrency); ++i) {
    run.sessions.clients.push_back(
        std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  }
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  // Run until the hold is over, then count before tearing the sockets down.
  while (!run.closing && ioc.run_one() > 0) {
  }
  const size_t held = run.open;
  const size_t closed_during_hold = run.closed;
  for (auto& c : run.conns) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().close(ignored);
  }
  ioc.run_for(std::chrono::seconds(5));

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
  s["connected"] = run.connected;
  s["connect_ms"] = static_cast<int64_t>(run.connect_seconds * 1000);
  s["failed"] = run.failed;
  s["fail_kinds"] = CountsJson(run.fail_kinds);
  s["held"] = held;
  s["closed_during_hold"] = closed_during_hold;
  s["close_kinds"] = CountsJson(run.close_kinds);
  s["packets_received"] = run.packets;
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
