// s3, density and catch-up: N idle users, each in a one-to-one conversation with one of K
// senders. (a) Setup over REST; (b) N authenticated sockets held idle: server RSS per
// connection; (c) all N disconnect; (d) the senders put M messages into every conversation over
// pipelined WebSockets; (e) all N reconnect, each asking Event.replay from the last server
// timestamp it knew, as the Web SDK does: the time until every client holds its M messages.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <map>

#include "async_util.h"
#include "histogram.h"
#include "idle_hold.h"
#include "layer_packets.h"
#include "login.h"
#include "report.h"
#include "request_socket.h"
#include "scenarios.h"
#include "socket_pool.h"
#include "users.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

enum class Phase { kSetup, kIdle, kSend, kReplay, kDone };

struct Client {                // one idle user
  std::string conversation;    // layer:///conversations/UUID
  std::string last_timestamp;  // of the last packet its socket received; "" if none
  std::vector<uint64_t> seen;  // hashes of the message ids replayed to it
  uint32_t acked = 0;          // messages the server accepted into its conversation
  bool synced = false;
};

struct Run {
  const S3Options* o = nullptr;
  Target target;
  UserSessions sessions;  // idle_i at i < N, then s3_sender_k at N + k
  std::vector<Client> clients;
  std::unique_ptr<SocketPool> pool;
  std::vector<std::unique_ptr<RequestSocket>> senders;
  std::vector<asio::ip::address> sender_locals;
  Phase phase = Phase::kSetup;
  std::string setup_error;   // the first thing that failed while setting up
  bool cannot_send = false;  // the senders or the clock probe failed: no (d), (e)
  std::string replay_from;   // T: the server's clock just before the disconnect

  double create_seconds = 0;
  size_t conversations = 0;
  IdleHold idle;
  long rss_replayed_kb = -1;
  long server_fds_base = -1, server_fds_after_close = -1;
  double disconnect_seconds = 0;

  uint64_t sent = 0, acked = 0, send_errors = 0;
  std::map<std::string, uint64_t> send_error_kinds;
  double send_seconds = 0;
  CpuMeter send_cpu{-1}, replay_cpu{-1};

  Clock::time_point reconnect_start;
  size_t expected = 0, synced = 0;
  uint64_t replayed = 0, duplicates = 0, foreign = 0, other_changes = 0, bad_packets = 0;
  uint64_t replay_answers = 0, replay_errors = 0;
  std::map<std::string, uint64_t> replay_error_kinds;
  Histogram client_sync;  // its own connect → it holds all its messages
  Histogram since_start;  // reconnect phase start → in sync
  int64_t last_sync_ns = 0;
  double replay_seconds = 0;
};

long CountFds(long pid) {
  if (pid <= 0) return -1;
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    n++;
  return ec ? -1 : n;
}

std::string ErrorText(const json::value& packet) {
  auto message = Str(Path(packet, {"body", "data", "message"}));
  return message.empty() ? "error response" : std::string(message.substr(0, 120));
}

// ---- (a) setup ---------------------------------------------------------------------------------

asio::awaitable<void> CreateOne(Run* run, size_t worker, size_t i) {
  const size_t n = run->clients.size();
  const size_t sender = n + i % run->senders.size();
  const std::string& token = run->sessions.tokens[sender];
  if (token.empty() || run->sessions.tokens[i].empty()) co_return;
  auto aw = CreateConversation(*run->sessions.clients[worker], token, run->sessions.users[i]);
  ConversationResult r = co_await std::move(aw);
  if (r.id.empty() && run->setup_error.empty()) run->setup_error = r.error;
  if (!r.id.empty()) run->conversations++;
  run->clients[i].conversation = r.id;
}

// ---- (d) the senders ---------------------------------------------------------------------------

void OnSenderPacket(Run* run, size_t k, std::string_view text) {
  boost::system::error_code ec;
  json::value packet = json::parse(text, ec);
  if (ec) {
    run->bad_packets++;
    return;
  }
  if (!Is(Path(packet, {"type"}), "response")) return;  // echoes of its own messages
  RequestSocket& s = *run->senders[k];
  s.Answered();
  const auto request_id = Str(Path(packet, {"body", "request_id"}));
  if (request_id == "t") {  // the clock probe
    run->replay_from = std::string(Str(Path(packet, {"timestamp"})));
    return;
  }
  const bool ok = Path(packet, {"body", "success"}) &&
                  Path(packet, {"body", "success"})->is_bool() &&
                  Path(packet, {"body", "success"})->as_bool();
  if (!ok) {
    run->send_errors++;
    run->send_error_kinds[ErrorText(packet)]++;
    return;
  }
  if (request_id.size() < 2 || request_id[0] != 'c') return;
  const size_t i = static_cast<size_t>(std::atoll(std::string(request_id.substr(1)).c_str()));
  if (i >= run->clients.size()) return;  // request_id "c<client>.<m>"
  run->clients[i].acked++;
  run->acked++;
}

