// http-send: N kept-alive connections, each a user posting to its own conversation as fast as
// the answers come back (closed loop). Reports messages/s and request latency.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <map>

#include "async_util.h"
#include "histogram.h"
#include "login.h"
#include "report.h"
#include "scenarios.h"
#include "users.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Run {
  const HttpSendOptions* o = nullptr;
  Target target;
  UserSessions sessions;           // alice_i at i, bob_i at N + i
  std::vector<std::string> paths;  // POST targets, one per connection
  std::string setup_error;
  Clock::time_point window_start, window_end;
  Histogram latency;   // requests that completed inside the window
  Histogram interval;  // since the last progress line
  uint64_t completed_in_window = 0;
  uint64_t completed = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> error_kinds;
  bool finished = false;
  CpuMeter server_cpu{0}, bench_cpu{0};
};

std::string MessageBody(size_t connection, uint64_t n, int body_bytes) {
  json::object meta;
  meta["connection"] = connection;
  meta["n"] = n;
  std::string meta_text = json::serialize(meta);
  std::string text = "http-send " + std::to_string(connection) + "/" + std::to_string(n) + " ";
  const size_t want = body_bytes > static_cast<int>(meta_text.size())
                          ? static_cast<size_t>(body_bytes) - meta_text.size()
                          : 1;
  if (text.size() < want) text.append(want - text.size(), 'x');
  json::array parts;
  parts.push_back(json::object{{"mime_type", "text/plain"}, {"body", text}});
  parts.push_back(json::object{{"mime_type", "application/json"}, {"body", meta_text}});
  json::object body;
  body["parts"] = std::move(parts);
  return json::serialize(body);
}

asio::awaitable<void> CreateOne(Run* run, size_t worker, size_t i) {
  const size_t n = run->paths.size();
  const std::string& token = run->sessions.tokens[i];
  if (token.empty() || run->sessions.tokens[n + i].empty()) co_return;
  auto aw = CreateConversation(*run->sessions.clients[worker], token, run->sessions.users[n + i]);
  ConversationResult r = co_await std::move(aw);
  if (r.id.empty()) {
    if (run->setup_error.empty()) run->setup_error = r.error;
    co_return;
  }
  run->paths[i] = "/conversations/" + Uuid(r.id) + "/messages";
}

asio::awaitable<void> Send(Run* run, size_t worker, size_t i) {
  (void)worker;
  HttpClient& client = *run->sessions.clients[i];
  HttpRequest req{boost::beast::http::verb::post, run->paths[i], "", run->sessions.tokens[i]};
  for (uint64_t n = 0;; ++n) {
    req.body = MessageBody(i, n, run->o->body_bytes);
    const auto start = Clock::now();
    auto aw = client.Send(req);
    HttpResult res = co_await std::move(aw);
    const auto end = Clock::now();
    const bool in_window = end >= run->window_start && end <= run->window_end;
    if (res.status == 201) {
      run->completed++;
      run->interval.Record(NanosBetween(start, end));
      if (in_window) {
        run->completed_in_window++;
        run->latency.Record(NanosBetween(start, end));
      }
    } else {
      run->errors++;
      run->error_kinds[res.Describe().substr(0, 120)]++;
      if (res.ec) {  // the server is gone or refusing: do not spin
        auto pause = SleepUntil(end + std::chrono::milliseconds(50));
        co_await std::move(pause);
      }
    }
    if (end >= run->window_end) break;
  }
}

asio::awaitable<void> ReportProgress(Run* run) {
  const auto start = Clock::now();
  auto next = start;
  uint64_t last_completed = 0;
  while (!run->finished) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (run->finished) break;
    char line[200];
    std::snprintf(line, sizeof line, "[http-send] t=%.0fs %lu msgs/s p50 %s p99 %s errors %lu",
                  static_cast<double>(NanosBetween(start, Clock::now())) / 1e9,
                  static_cast<unsigned long>(run->completed - last_completed),
                  Ms(run->interval.Percentile(50)).c_str(),
                  Ms(run->interval.Percentile(99)).c_str(),
                  static_cast<unsigned long>(run->errors));
    Progress(line);
    last_completed = run->completed;
    run->interval.Reset();
  }
}

