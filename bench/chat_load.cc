// s1 / s2: conversations whose members are all online; senders' messages scheduled by the clock
// at a fixed total rate (open loop: each message is timed from its *scheduled* send, so a
// stalled server cannot hide its backlog), at each rate of a staircase until a step fails.
// Every message carries its sequence number, so each delivery, duplicate and loss is counted.
// The server is reached through a ChatTransport, so Relayer, the relay and ejabberd are timed by
// this same code.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <deque>
#include <map>

#include "async_util.h"
#include "chat_transport.h"
#include "histogram.h"
#include "report.h"
#include "scenarios.h"
#include "xmpp_text.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Step {
  double rate = 0;
  uint64_t base = 0, count = 0;  // sequence numbers [base, base + count)
  Clock::time_point t0;
  int64_t warmup_ns = 0;
  std::vector<int64_t> scheduled;     // ns after t0
  std::vector<uint8_t> sent, acked;   // acked: 0 no answer, 1 ok, 2 refused
  std::vector<uint32_t> delivered;    // bit k: member k received it
  std::vector<int64_t> receipt_sent;  // [2i + kind] ns after t0 the recipient posted it
  std::vector<uint8_t> receipt_seen;  // bit kind: the sender heard of it
  uint64_t sent_count = 0, not_sent = 0, acks = 0, nacks = 0, deliveries = 0;
  uint64_t duplicates = 0, duplicate_acks = 0, out_of_order = 0, receipts = 0;
  uint64_t expected_deliveries = 0, expected_receipts = 0;
  int64_t max_send_lag_ns = 0;
  Histogram ack, delivery, receipt_rt[2], read_cycle, interval;
  Histogram send_lag;  // how late each message was sent (stderr only)
  std::map<std::string, uint64_t> error_kinds;
  CpuMeter server_cpu{0}, bench_cpu{0};
  bool sending_done = false;
};

class Driver final : public ChatEvents {
 public:
  Driver(const ChatLoadOptions& o, asio::io_context& ioc) : o_(o), ioc_(ioc) {}

  int Run();

  void OnAck(size_t user, uint64_t seq, bool ok, std::string_view error) override {
    MaybePump();
    Step* s = StepOf(seq);
    if (!s) return;
    const size_t i = seq - s->base;
    if (!s->sent[i] || user != SenderOf(seq)) return;
    if (s->acked[i]) {
      s->duplicate_acks++;
      return;
    }
    s->acked[i] = ok ? 1 : 2;
    if (!ok) {
      s->nacks++;
      s->error_kinds[std::string(error.substr(0, 120))]++;
      return;
    }
    s->acks++;
    if (s->scheduled[i] >= s->warmup_ns) s->ack.Record(Since(*s) - s->scheduled[i]);
  }

  void OnMessage(size_t user, uint64_t seq, std::string_view body) override {
    (void)body;
    MaybePump();
    Step* s = StepOf(seq);
    if (!s) return;
    const size_t i = seq - s->base;
    const int member = MemberIndex(ConversationOf(seq), user);
    if (member < 0) {
      s->error_kinds["misrouted"]++;
      return;
    }
    const uint32_t bit = 1u << member;
    if (s->delivered[i] & bit) {
      s->duplicates++;
      return;
    }
    s->delivered[i] |= bit;
    s->deliveries++;
    if (seq < last_seq_[user]) s->out_of_order++;
    last_seq_[user] = std::max(last_seq_[user], seq);
    const int64_t latency = Since(*s) - s->scheduled[i];
    s->interval.Record(latency);
    if (s->scheduled[i] >= s->warmup_ns) s->delivery.Record(latency);
    if (o_.receipts) {
      s->receipt_sent[2 * i] = s->receipt_sent[2 * i + 1] = Since(*s);
      transport_->SendReceipt(user, seq, ReceiptKind::kDelivered);
      transport_->SendReceipt(user, seq, ReceiptKind::kRead);
    }
  }