asio::awaitable<void> OpenSender(Run* run, size_t worker, size_t k) {
  (void)worker;
  const size_t n = run->clients.size();
  RequestSocket& s = *run->senders[k];
  s.on_packet = [run, k](std::string_view text) { OnSenderPacket(run, k, text); };
  auto aw = s.Open(&run->target, run->sender_locals[k], &run->sessions.tokens[n + k]);
  boost::system::error_code ec = co_await std::move(aw);
  if (!ec) co_return;
  run->cannot_send = true;
  if (run->setup_error.empty()) run->setup_error = "sender socket: " + ec.message();
}

// Message m to every client of sender k, m = 0..M-1 (so conversations fill evenly).
asio::awaitable<void> SendAll(Run* run, size_t worker, size_t k) {
  (void)worker;
  RequestSocket& s = *run->senders[k];
  const size_t n = run->clients.size(), senders = run->senders.size();
  const size_t window = static_cast<size_t>(run->o->send_inflight);
  for (int m = 0; m < run->o->messages_each; ++m) {
    for (size_t i = k; i < n; i += senders) {
      if (run->clients[i].conversation.empty()) continue;
      auto room = s.WaitForRoom(window);
      co_await std::move(room);
      if (!s.open()) co_return;
      std::string request_id = "c";
      request_id += std::to_string(i) + "." + std::to_string(m);
      std::string text = "s3 " + std::to_string(m) + " to idle " + std::to_string(i);
      s.Push(MessageCreatePacket(request_id, run->clients[i].conversation, text));
      run->sent++;
    }
  }
  auto drained = s.WaitForRoom(1);
  co_await std::move(drained);
}

// ---- (b), (e) the idle clients -----------------------------------------------------------------

void OnReplayedChange(Run* run, size_t i, const json::value& body) {
  Client& c = run->clients[i];
  if (!Is(Path(body, {"operation"}), "create") || !Is(Path(body, {"object", "type"}), "Message")) {
    run->other_changes++;
    return;
  }
  if (Str(Path(body, {"data", "conversation", "id"})) != c.conversation) {
    run->foreign++;
    return;
  }
  const uint64_t h = std::hash<std::string_view>{}(Str(Path(body, {"object", "id"})));
  if (std::find(c.seen.begin(), c.seen.end(), h) != c.seen.end()) {
    run->duplicates++;
    return;
  }
  c.seen.push_back(h);
  run->replayed++;
  if (c.synced || c.seen.size() < c.acked) return;
  c.synced = true;
  run->synced++;
  const auto now = Clock::now();
  run->client_sync.Record(NanosBetween(run->pool->started(i), now));
  run->last_sync_ns = NanosBetween(run->reconnect_start, now);
  run->since_start.Record(run->last_sync_ns);
}

void OnIdlePacket(Run* run, size_t i, std::string_view text) {
  boost::system::error_code ec;
  json::value packet = json::parse(text, ec);
  if (ec) {
    run->bad_packets++;
    return;
  }
  if (run->phase != Phase::kReplay) {  // before the disconnect: remember the server's clock
    run->clients[i].last_timestamp = std::string(Str(Path(packet, {"timestamp"})));
    return;
  }
  const json::value* body = Path(packet, {"body"});
  if (!body) return;
  if (Is(Path(packet, {"type"}), "change")) {
    OnReplayedChange(run, i, *body);
    return;
  }
  if (!Is(Path(packet, {"type"}), "response")) return;
  run->replay_answers++;
  const json::value* success = Path(*body, {"success"});
  if (!success || !success->is_bool() || !success->as_bool()) {
    run->replay_errors++;
    run->replay_error_kinds[ErrorText(packet)]++;
    return;
  }
  const json::value* data = Path(*body, {"data"});
  if (data && data->is_array()) {  // a batched answer carries the changes itself
    for (const auto& change : data->as_array()) OnReplayedChange(run, i, change);
  }
}

