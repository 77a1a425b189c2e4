// ws-latency: pairs of WebSocket clients (a sender and a recipient per pair, each its own user,
// one conversation per pair). Messages are scheduled by the clock at a fixed total rate (open
// loop) and each is timed from its *scheduled* send time, so a stalled server cannot hide its
// backlog (no coordinated omission). Every message carries its sequence number; the recipient's
// change packet gives the delivery latency, the sender's response the ack latency.
#include <boost/asio/io_context.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <deque>
#include <map>

#include "async_util.h"
#include "histogram.h"
#include "layer_packets.h"
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

struct Client {
  explicit Client(asio::any_io_executor ex) : ws(std::move(ex)) {}
  WsStream ws;
  beast::flat_buffer buffer;
  std::deque<std::string> out;  // packets waiting for the one write in flight
  bool writing = false;
  bool open = false;
  bool sender = false;
  size_t pair = 0;
  asio::ip::address local;
};

struct Run {
  const WsLatencyOptions* o = nullptr;
  Target target;
  UserSessions sessions;  // sender_i at 2i, recipient_i at 2i+1
  std::vector<std::string> conversations;
  std::vector<std::unique_ptr<Client>> clients;  // same order as the users
  std::string setup_error;
  size_t sockets_failed = 0;

  uint64_t total = 0;  // messages to schedule
  Clock::time_point t0;
  int64_t warmup_ns = 0;
  std::vector<int64_t> scheduled;  // per sequence number, ns after t0
  std::vector<uint8_t> sent, acked, received;
  std::vector<int64_t> last_seq;  // per pair, for reordering
  uint64_t sent_count = 0, not_sent = 0, acks = 0, nacks = 0, received_distinct = 0;
  uint64_t duplicates = 0, duplicate_acks = 0, misrouted = 0, reordered = 0, echoes = 0;
  uint64_t sockets_closed = 0, bad_packets = 0;
  int64_t max_send_lag_ns = 0;
  std::map<std::string, uint64_t> error_kinds, close_kinds;
  Histogram delivery, ack, interval;
  bool sending_done = false;
  bool closing = false;
  bool setup_failed = false;
  CpuMeter server_cpu{0}, bench_cpu{0};
};

std::string RequestPacket(const Run& run, uint64_t seq) {
  const size_t pair = seq % run.conversations.size();
  std::string text = "seq=" + std::to_string(seq) + " pair=" + std::to_string(pair) + " ";
  if (text.size() < static_cast<size_t>(run.o->body_bytes))
    text.append(run.o->body_bytes - text.size(), 'x');
  json::object part{{"mime_type", "text/plain"}, {"body", text}};
  json::object data;
  data["parts"] = json::array{part};
  json::object body;
  body["method"] = "Message.create";
  std::string request_id = "r";
  request_id += std::to_string(seq);  // not "r" + ...: g++ 12 warns falsely (stringop-overflow)
  body["request_id"] = request_id;
  body["object_id"] = run.conversations[pair];
  body["data"] = std::move(data);
  json::object packet;
  packet["type"] = "request";
  packet["body"] = std::move(body);
  return json::serialize(packet);
}

void MarkClosed(Run* run, Client& c, const std::string& why) {
  if (!c.open) return;
  c.open = false;
  if (run->closing) return;
  run->sockets_closed++;
  run->close_kinds[why]++;
}

void WriteNext(Run* run, Client& c) {
  if (c.out.empty() || !c.open) {
    c.writing = false;
    return;
  }
  c.writing = true;
  c.ws.async_write(asio::buffer(c.out.front()), [run, &c](boost::system::error_code ec, size_t) {
    c.out.pop_front();
    if (ec) {
      c.writing = false;
      MarkClosed(run, c, "write: " + ec.message());
      return;
    }
    WriteNext(run, c);
  });
}

void Push(Run* run, Client& c, std::string packet) {
  c.out.push_back(std::move(packet));
  if (!c.writing) WriteNext(run, c);
}

void OnResponse(Run* run, const json::value& packet, Clock::time_point now) {
  const json::value* request_id = Path(packet, {"body", "request_id"});
  if (!request_id || !request_id->is_string() || request_id->as_string().empty()) return;
  const int64_t seq = std::atoll(request_id->as_string().c_str() + 1);
  if (seq < 0 || static_cast<uint64_t>(seq) >= run->total || !run->sent[seq]) return;
  if (run->acked[seq]) {
    run->duplicate_acks++;
    return;
  }
  run->acked[seq] = 1;
  const json::value* success = Path(packet, {"body", "success"});
  if (!success || !success->is_bool() || !success->as_bool()) {
    run->nacks++;
    const json::value* message = Path(packet, {"body", "data", "message"});
    run->error_kinds[message && message->is_string()
                         ? std::string(message->as_string()).substr(0, 120)
                         : "error response"]++;
    return;
  }
  run->acks++;
  if (run->scheduled[seq] >= run->warmup_ns)
    run->ack.Record(NanosBetween(run->t0, now) - run->scheduled[seq]);
}