  void OnReceipt(size_t user, uint64_t seq, size_t by, ReceiptKind kind) override {
    MaybePump();
    Step* s = StepOf(seq);
    if (!s || user != SenderOf(seq) || by == user) return;
    const size_t i = seq - s->base;
    const int k = kind == ReceiptKind::kRead ? 1 : 0;
    if (s->receipt_seen[i] & (1 << k)) return;  // a group's later readers, or a repeat
    s->receipt_seen[i] |= 1 << k;
    s->receipts++;
    if (s->scheduled[i] < s->warmup_ns || s->receipt_sent[2 * i + k] < 0) return;
    const int64_t now = Since(*s);
    s->receipt_rt[k].Record(now - s->receipt_sent[2 * i + k]);
    if (k == 1) s->read_cycle.Record(now - s->scheduled[i]);
  }

  void OnClosed(size_t user, const std::string& why) override {
    if (stalled_.size() > user && stalled_[user]) {
      stalled_closed_++;  // the server dropping a client that stopped reading is the point
      return;
    }
    sockets_closed_++;
    close_kinds_[why]++;
  }

  void OnTransportError(size_t user, std::string_view what) override {
    (void)user;
    transport_errors_[std::string(what.substr(0, 120))]++;
  }

 private:
  static int64_t SinceT0(const Step& s, Clock::time_point t) { return NanosBetween(s.t0, t); }
  static int64_t Since(const Step& s) { return SinceT0(s, Clock::now()); }

  Step* StepOf(uint64_t seq) {
    if (steps_.empty()) return nullptr;
    Step& s = steps_.back();  // earlier steps are closed: their late packets are ignored
    return seq >= s.base && seq < s.base + s.count ? &s : nullptr;
  }
  size_t ConversationOf(uint64_t seq) const { return seq % setup_.conversations.size(); }
  // Senders take turns among the members that read (all but a stalled last one).
  size_t SenderOf(uint64_t seq) const {
    const auto& members = setup_.conversations[ConversationOf(seq)];
    const size_t readers = members.size() - (o_.stall_one ? 1 : 0);
    const size_t turn = o_.group_size == 2 ? 0 : (seq / setup_.conversations.size()) % readers;
    return members[turn];
  }
  int MemberIndex(size_t conversation, size_t user) const {
    const auto& members = setup_.conversations[conversation];
    for (size_t k = 0; k < members.size(); ++k) {
      if (members[k] == user) return static_cast<int>(k);
    }
    return -1;
  }

  // "seq=N conversation=C xxx...", padded to the body size; valid until the next call (one
  // buffer, reused: no allocation per message).
  std::string_view Body(uint64_t seq) {
    std::string& text = body_;
    text.clear();
    text += "seq=";
    AppendUint(text, seq);
    text += " conversation=";
    AppendUint(text, ConversationOf(seq));
    text += ' ';
    const size_t want = static_cast<size_t>(std::max(0, o_.body_bytes - 16));  // part 2: 16 B
    if (text.size() < want) text.append(want - text.size(), 'x');
    return text;
  }

  asio::awaitable<void> Main();
  asio::awaitable<void> RunStep(Step* s);
  asio::awaitable<void> Schedule(Step* s);
  void SendDue(Step& s);
  void MaybePump();
  static Clock::time_point DueOf(const Step& s, uint64_t i) {
    const double interval_ns = 1e9 / s.rate;
    return s.t0 +
           std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * interval_ns));
  }
  asio::awaitable<void> ReportProgress(Step* s);
  bool Passed(const Step& s) const;
  json::object StepJson(const Step& s) const;
  std::string StepRow(const Step& s) const;

  // The server's processes (--server-pid, --node-pid), for CPU and RSS; empty: not measured.
  std::vector<long> ServerPids() const {
    std::vector<long> pids;
    if (o_.common.server_pid > 0) pids.push_back(o_.common.server_pid);
    if (!pids.empty()) pids.insert(pids.end(), o_.node_pids.begin(), o_.node_pids.end());
    return pids;
  }
  long ServerRssKb() const {
    long total = 0;
    for (long pid : ServerPids()) {
      const long kb = ReadVmRssKb(pid);
      if (kb < 0) return -1;
      total += kb;
    }
    return ServerPids().empty() ? -1 : total;
  }

  const ChatLoadOptions& o_;
  asio::io_context& ioc_;
  std::vector<Target> targets_;  // --url, then --node-url
  ChatSetup setup_;
  std::unique_ptr<ChatTransport> transport_;
  std::deque<Step> steps_;  // stable addresses: coroutines hold Step pointers
  std::vector<uint64_t> last_seq_;
  std::vector<uint8_t> stalled_;
  uint64_t next_seq_ = 0;
  const std::chrono::nanoseconds min_wake_gap_{static_cast<int64_t>(o_.wake_gap_us * 1000)};
  // Sending (Schedule, SendDue, MaybePump): the step, its next message and when that is due.
  Step* sending_ = nullptr;
  uint64_t next_ = 0;
  Clock::time_point next_due_ = Clock::time_point::max();
  bool pump_posted_ = false;
  std::string body_;  // Body()'s buffer
  uint64_t sockets_closed_ = 0, stalled_closed_ = 0;
  std::map<std::string, uint64_t> close_kinds_, transport_errors_;
  std::string setup_error_;
  double setup_seconds_ = 0;
};