std::string ReplayRequest(Run* run, size_t i) {
  const std::string& own = run->clients[i].last_timestamp;
  json::object data;
  data["from_timestamp"] = own.empty() ? run->replay_from : own;
  return RequestPacket("Event.replay", "replay", "", std::move(data));
}

// ---- the phases --------------------------------------------------------------------------------

asio::awaitable<void> ReportProgress(Run* run) {
  auto next = Clock::now();
  uint64_t last_acked = 0;
  while (run->phase != Phase::kDone) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (run->phase == Phase::kSend) {
      Progress("[s3 send] sent " + std::to_string(run->sent) + " acked " +
               std::to_string(run->acked) + " (" + std::to_string(run->acked - last_acked) +
               "/s) errors " + std::to_string(run->send_errors));
    } else if (run->phase == Phase::kReplay) {
      Progress("[s3 replay] in sync " + std::to_string(run->synced) + "/" +
               std::to_string(run->expected) + " replayed " + std::to_string(run->replayed) +
               " answers " + std::to_string(run->replay_answers) + " open " +
               std::to_string(run->pool->open));
    }
    last_acked = run->acked;
  }
}

asio::awaitable<void> Setup(Run* run) {
  auto login_aw = LoginAll(&run->sessions);
  co_await std::move(login_aw);
  const auto start = Clock::now();
  auto create_aw = ForEach<Run>(run, &CreateOne, run->clients.size(), run->sessions.clients.size());
  co_await std::move(create_aw);
  run->create_seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  Progress("[s3] " + std::to_string(run->conversations) + " conversations in " +
           std::to_string(run->create_seconds) + " s");
  for (auto& client : run->sessions.clients) client->Close();  // every fd goes to the sockets
}

asio::awaitable<void> HoldIdle(Run* run) {
  const long pid = run->o->common.server_pid;
  auto settle = SleepUntil(Clock::now() + std::chrono::seconds(1));
  co_await std::move(settle);
  run->phase = Phase::kIdle;
  run->server_fds_base = CountFds(pid);
  auto hold_aw = OpenAndHoldIdle(run->pool.get(), static_cast<size_t>(run->o->connect_concurrency),
                                 "s3 idle", pid, run->o->hold, &run->idle);
  co_await std::move(hold_aw);
}

// Opens the senders, reads the server's clock through one of them, then drops the idle sockets
// and waits (up to 10 s) until the server has let go of them.
asio::awaitable<void> Disconnect(Run* run) {
  const long pid = run->o->common.server_pid;
  auto open_aw = ForEach<Run>(run, &OpenSender, run->senders.size(), run->senders.size());
  co_await std::move(open_aw);
  if (run->cannot_send) co_return;
  RequestSocket& probe = *run->senders[0];
  probe.Push(RequestPacket("Counter.read", "t", "", json::object()));
  auto answered = probe.WaitForRoom(1);
  co_await std::move(answered);
  if (run->replay_from.empty()) {
    run->cannot_send = true;
    run->setup_error = "no answer to Counter.read";
    co_return;
  }
  const auto start = Clock::now();
  auto close_aw = run->pool->CloseAll();
  co_await std::move(close_aw);
  // Its own fds vary by a few dozen (store readers, WAL): far below N is what matters.
  const long target = run->server_fds_base + static_cast<long>(run->senders.size()) + 64;
  while (pid > 0 && CountFds(pid) > target && Clock::now() - start < std::chrono::seconds(10)) {
    auto aw = SleepUntil(Clock::now() + std::chrono::milliseconds(10));
    co_await std::move(aw);
  }
  if (pid <= 0) {
    auto aw = SleepUntil(Clock::now() + std::chrono::seconds(1));
    co_await std::move(aw);
  }
  run->disconnect_seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  run->server_fds_after_close = CountFds(pid);
  Progress("[s3] disconnected; replay from " + run->replay_from + "; server fds " +
           std::to_string(run->server_fds_after_close));
}

asio::awaitable<void> Send(Run* run) {
  run->phase = Phase::kSend;
  run->send_cpu.Start();
  const auto start = Clock::now();
  auto send_aw = ForEach<Run>(run, &SendAll, run->senders.size(), run->senders.size());
  co_await std::move(send_aw);
  run->send_seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
  run->send_cpu.Stop();
  for (auto& s : run->senders) s->Close();  // their echoes must not compete with the replay
  Progress("[s3] " + std::to_string(run->acked) + " messages accepted in " +
           std::to_string(run->send_seconds) + " s");
}