asio::awaitable<void> Main(Run* run) {
  auto ex = co_await asio::this_coro::executor;
  const size_t n = static_cast<size_t>(run->o->connections);
  auto login_aw = LoginAll(&run->sessions);
  co_await std::move(login_aw);
  if (run->sessions.failed) {
    run->setup_error = "login failed: " + run->sessions.first_error;
    co_return;
  }
  auto create_aw = ForEach<Run>(run, &CreateOne, n, n);
  co_await std::move(create_aw);
  for (const auto& p : run->paths) {
    if (p.empty()) {
      if (run->setup_error.empty()) run->setup_error = "a conversation could not be created";
      co_return;
    }
  }
  Progress("[http-send] " + std::to_string(n) + " conversations ready; sending");
  const auto now = Clock::now();
  run->window_start = now + std::chrono::milliseconds(static_cast<int64_t>(run->o->warmup * 1000));
  run->window_end =
      run->window_start + std::chrono::milliseconds(static_cast<int64_t>(run->o->seconds * 1000));
  auto progress = ReportProgress(run);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  run->server_cpu.Start();
  run->bench_cpu.Start();
  auto send_aw = ForEach<Run>(run, &Send, n, n);
  co_await std::move(send_aw);
  run->server_cpu.Stop();
  run->bench_cpu.Stop();
  run->finished = true;
}

}  // namespace

int RunHttpSend(const HttpSendOptions& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  run.server_cpu = CpuMeter(o.common.server_pid > 0 ? o.common.server_pid : -1);
  if (auto e = ResolveDevServer(o.common.url, o.common.data_dir, run.target, run.sessions.app_id);
      !e.empty())
    return Progress(e), 2;
  if (o.connections < 1 || o.connections > 5000) return Progress("--connections: 1..5000"), 2;
  const size_t n = static_cast<size_t>(o.connections);
  for (size_t i = 0; i < n; ++i)
    run.sessions.users.push_back(o.common.user_prefix + "alice_" + std::to_string(i));
  for (size_t i = 0; i < n; ++i)
    run.sessions.users.push_back(o.common.user_prefix + "bob_" + std::to_string(i));
  run.paths.assign(n, "");

  SourceAddresses sources(o.common.source_addresses, n);
  for (size_t i = 0; i < n; ++i) {
    run.sessions.clients.push_back(
        std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  }
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  ioc.run();
  if (!run.setup_error.empty()) return Progress("[http-send] setup failed: " + run.setup_error), 1;

  const double rate = static_cast<double>(run.completed_in_window) / o.seconds;
  json::object s;
  s["scenario"] = "http-send";
  s["url"] = o.common.url;
  s["connections"] = o.connections;
  s["seconds"] = Number(o.seconds);
  s["warmup_seconds"] = Number(o.warmup);
  s["body_bytes"] = o.body_bytes;
  s["messages"] = run.completed_in_window;
  s["messages_per_second"] = static_cast<int64_t>(rate + 0.5);
  s["latency"] = LatencyJson(run.latency);
  s["errors"] = run.errors;
  s["error_kinds"] = CountsJson(run.error_kinds);
  s["server_cpu_percent"] = run.server_cpu.Json();
  s["bench_cpu_percent"] = run.bench_cpu.Json();
  s["server_runqueue_wait_percent"] = run.server_cpu.WaitJson();
  s["bench_runqueue_wait_percent"] = run.bench_cpu.WaitJson();
  s["server_rss_kb"] = o.common.server_pid > 0 ? ReadVmRssKb(o.common.server_pid) : -1;
  s["login_ms"] = static_cast<int64_t>(run.sessions.seconds * 1000);
  s["source_addresses"] = sources.size();
  s["machine"] = MachineJson();
  char row[300];
  std::snprintf(
      row, sizeof row,
      "| http-send | %d connections, closed loop | %.0f msgs/s | p50 %s | p99 %s | %lu errors |",
      o.connections, rate, Ms(run.latency.Percentile(50)).c_str(),
      Ms(run.latency.Percentile(99)).c_str(), static_cast<unsigned long>(run.errors));
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