bool Driver::Passed(const Step& s) const {
  return s.sent_count == s.count && s.acks == s.sent_count && s.nacks == 0 &&
         s.deliveries >= s.expected_deliveries && s.receipts >= s.expected_receipts &&
         s.duplicates == 0 && sockets_closed_ == 0 &&
         static_cast<double>(s.delivery.Percentile(99)) <= o_.p99_limit_ms * 1e6;
}

// Sends each message at its due time or just after: from the timer, or from the first transport
// callback after it (MaybePump), so that at high rates sends ride on the wake-ups the incoming
// packets cause anyway. The timer is then only a backstop: it fires at most once per
// min_wake_gap_ while messages are closer together than that (each wake-up costs the bench
// microseconds of kernel time), so no message waits longer than that for lack of I/O. Below
// 1 / min_wake_gap_ messages per second every message has a timer wake-up of its own, as before.
asio::awaitable<void> Driver::Schedule(Step* s) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  sending_ = s;
  next_ = 0;
  next_due_ = DueOf(*s, 0);
  for (;;) {
    SendDue(*s);
    if (next_ >= s->count) break;
    timer.expires_at(std::max(next_due_, Clock::now() + min_wake_gap_));
    boost::system::error_code ec;
    auto aw = timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(aw);
  }
  sending_ = nullptr;
  next_due_ = Clock::time_point::max();
  s->sending_done = true;
}

void Driver::SendDue(Step& s) {
  for (; next_ < s.count; ++next_) {
    const uint64_t i = next_;
    const auto due = DueOf(s, i);
    const auto now = Clock::now();
    if (now < due) {
      next_due_ = due;
      return;
    }
    s.max_send_lag_ns = std::max(s.max_send_lag_ns, NanosBetween(due, now));
    s.send_lag.Record(NanosBetween(due, now));
    s.scheduled[i] = SinceT0(s, due);
    const uint64_t seq = s.base + i;
    const size_t sender = SenderOf(seq);
    if (!transport_->IsOpen(sender)) {
      s.not_sent++;
      continue;
    }
    s.sent[i] = 1;
    s.sent_count++;
    transport_->Send(ConversationOf(seq), sender, seq, Body(seq));
  }
  next_due_ = Clock::time_point::max();
}

void Driver::MaybePump() {
  if (pump_posted_ || Clock::now() < next_due_) return;
  pump_posted_ = true;
  asio::post(ioc_, [this] {
    pump_posted_ = false;
    if (sending_) SendDue(*sending_);
  });
}

asio::awaitable<void> Driver::ReportProgress(Step* s) {
  auto next = s->t0;
  uint64_t last_sent = 0, last_delivered = 0;
  while (!s->sending_done) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    char line[320];
    std::snprintf(line, sizeof line,
                  "[%s %.0f/s] t=%.0fs sent %lu/s delivered %lu/s p50 %s p99 %s max %s acks %lu "
                  "errors %lu receipts %lu closed %lu",
                  o_.scenario.c_str(), s->rate, static_cast<double>(Since(*s)) / 1e9,
                  static_cast<unsigned long>(s->sent_count - last_sent),
                  static_cast<unsigned long>(s->deliveries - last_delivered),
                  Ms(s->interval.Percentile(50)).c_str(), Ms(s->interval.Percentile(99)).c_str(),
                  Ms(s->interval.max()).c_str(), static_cast<unsigned long>(s->acks),
                  static_cast<unsigned long>(s->nacks), static_cast<unsigned long>(s->receipts),
                  static_cast<unsigned long>(sockets_closed_));
    Progress(line);
    last_sent = s->sent_count;
    last_delivered = s->deliveries;
    s->interval.Reset();
  }
}