asio::awaitable<void> Replay(Run* run) {
  const long pid = run->o->common.server_pid;
  for (const auto& c : run->clients) run->expected += c.acked > 0 ? 1 : 0;
  run->phase = Phase::kReplay;
  run->replay_cpu.Start();
  run->reconnect_start = Clock::now();
  const auto deadline =
      run->reconnect_start +
      std::chrono::milliseconds(static_cast<int64_t>(run->o->replay_timeout * 1000));
  SocketPool& pool = *run->pool;
  pool.first_packet = [run](size_t i) { return ReplayRequest(run, i); };
  // Not awaited: the timeout also bounds handshakes that queue behind the replays.
  auto open_aw =
      pool.OpenAll(static_cast<size_t>(run->o->connect_concurrency), "s3 reconnect", pid);
  auto ex = co_await asio::this_coro::executor;
  asio::co_spawn(ex, std::move(open_aw), asio::detached);
  while (run->synced < run->expected && Clock::now() < deadline) {
    auto aw = SleepUntil(Clock::now() + std::chrono::milliseconds(5));
    co_await std::move(aw);
  }
  run->replay_seconds = static_cast<double>(NanosBetween(run->reconnect_start, Clock::now())) / 1e9;
  run->replay_cpu.Stop();
  run->rss_replayed_kb = ReadVmRssKb(pid);
  Progress("[s3] " + std::to_string(run->synced) + "/" + std::to_string(run->expected) +
           " in sync after " + std::to_string(run->replay_seconds) + " s");
}

asio::awaitable<void> Main(Run* run) {
  auto ex = co_await asio::this_coro::executor;
  auto progress = ReportProgress(run);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  auto setup_aw = Setup(run);
  co_await std::move(setup_aw);
  auto idle_aw = HoldIdle(run);
  co_await std::move(idle_aw);
  auto disconnect_aw = Disconnect(run);
  co_await std::move(disconnect_aw);
  if (!run->cannot_send && run->conversations > 0) {
    auto send_aw = Send(run);
    co_await std::move(send_aw);
    auto replay_aw = Replay(run);
    co_await std::move(replay_aw);
  }
  run->phase = Phase::kDone;
  for (auto& s : run->senders) s->Close();
  auto close_aw = run->pool->CloseAll();
  co_await std::move(close_aw);
}

json::object Summary(const Run& run, const S3Options& o) {
  const SocketPool& pool = *run.pool;
  json::object setup;
  setup["logged_in"] = run.sessions.done - run.sessions.failed;
  setup["login_ms"] = static_cast<int64_t>(run.sessions.seconds * 1000);
  setup["login_first_error"] = run.sessions.first_error;
  setup["conversations"] = run.conversations;
  setup["create_ms"] = static_cast<int64_t>(run.create_seconds * 1000);
  setup["first_error"] = run.setup_error;
  json::object idle;
  run.idle.AddTo(idle);
  idle["replay_from"] = run.replay_from;
  idle["disconnect_ms"] = static_cast<int64_t>(run.disconnect_seconds * 1000);
  idle["server_fds_before"] = run.server_fds_base;
  idle["server_fds_after_disconnect"] = run.server_fds_after_close;
  json::object send;
  send["sent"] = run.sent;
  send["acked"] = run.acked;
  send["errors"] = run.send_errors;
  send["error_kinds"] = CountsJson(run.send_error_kinds);
  send["ms"] = static_cast<int64_t>(run.send_seconds * 1000);
  send["messages_per_second"] = static_cast<int64_t>(
      run.send_seconds > 0 ? static_cast<double>(run.acked) / run.send_seconds + 0.5 : 0);
  send["server_cpu_percent"] = run.send_cpu.Json();
  send["server_runqueue_wait_percent"] = run.send_cpu.WaitJson();
  json::object replay;
  replay["reconnected"] = pool.connected;
  replay["reconnect_failed"] = pool.failed;
  replay["fail_kinds"] = CountsJson(pool.fail_kinds);
  replay["reconnect_attempted"] = pool.attempted;
  replay["reconnect_ms"] = static_cast<int64_t>(pool.open_seconds * 1000);  // 0: cut short
  replay["expected"] = run.expected;
  replay["in_sync"] = run.synced;
  replay["not_in_sync"] = run.expected - run.synced;
  replay["all_in_sync_ms"] =
      run.synced == run.expected ? json::value(run.last_sync_ns / 1000000) : json::value(nullptr);
  replay["client_sync"] = LatencyJson(run.client_sync);
  replay["since_reconnect_start"] = LatencyJson(run.since_start);
  replay["replayed"] = run.replayed;
  replay["duplicates"] = run.duplicates;
  replay["other_conversations"] = run.foreign;
  replay["other_changes"] = run.other_changes;
  replay["answers"] = run.replay_answers;
  replay["errors"] = run.replay_errors;
  replay["error_kinds"] = CountsJson(run.replay_error_kinds);
  replay["closed_by_server"] = pool.closed;
  replay["close_kinds"] = CountsJson(pool.close_kinds);
  replay["server_cpu_percent"] = run.replay_cpu.Json();
  replay["server_runqueue_wait_percent"] = run.replay_cpu.WaitJson();
  replay["server_rss_after_kb"] = run.rss_replayed_kb;
  json::object s;
  s["scenario"] = "s3";
  s["url"] = o.common.url;
  s["connections"] = o.connections;
  s["senders"] = o.senders;
  s["messages_each"] = o.messages_each;
  s["hold_seconds"] = Number(o.hold);
  s["replay_timeout_seconds"] = Number(o.replay_timeout);
  s["setup"] = std::move(setup);
  s["idle"] = std::move(idle);
  s["send"] = std::move(send);
  s["replay"] = std::move(replay);
  s["bad_packets"] = run.bad_packets;
  s["machine"] = MachineJson();
  return s;
}

}  // namespace