void OnMessageCreated(Run* run, Client& c, const json::value& packet, Clock::time_point now) {
  const json::value* parts = Path(packet, {"body", "data", "parts"});
  if (!parts || !parts->is_array() || parts->as_array().empty()) return;
  const json::value* body = Path(parts->as_array()[0], {"body"});
  if (!body || !body->is_string()) return;
  const int64_t seq = SeqOf(body->as_string());
  if (seq < 0 || static_cast<uint64_t>(seq) >= run->total) return;
  if (c.sender) {
    run->echoes++;  // the sender's own devices hear of its message too
    return;
  }
  if (static_cast<size_t>(seq) % run->conversations.size() != c.pair) {
    run->misrouted++;
    return;
  }
  if (run->received[seq]++) {
    run->duplicates++;
    return;
  }
  run->received_distinct++;
  if (seq < run->last_seq[c.pair]) run->reordered++;
  run->last_seq[c.pair] = std::max(run->last_seq[c.pair], seq);
  const int64_t latency = NanosBetween(run->t0, now) - run->scheduled[seq];
  run->interval.Record(latency);
  if (run->scheduled[seq] >= run->warmup_ns) run->delivery.Record(latency);
}

void OnPacket(Run* run, Client& c, std::string_view text, Clock::time_point now) {
  boost::system::error_code ec;
  json::value packet = json::parse(text, ec);
  if (ec || !packet.is_object()) {
    run->bad_packets++;
    return;
  }
  const json::value* type = Path(packet, {"type"});
  if (Is(type, "response")) {
    if (c.sender) OnResponse(run, packet, now);
  } else if (Is(type, "change")) {
    if (Is(Path(packet, {"body", "operation"}), "create") &&
        Is(Path(packet, {"body", "object", "type"}), "Message")) {
      OnMessageCreated(run, c, packet, now);
    }
  }
}

asio::awaitable<void> ReadLoop(Run* run, Client* c) {
  boost::system::error_code ec;
  for (;;) {
    auto aw = c->ws.async_read(c->buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
    if (ec) break;
    const auto now = Clock::now();
    const auto data = c->buffer.cdata();
    OnPacket(run, *c, std::string_view(static_cast<const char*>(data.data()), data.size()), now);
    c->buffer.consume(c->buffer.size());
  }
  std::string why = "read: " + ec.message();
  if (ec == beast::websocket::error::closed) {
    why = "closed by server: " + std::to_string(c->ws.reason().code) + " " +
          std::string(c->ws.reason().reason.data(), c->ws.reason().reason.size());
  }
  MarkClosed(run, *c, why);
}

asio::awaitable<void> OpenOne(Run* run, size_t worker, size_t i) {
  (void)worker;
  Client* c = run->clients[i].get();
  if (run->sessions.tokens[i].empty() || run->conversations[c->pair].empty()) {
    run->sockets_failed++;
    co_return;
  }
  auto aw = OpenLayerSocket(c->ws, run->target, c->local, run->sessions.tokens[i]);
  boost::system::error_code ec = co_await std::move(aw);
  if (ec) {
    run->sockets_failed++;
    if (run->setup_error.empty()) run->setup_error = "WebSocket: " + ec.message();
    co_return;
  }
  c->open = true;
  auto read = ReadLoop(run, c);
  asio::co_spawn(c->ws.get_executor(), std::move(read), asio::detached);
}

asio::awaitable<void> CreateOne(Run* run, size_t worker, size_t pair) {
  const std::string& token = run->sessions.tokens[2 * pair];
  if (token.empty() || run->sessions.tokens[2 * pair + 1].empty()) co_return;
  auto aw =
      CreateConversation(*run->sessions.clients[worker], token, run->sessions.users[2 * pair + 1]);
  ConversationResult r = co_await std::move(aw);
  if (r.id.empty() && run->setup_error.empty()) run->setup_error = r.error;
  run->conversations[pair] = r.id;
}

asio::awaitable<void> Schedule(Run* run) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const double interval_ns = 1e9 / run->o->rate;
  const size_t pairs = run->conversations.size();
  for (uint64_t seq = 0; seq < run->total; ++seq) {
    const auto due = run->t0 + std::chrono::nanoseconds(
                                   static_cast<int64_t>(static_cast<double>(seq) * interval_ns));
    if (Clock::now() < due) {
      timer.expires_at(due);
      boost::system::error_code ec;
      auto aw = timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(aw);
    }
    run->max_send_lag_ns = std::max(run->max_send_lag_ns, NanosBetween(due, Clock::now()));
    run->scheduled[seq] = NanosBetween(run->t0, due);
    Client& sender = *run->clients[2 * (seq % pairs)];
    if (!sender.open) {
      run->not_sent++;
      continue;
    }
    run->sent[seq] = 1;
    run->sent_count++;
    Push(run, sender, RequestPacket(*run, seq));
  }
  run->sending_done = true;
}