asio::awaitable<void> Driver::RunStep(Step* s) {
  auto ex = co_await asio::this_coro::executor;
  s->t0 = Clock::now() + std::chrono::milliseconds(100);
  auto progress = ReportProgress(s);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  s->server_cpu.Start();
  s->bench_cpu.Start();
  auto schedule_aw = Schedule(s);
  co_await std::move(schedule_aw);
  s->server_cpu.Stop();
  s->bench_cpu.Stop();
  // What a sent message should bring: an ack, a delivery to each reading member but the sender,
  // and (with receipts) both receipts back at the sender.
  const size_t readers = static_cast<size_t>(o_.group_size) - (o_.stall_one ? 1 : 0);
  s->expected_deliveries = s->sent_count * (readers - 1);
  s->expected_receipts = o_.receipts ? 2 * s->sent_count : 0;
  const auto drain_end =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o_.drain * 1000));
  while (Clock::now() < drain_end &&
         (s->acks + s->nacks < s->sent_count || s->deliveries < s->expected_deliveries ||
          s->receipts < s->expected_receipts)) {
    auto aw = SleepUntil(Clock::now() + std::chrono::milliseconds(10));
    co_await std::move(aw);
  }
}

asio::awaitable<void> Driver::Main() {
  const auto setup_start = Clock::now();
  auto setup_aw = transport_->Setup(&setup_);
  setup_error_ = co_await std::move(setup_aw);
  setup_seconds_ = static_cast<double>(NanosBetween(setup_start, Clock::now())) / 1e9;
  if (!setup_error_.empty()) {
    transport_->CloseAll();
    co_return;
  }
  if (o_.stall_one) {
    for (const auto& members : setup_.conversations) {
      stalled_[members.back()] = 1;
      if (!transport_->StopReading(members.back())) {
        setup_error_ = "this transport cannot stall a reader";
        transport_->CloseAll();
        co_return;
      }
    }
  }
  for (double rate : o_.rates) {
    Step& s = steps_.emplace_back();
    s.rate = rate;
    s.base = next_seq_;
    s.count = static_cast<uint64_t>(rate * (o_.warmup + o_.step_seconds));
    next_seq_ += s.count;
    s.warmup_ns = static_cast<int64_t>(o_.warmup * 1e9);
    s.scheduled.assign(s.count, 0);
    s.sent.assign(s.count, 0);
    s.acked.assign(s.count, 0);
    s.delivered.assign(s.count, 0);
    s.receipt_sent.assign(o_.receipts ? 2 * s.count : 0, -1);
    s.receipt_seen.assign(s.count, 0);
    auto pids = ServerPids();
    s.server_cpu = pids.empty() ? CpuMeter(-1) : CpuMeter(std::move(pids));
    auto step_aw = RunStep(&s);
    co_await std::move(step_aw);
    Progress(StepRow(s));
    // How late the scheduler sent, and how long the bench itself waited for a CPU meanwhile (a
    // busy machine, not the bench's own work, then explains the tail).
    const json::value waited = s.bench_cpu.WaitJson();
    char lag[240];
    std::snprintf(lag, sizeof lag,
                  "[%s %.0f/s] send lag p50 %s p99 %s p99.9 %s max %s; the bench waited for a "
                  "CPU %s%% of the step",
                  o_.scenario.c_str(), s.rate, Ms(s.send_lag.Percentile(50)).c_str(),
                  Ms(s.send_lag.Percentile(99)).c_str(), Ms(s.send_lag.Percentile(99.9)).c_str(),
                  Ms(s.send_lag.max()).c_str(),
                  waited.is_int64() ? std::to_string(waited.as_int64()).c_str() : "?");
    Progress(lag);
    if (!Passed(s) && !o_.keep_going) break;
  }
  transport_->CloseAll();
}