int RunS3(const S3Options& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  if (auto e = ResolveDevServer(o.common.url, o.common.data_dir, run.target, run.sessions.app_id);
      !e.empty())
    return Progress(e), 2;
  if (o.connections < 1 || o.senders < 1 || o.connections + o.senders > 19500)
    return Progress("--connections + --senders: up to 19500 (20,000 fds per process)"), 2;
  if (o.messages_each < 1 || o.messages_each > 1000) return Progress("--messages-each: 1..1000"), 2;
  if (o.hold < 0 || o.hold > 3600) return Progress("--hold: 0..3600"), 2;
  if (o.send_inflight < 1) return Progress("--send-inflight: at least 1"), 2;
  const long pid = o.common.server_pid;
  if (pid > 0) {
    run.send_cpu = CpuMeter(pid);
    run.replay_cpu = CpuMeter(pid);
  }
  const size_t n = static_cast<size_t>(o.connections), k = static_cast<size_t>(o.senders);
  run.clients.resize(n);
  for (size_t i = 0; i < n; ++i)
    run.sessions.users.push_back(o.common.user_prefix + "idle_" + std::to_string(i));
  for (size_t j = 0; j < k; ++j)
    run.sessions.users.push_back(o.common.user_prefix + "s3_sender_" + std::to_string(j));

  SourceAddresses sources(o.common.source_addresses, n + k);
  run.pool = std::make_unique<SocketPool>(ioc.get_executor(), &run.target, &run.sessions.tokens, n,
                                          &sources);
  run.pool->on_packet = [&run](size_t i, std::string_view text) { OnIdlePacket(&run, i, text); };
  for (size_t j = 0; j < k; ++j) {
    run.senders.push_back(std::make_unique<RequestSocket>(ioc.get_executor()));
    run.sender_locals.push_back(sources.Next());
  }
  for (int i = 0; i < std::max(1, o.common.login_concurrency); ++i) {
    run.sessions.clients.push_back(
        std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  }
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  ioc.run();
  if (run.conversations == 0) return Progress("[s3] setup failed: " + run.setup_error), 1;

  json::object s = Summary(run, o);
  s["source_addresses"] = sources.size();
  char all[32] = "not all";
  if (run.synced == run.expected)
    std::snprintf(all, sizeof all, "%.2f s", static_cast<double>(run.last_sync_ns) / 1e9);
  char row[400];
  std::snprintf(row, sizeof row,
                "| s3 | %zu idle sockets, %d msgs each | %.2f KB per connection | send %.0f "
                "msgs/s | all in sync: %s (client p50 %s p99 %s) | not in sync %zu, dup %lu, "
                "errors %lu |",
                run.idle.held, o.messages_each, run.idle.ServerBytesPerConnection() / 1024.0,
                run.send_seconds > 0 ? static_cast<double>(run.acked) / run.send_seconds : 0.0, all,
                Ms(run.client_sync.Percentile(50)).c_str(),
                Ms(run.client_sync.Percentile(99)).c_str(), run.expected - run.synced,
                static_cast<unsigned long>(run.duplicates),
                static_cast<unsigned long>(run.replay_errors + run.send_errors));
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