asio::awaitable<void> ReportProgress(Run* run) {
  auto next = run->t0;
  uint64_t last_sent = 0, last_received = 0;
  while (!run->closing) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (run->closing) break;
    char line[300];
    std::snprintf(
        line, sizeof line,
        "[ws-latency] t=%.0fs sent %lu/s delivered %lu/s p50 %s p99 %s max %s acks %lu errors %lu "
        "closed %lu",
        static_cast<double>(NanosBetween(run->t0, Clock::now())) / 1e9,
        static_cast<unsigned long>(run->sent_count - last_sent),
        static_cast<unsigned long>(run->received_distinct - last_received),
        Ms(run->interval.Percentile(50)).c_str(), Ms(run->interval.Percentile(99)).c_str(),
        Ms(run->interval.max()).c_str(), static_cast<unsigned long>(run->acks),
        static_cast<unsigned long>(run->nacks), static_cast<unsigned long>(run->sockets_closed));
    Progress(line);
    last_sent = run->sent_count;
    last_received = run->received_distinct;
    run->interval.Reset();
  }
}

asio::awaitable<void> Main(Run* run) {
  auto ex = co_await asio::this_coro::executor;
  const size_t pairs = run->conversations.size();
  auto login_aw = LoginAll(&run->sessions);
  co_await std::move(login_aw);
  auto create_aw = ForEach<Run>(run, &CreateOne, pairs, run->sessions.clients.size());
  co_await std::move(create_aw);
  for (auto& client : run->sessions.clients) client->Close();  // REST is done: free the fds
  auto open_aw = ForEach<Run>(run, &OpenOne, run->clients.size(), 64);
  co_await std::move(open_aw);
  if (run->sockets_failed) {
    if (run->setup_error.empty()) run->setup_error = "login failed: " + run->sessions.first_error;
    run->setup_error = std::to_string(run->sockets_failed) +
                       " sockets could not be opened; first: " + run->setup_error;
    run->setup_failed = true;
    run->closing = true;
    for (auto& c : run->clients) beast::get_lowest_layer(c->ws).close();
    co_return;
  }
  Progress("[ws-latency] " + std::to_string(run->clients.size()) + " sockets open; sending");
  run->t0 = Clock::now() + std::chrono::milliseconds(100);
  auto progress = ReportProgress(run);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  run->server_cpu.Start();
  run->bench_cpu.Start();
  auto schedule_aw = Schedule(run);
  co_await std::move(schedule_aw);
  run->server_cpu.Stop();
  run->bench_cpu.Stop();
  // Late deliveries still count until the drain ends.
  const auto drain_end =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(run->o->drain * 1000));
  while (Clock::now() < drain_end &&
         (run->received_distinct < run->acks || run->acks + run->nacks < run->sent_count)) {
    auto aw = SleepUntil(Clock::now() + std::chrono::milliseconds(10));
    co_await std::move(aw);
  }
  run->closing = true;
  for (auto& c : run->clients) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().close(ignored);
  }
}

}  // namespace