json::object Driver::StepJson(const Step& s) const {
  uint64_t lost = 0, unanswered = 0;
  const size_t readers = static_cast<size_t>(o_.group_size) - (o_.stall_one ? 1 : 0);
  for (uint64_t i = 0; i < s.count; ++i) {
    if (!s.sent[i]) continue;
    if (!s.acked[i]) unanswered++;
    if (s.acked[i] != 1) continue;  // refused messages are errors, not losses
    const auto& members = setup_.conversations[ConversationOf(s.base + i)];
    for (size_t k = 0; k < readers; ++k) {
      if (members[k] != SenderOf(s.base + i) && !(s.delivered[i] & (1u << k))) lost++;
    }
  }
  json::object j;
  j["rate"] = Number(s.rate);
  j["passed"] = Passed(s);
  j["scheduled"] = s.count;
  j["sent"] = s.sent_count;
  j["not_sent_socket_closed"] = s.not_sent;
  j["acked"] = s.acks;
  j["errors"] = s.nacks;
  j["error_kinds"] = CountsJson(s.error_kinds);
  j["unanswered"] = unanswered;
  j["deliveries"] = s.deliveries;
  j["expected_deliveries"] = s.expected_deliveries;
  j["lost_deliveries"] = lost;
  j["duplicated"] = s.duplicates;
  j["duplicate_acks"] = s.duplicate_acks;
  j["out_of_order"] = s.out_of_order;
  j["receipts_back"] = s.receipts;
  j["expected_receipts"] = s.expected_receipts;
  j["deliveries_per_second"] =
      static_cast<int64_t>(static_cast<double>(s.delivery.count()) / o_.step_seconds + 0.5);
  j["ack_latency"] = LatencyJson(s.ack);
  j["delivery_latency"] = LatencyJson(s.delivery);
  if (o_.receipts) {
    j["delivery_receipt_round_trip"] = LatencyJson(s.receipt_rt[0]);
    j["read_receipt_round_trip"] = LatencyJson(s.receipt_rt[1]);
    j["send_to_read_receipt"] = LatencyJson(s.read_cycle);
  }
  j["max_send_lag_us"] = s.max_send_lag_ns / 1000;
  j["server_cpu_percent"] = s.server_cpu.Json();
  j["bench_cpu_percent"] = s.bench_cpu.Json();
  j["server_runqueue_wait_percent"] = s.server_cpu.WaitJson();
  const double cpu = s.server_cpu.seconds();
  j["server_cpu_seconds_per_1k_messages"] =
      cpu < 0 || s.sent_count == 0 ? json::value(nullptr)
                                   : json::value(std::round(cpu / s.sent_count * 1e6) / 1e3);
  j["server_rss_kb"] = ServerRssKb();
  return j;
}

std::string Driver::StepRow(const Step& s) const {
  char row[600];
  const double cpu = s.server_cpu.seconds();
  std::snprintf(
      row, sizeof row,
      "| %s %s | %d × %d | %.0f/s | %s | ack p50 %s p99 %s | push p50 %s p99 %s p99.9 %s "
      "| receipt p50 %s p99 %s | %s | %lu/%lu delivered, %lu dup, %lu errors |",
      o_.scenario.c_str(), o_.protocol.c_str(), o_.conversations, o_.group_size, s.rate,
      Passed(s) ? "pass" : "FAIL", Ms(s.ack.Percentile(50)).c_str(),
      Ms(s.ack.Percentile(99)).c_str(), Ms(s.delivery.Percentile(50)).c_str(),
      Ms(s.delivery.Percentile(99)).c_str(), Ms(s.delivery.Percentile(99.9)).c_str(),
      Ms(s.receipt_rt[1].Percentile(50)).c_str(), Ms(s.receipt_rt[1].Percentile(99)).c_str(),
      cpu < 0 || !s.sent_count
          ? "cpu ?"
          : (std::to_string(cpu / static_cast<double>(s.sent_count) * 1000).substr(0, 5) +
             " cpu-s/1k")
                .c_str(),
      static_cast<unsigned long>(s.deliveries), static_cast<unsigned long>(s.expected_deliveries),
      static_cast<unsigned long>(s.duplicates), static_cast<unsigned long>(s.nacks));
  return row;
}

int Driver::Run() {
  std::vector<std::string> urls{o_.common.url};
  urls.insert(urls.end(), o_.node_urls.begin(), o_.node_urls.end());
  for (const auto& url : urls) {
    if (auto e = ParseTarget(url, targets_.emplace_back()); !e.empty()) return Progress(e), 2;
  }
  if (targets_.size() > 1 && o_.protocol != "layer") return Progress("--node-url: layer only"), 2;
  if (!o_.node_pids.empty() && o_.common.server_pid <= 0)
    return Progress("--node-pid needs --server-pid"), 2;
  if (o_.group_size < 2 || o_.group_size > 32) return Progress("--group-size: 2..32"), 2;
  if (o_.conversations < 1 || o_.conversations * o_.group_size > 19000)
    return Progress("--conversations × --group-size: at most 19,000 sockets"), 2;
  if (o_.rates.empty()) return Progress("--rates: at least one"), 2;
  for (double r : o_.rates) {
    if (r <= 0 || r > 1e6 || r * (o_.warmup + o_.step_seconds) > 20e6)
      return Progress("each rate must be in (0, 1e6] and rate × seconds at most 20M"), 2;
  }
  for (int c = 0; c < o_.conversations; ++c) {
    std::vector<size_t> members;
    for (int k = 0; k < o_.group_size; ++k) {
      std::string name = o_.common.user_prefix;
      if (o_.group_size == 2) {
        name += (k == 0 ? "sender_" : "recipient_") + std::to_string(c);
      } else {
        name += "g" + std::to_string(c) + "_m" + std::to_string(k);
      }
      members.push_back(setup_.users.size());
      setup_.users.push_back(std::move(name));
    }
    setup_.conversations.push_back(std::move(members));
  }
  setup_.login_concurrency = o_.common.login_concurrency;
  setup_.source_addresses = o_.common.source_addresses;
  last_seq_.assign(setup_.users.size(), 0);
  stalled_.assign(setup_.users.size(), 0);
  if (o_.protocol == "xmpp") {
    transport_ =
        MakeXmppTransport(ioc_.get_executor(), targets_[0], o_.xmpp_domain, o_.xmpp_password, this);
  } else if (o_.protocol == "layer" || o_.protocol == "relay") {
    transport_ = MakeLayerTransport(ioc_.get_executor(), targets_, o_.common.data_dir,
                                    o_.protocol == "relay", this);
  } else {
    return Progress("--protocol: layer, relay or xmpp"), 2;
  }
  auto main_aw = Main();
  asio::co_spawn(ioc_, std::move(main_aw), asio::detached);
  ioc_.run();
  if (!setup_error_.empty())
    return Progress("[" + o_.scenario + "] setup failed: " + setup_error_), 1;

  json::object s;
  s["scenario"] = o_.scenario;
  s["protocol"] = o_.protocol;
  s["url"] = o_.common.url;
  if (!o_.node_urls.empty()) {
    json::array nodes;
    for (const auto& u : o_.node_urls) nodes.emplace_back(u);
    s["node_urls"] = std::move(nodes);
  }
  s["conversations"] = o_.conversations;
  s["group_size"] = o_.group_size;
  s["receipts"] = o_.receipts;
  s["stalled_reader_per_conversation"] = o_.stall_one;
  s["body_bytes"] = o_.body_bytes;
  s["step_seconds"] = Number(o_.step_seconds);
  s["warmup_seconds"] = Number(o_.warmup);
  s["p99_limit_ms"] = Number(o_.p99_limit_ms);
  s["setup_seconds"] = Number(std::round(setup_seconds_ * 10) / 10);
  double max_rate = 0;
  json::array steps;
  for (const Step& step : steps_) {
    if (Passed(step)) max_rate = std::max(max_rate, step.rate);
    steps.push_back(StepJson(step));
  }
  s["max_sustained_rate"] = Number(max_rate);
  s["steps"] = std::move(steps);
  s["sockets_closed"] = sockets_closed_;
  s["close_kinds"] = CountsJson(close_kinds_);
  s["stalled_readers_dropped_by_server"] = stalled_closed_;
  s["transport_errors"] = CountsJson(transport_errors_);
  s["machine"] = MachineJson();
  std::string rows;
  for (const Step& step : steps_) rows += StepRow(step) + "\n";
  rows += "| " + o_.scenario + " " + o_.protocol + " | max sustained | " +
          std::to_string(static_cast<int64_t>(max_rate)) + " msgs/s |";
  PrintSummary(s, rows);
  return 0;
}

}  // namespace

int RunChatLoad(const ChatLoadOptions& o) {
  asio::io_context ioc(1);  // before the driver: its sockets must go first
  Driver driver(o, ioc);
  return driver.Run();
}

}  // namespace relayer::bench