int RunWsLatency(const WsLatencyOptions& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  run.server_cpu = CpuMeter(o.common.server_pid > 0 ? o.common.server_pid : -1);
  if (auto e = ParseTarget(o.common.url, run.target); !e.empty()) return Progress(e), 2;
  if (auto e = ReadDevAppId(o.common.data_dir, run.sessions.app_id); !e.empty())
    return Progress(e), 2;
  if (o.pairs < 1 || o.pairs > 9000) return Progress("--pairs: 1..9000"), 2;
  if (o.rate <= 0 || o.rate > 1e6 || o.seconds <= 0 || o.seconds > 3600)
    return Progress("--rate/--seconds out of range"), 2;
  const size_t pairs = static_cast<size_t>(o.pairs);
  run.total = static_cast<uint64_t>(o.rate * (o.warmup + o.seconds));
  if (run.total > 50'000'000) return Progress("rate × seconds is over 50M messages"), 2;
  run.warmup_ns = static_cast<int64_t>(o.warmup * 1e9);
  run.scheduled.assign(run.total, 0);
  run.sent.assign(run.total, 0);
  run.acked.assign(run.total, 0);
  run.received.assign(run.total, 0);
  run.last_seq.assign(pairs, -1);
  run.conversations.assign(pairs, "");

  SourceAddresses sources(o.common.source_addresses, 2 * pairs);
  for (size_t i = 0; i < pairs; ++i) {
    run.sessions.users.push_back(o.common.user_prefix + "sender_" + std::to_string(i));
    run.sessions.users.push_back(o.common.user_prefix + "recipient_" + std::to_string(i));
  }
  for (size_t i = 0; i < 2 * pairs; ++i) {
    auto c = std::make_unique<Client>(ioc.get_executor());
    c->sender = i % 2 == 0;
    c->pair = i / 2;
    c->local = sources.Next();
    run.clients.push_back(std::move(c));
  }
  for (int i = 0; i < std::max(1, o.common.login_concurrency); ++i) {
    run.sessions.clients.push_back(
        std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  }
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  ioc.run();
  if (run.setup_failed) return Progress("[ws-latency] setup failed: " + run.setup_error), 1;

  uint64_t lost = 0, unanswered = 0;
  for (uint64_t seq = 0; seq < run.total; ++seq) {
    if (!run.sent[seq]) continue;
    if (!run.acked[seq]) unanswered++;
    if (!run.received[seq] && run.acked[seq]) lost++;  // nacked messages are errors, not losses
  }
  const double measured_seconds = o.seconds;
  json::object s;
  s["scenario"] = "ws-latency";
  s["url"] = o.common.url;
  s["pairs"] = o.pairs;
  s["rate"] = Number(o.rate);
  s["seconds"] = Number(o.seconds);
  s["warmup_seconds"] = Number(o.warmup);
  s["body_bytes"] = o.body_bytes;
  s["scheduled"] = run.total;
  s["sent"] = run.sent_count;
  s["not_sent_socket_closed"] = run.not_sent;
  s["acked"] = run.acks;
  s["errors"] = run.nacks;
  s["error_kinds"] = CountsJson(run.error_kinds);
  s["unanswered"] = unanswered;
  s["delivered"] = run.received_distinct;
  s["lost"] = lost;
  s["duplicated"] = run.duplicates;
  s["duplicate_acks"] = run.duplicate_acks;
  s["misrouted"] = run.misrouted;
  s["reordered"] = run.reordered;
  s["sender_echoes"] = run.echoes;
  s["sockets_closed"] = run.sockets_closed;
  s["close_kinds"] = CountsJson(run.close_kinds);
  s["bad_packets"] = run.bad_packets;
  s["max_send_lag_us"] = run.max_send_lag_ns / 1000;
  s["delivered_per_second"] =
      static_cast<int64_t>(static_cast<double>(run.delivery.count()) / measured_seconds + 0.5);
  s["delivery_latency"] = LatencyJson(run.delivery);
  s["ack_latency"] = LatencyJson(run.ack);
  s["server_cpu_percent"] = run.server_cpu.Json();
  s["bench_cpu_percent"] = run.bench_cpu.Json();
  s["server_runqueue_wait_percent"] = run.server_cpu.WaitJson();
  s["bench_runqueue_wait_percent"] = run.bench_cpu.WaitJson();
  s["server_rss_kb"] = o.common.server_pid > 0 ? ReadVmRssKb(o.common.server_pid) : -1;
  s["login_ms"] = static_cast<int64_t>(run.sessions.seconds * 1000);
  s["source_addresses"] = sources.size();
  s["machine"] = MachineJson();
  char row[400];
  std::snprintf(row, sizeof row,
                "| ws-latency | %d pairs, %.0f msgs/s open loop | delivery p50 %s p99 %s p99.9 %s "
                "max %s | ack p50 %s "
                "p99 %s | lost %lu, dup %lu, errors %lu |",
                o.pairs, o.rate, Ms(run.delivery.Percentile(50)).c_str(),
                Ms(run.delivery.Percentile(99)).c_str(), Ms(run.delivery.Percentile(99.9)).c_str(),
                Ms(run.delivery.max()).c_str(), Ms(run.ack.Percentile(50)).c_str(),
                Ms(run.ack.Percentile(99)).c_str(), static_cast<unsigned long>(lost),
                static_cast<unsigned long>(run.duplicates), static_cast<unsigned long>(run.nacks));
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
