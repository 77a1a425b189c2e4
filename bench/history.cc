// history: one conversation of two users holding --messages messages (seeded as fast as the
// server takes them: pipelined Message.create over a few WebSockets), then closed-loop
// `GET /conversations/UUID/messages?from_id=ID&page_size=N` with IDs from the middle half of
// the conversation: page latency, and whether each page is whole and carries the right
// Layer-Count. Seeding a million messages takes minutes, so the run leaves the conversation's
// landmarks in DATA/bench-history*.json and --reuse starts from there.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "async_util.h"
#include "histogram.h"
#include "layer_packets.h"
#include "login.h"
#include "report.h"
#include "request_socket.h"
#include "scenarios.h"
#include "users.h"

namespace relayer::bench {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int64_t kMarkEvery = 100;  // the seeding keeps the id of every 100th position

struct PageRun {
  int connections = 0;
  Histogram latency;
  uint64_t ok = 0, errors = 0, wrong_count = 0, wrong_total = 0, wrong_order = 0;
  std::map<std::string, uint64_t> error_kinds;
  double seconds = 0;
  CpuMeter server_cpu{-1};
};

struct Run {
  const HistoryOptions* o = nullptr;
  Target target;
  UserSessions sessions;  // hist_a (owns the requests), hist_b
  std::string conversation;
  std::string setup_error;
  int64_t existing = 0;  // messages the conversation held before seeding
  int64_t total = 0;     // what Layer-Count must say

  std::vector<std::unique_ptr<RequestSocket>> seeders;
  std::vector<asio::ip::address> seeder_locals;
  int64_t next = 0, sent = 0, acked = 0, seed_errors = 0;
  std::map<std::string, uint64_t> seed_error_kinds;
  double seed_seconds = 0;
  bool seeding = false, paging = false;
  CpuMeter seed_cpu{-1};
  std::vector<std::pair<int64_t, std::string>> marks;  // (position, message id)

  std::vector<size_t> middle;  // indexes into marks of the conversation's middle half
  std::vector<PageRun> runs;
  std::vector<std::unique_ptr<HttpClient>> page_clients;
  asio::ip::address page_local;
  int64_t issued = 0;  // pages begun in the current run, warm-up included
  Histogram interval;  // pages since the last progress line
  std::mt19937_64 rng{42};
};

std::string StateFile(const HistoryOptions& o) {
  return o.common.data_dir + "/bench-history" +
         (o.common.user_prefix.empty() ? "" : "-" + o.common.user_prefix) + ".json";
}

void SaveState(const Run& run) {
  json::array marks;
  for (const auto& [position, id] : run.marks) marks.push_back(json::array{position, id.c_str()});
  json::object state{{"conversation", run.conversation}, {"total", run.total}};
  state["marks"] = std::move(marks);
  std::ofstream(StateFile(*run.o)) << json::serialize(state) << "\n";
}

std::string LoadState(Run& run) {
  std::ifstream in(StateFile(*run.o));
  if (!in) return "--reuse: cannot read " + StateFile(*run.o);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value state = json::parse(text.str(), ec);
  const json::value* marks = ec ? nullptr : Path(state, {"marks"});
  if (!marks || !marks->is_array()) return "--reuse: " + StateFile(*run.o) + " is damaged";
  run.conversation = std::string(Str(Path(state, {"conversation"})));
  run.total = Int(Path(state, {"total"}));
  for (const auto& m : marks->as_array()) {
    if (m.is_array() && m.as_array().size() == 2)
      run.marks.emplace_back(Int(&m.as_array()[0]), std::string(Str(&m.as_array()[1])));
  }
  return "";
}

// ---- seeding -----------------------------------------------------------------------------------

void OnSeedPacket(Run* run, size_t j, std::string_view text) {
  boost::system::error_code ec;
  json::value packet = json::parse(text, ec);
  if (ec || !Is(Path(packet, {"type"}), "response")) return;  // echoes of its own messages
  run->seeders[j]->Answered();
  const json::value* success = Path(packet, {"body", "success"});
  if (!success || !success->is_bool() || !success->as_bool()) {
    run->seed_errors++;
    auto message = Str(Path(packet, {"body", "data", "message"}));
    run->seed_error_kinds[message.empty() ? "error response"
                                          : std::string(message.substr(0, 120))]++;
    return;
  }
  run->acked++;
  const int64_t position = Int(Path(packet, {"body", "data", "position"}));
  if (position >= 0 && position % kMarkEvery == 0)
    run->marks.emplace_back(position, std::string(Str(Path(packet, {"body", "data", "id"}))));
}

asio::awaitable<void> Seed(Run* run, size_t worker, size_t j) {
  (void)worker;
  RequestSocket& s = *run->seeders[j];
  s.on_packet = [run, j](std::string_view text) { OnSeedPacket(run, j, text); };
  auto open_aw = s.Open(&run->target, run->seeder_locals[j], &run->sessions.tokens[0]);
  boost::system::error_code ec = co_await std::move(open_aw);
  if (ec) {
    if (run->setup_error.empty()) run->setup_error = "seeding socket: " + ec.message();
    co_return;
  }
  const size_t window =
      std::max<size_t>(1, static_cast<size_t>(run->o->seed_inflight) / run->seeders.size());
  while (run->next < run->o->messages) {
    auto room = s.WaitForRoom(window);
    co_await std::move(room);
    if (!s.open() || run->next >= run->o->messages) break;  // another socket took the last
    const int64_t seq = run->next++;
    std::string request_id = "s";
    request_id += std::to_string(seq);
    s.Push(MessageCreatePacket(request_id, run->conversation,
                               "history message " + std::to_string(seq)));
    run->sent++;
  }
  auto drained = s.WaitForRoom(1);
  co_await std::move(drained);
  if (!s.open() && run->setup_error.empty()) run->setup_error = "seeding: " + s.close_reason();
  s.Close();
}

asio::awaitable<void> ReportProgress(Run* run) {
  auto next = Clock::now();
  int64_t last = 0;
  while (run->seeding || run->paging) {
    next += std::chrono::seconds(1);
    auto aw = SleepUntil(next);
    co_await std::move(aw);
    if (run->seeding) {
      Progress("[history seed] " + std::to_string(run->acked) + "/" +
               std::to_string(run->o->messages) + " (" + std::to_string(run->acked - last) +
               "/s) errors " + std::to_string(run->seed_errors) + " server RSS " +
               std::to_string(ReadVmRssKb(run->o->common.server_pid)) + " kB");
      last = run->acked;
    } else if (run->paging && !run->runs.empty()) {
      Progress("[history pages] " + std::to_string(run->runs.back().connections) +
               " connection(s): " + std::to_string(run->issued) + " pages begun, " +
               std::to_string(run->interval.count()) + "/s p50 " +
               Ms(run->interval.Percentile(50)) + " p99 " + Ms(run->interval.Percentile(99)));
      run->interval.Reset();
    }
  }
}

// ---- pages -------------------------------------------------------------------------------------

void CheckPage(Run* run, PageRun& r, const HttpResult& res, int64_t from_position) {
  if (res.status != 200) {
    r.errors++;
    r.error_kinds[res.Describe().substr(0, 120)]++;
    return;
  }
  r.ok++;
  if (res.layer_count != std::to_string(run->total)) r.wrong_total++;
  boost::system::error_code ec;
  json::value page = json::parse(res.body, ec);
  if (ec || !page.is_array() || page.as_array().size() != static_cast<size_t>(run->o->page_size)) {
    r.wrong_count++;
    return;
  }
  int64_t below = from_position;  // newest first, all before the from_id message
  for (const auto& m : page.as_array()) {
    const int64_t position = Int(Path(m, {"position"}));
    if (position < 0 || position >= below) {
      r.wrong_order++;
      return;
    }
    below = position;
  }
}

asio::awaitable<void> FetchPages(Run* run, size_t worker, size_t index) {
  (void)index;
  PageRun& r = run->runs.back();
  HttpClient& client = *run->page_clients[worker];
  const int64_t warmup = run->o->warmup_pages, pages = run->o->pages;
  std::uniform_int_distribution<size_t> pick(0, run->middle.size() - 1);
  HttpRequest req{boost::beast::http::verb::get, "", "", run->sessions.tokens[0]};
  while (run->issued < warmup + pages) {
    const bool measured = run->issued++ >= warmup;
    const size_t mark = run->middle[pick(run->rng)];
    const int64_t position = run->marks[mark].first;
    req.target = "/conversations/" + Uuid(run->conversation) +
                 "/messages?from_id=" + run->marks[mark].second +
                 "&page_size=" + std::to_string(run->o->page_size);
    const auto start = Clock::now();
    auto aw = client.Send(req);
    HttpResult res = co_await std::move(aw);
    const int64_t took = NanosBetween(start, Clock::now());
    run->interval.Record(took);
    if (measured) r.latency.Record(took);
    CheckPage(run, r, res, position);
  }
}

// The marks whose positions fall in the middle half of those seen.
void PickMiddle(Run* run) {
  if (run->marks.empty()) return;
  int64_t lo = run->marks[0].first, hi = lo;
  for (const auto& [position, id] : run->marks) {
    lo = std::min(lo, position);
    hi = std::max(hi, position);
  }
  for (size_t i = 0; i < run->marks.size(); ++i) {
    const int64_t p = run->marks[i].first;
    if (p >= lo + (hi - lo) / 4 && p <= hi - (hi - lo) / 4) run->middle.push_back(i);
  }
}

asio::awaitable<void> Prepare(Run* run) {
  auto login_aw = LoginAll(&run->sessions);
  co_await std::move(login_aw);
  if (run->sessions.failed) {
    run->setup_error = "login failed: " + run->sessions.first_error;
    co_return;
  }
  if (run->o->reuse) {
    run->setup_error = LoadState(*run);
    co_return;
  }
  auto create_aw = CreateConversation(*run->sessions.clients[0], run->sessions.tokens[0],
                                      run->sessions.users[1]);
  ConversationResult c = co_await std::move(create_aw);
  run->conversation = c.id;
  if (c.id.empty()) {
    run->setup_error = c.error;
    co_return;
  }
  // A conversation left by an earlier run of the same users keeps its messages.
  HttpRequest count{boost::beast::http::verb::get,
                    "/conversations/" + Uuid(c.id) + "/messages?page_size=1", "",
                    run->sessions.tokens[0]};
  auto count_aw = run->sessions.clients[0]->Send(count);
  HttpResult res = co_await std::move(count_aw);
  run->existing = res.layer_count.empty() ? 0 : std::atoll(res.layer_count.c_str());
  Progress("[history] conversation " + c.id + " holds " + std::to_string(run->existing) +
           " messages; seeding " + std::to_string(run->o->messages));
}

asio::awaitable<void> Main(Run* run) {
  auto ex = co_await asio::this_coro::executor;
  auto prepare_aw = Prepare(run);
  co_await std::move(prepare_aw);
  if (!run->setup_error.empty()) co_return;
  for (auto& client : run->sessions.clients) client->Close();

  run->seeding = !run->o->reuse;
  run->paging = true;  // until the last run is over
  auto progress = ReportProgress(run);
  asio::co_spawn(ex, std::move(progress), asio::detached);
  if (!run->o->reuse) {
    run->seed_cpu.Start();
    const auto start = Clock::now();
    auto seed_aw = ForEach<Run>(run, &Seed, run->seeders.size(), run->seeders.size());
    co_await std::move(seed_aw);
    run->seed_seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
    run->seed_cpu.Stop();
    run->seeding = false;
    run->total = run->existing + run->acked;
    SaveState(*run);
    Progress("[history] seeded " + std::to_string(run->acked) + " in " +
             std::to_string(run->seed_seconds) + " s; state in " + StateFile(*run->o));
  }
  PickMiddle(run);
  if (run->middle.empty()) {
    if (run->setup_error.empty()) run->setup_error = "no message ids from the middle";
    run->paging = false;
    co_return;
  }
  for (int connections : run->o->connections) {
    run->runs.emplace_back();
    PageRun& r = run->runs.back();
    r.connections = connections;
    r.server_cpu = CpuMeter(run->o->common.server_pid > 0 ? run->o->common.server_pid : -1);
    run->issued = 0;
    run->page_clients.clear();
    for (int i = 0; i < connections; ++i) {
      run->page_clients.push_back(std::make_unique<HttpClient>(ex, run->target, run->page_local));
    }
    r.server_cpu.Start();
    const auto start = Clock::now();
    const size_t n = static_cast<size_t>(connections);
    auto pages_aw = ForEach<Run>(run, &FetchPages, n, n);
    co_await std::move(pages_aw);
    r.seconds = static_cast<double>(NanosBetween(start, Clock::now())) / 1e9;
    r.server_cpu.Stop();
    for (auto& client : run->page_clients) client->Close();
    Progress("[history] " + std::to_string(connections) + " connection(s): p50 " +
             Ms(r.latency.Percentile(50)) + " p99 " + Ms(r.latency.Percentile(99)) + " max " +
             Ms(r.latency.max()) + ", " + std::to_string(r.errors) + " errors");
  }
  run->paging = false;
}

}  // namespace

int RunHistory(const HistoryOptions& o) {
  asio::io_context ioc(1);  // before the Run: its sockets must go first
  Run run;
  run.o = &o;
  if (auto e = ResolveDevServer(o.common.url, o.common.data_dir, run.target, run.sessions.app_id);
      !e.empty())
    return Progress(e), 2;
  if (o.messages < 1 || o.page_size < 1 || o.pages < 1 || o.seed_inflight < 1 ||
      o.seed_sockets < 1 || o.seed_sockets > 64 || o.connections.empty())
    return Progress("--messages, --pages, --page-size, --seed-*: at least 1"), 2;
  for (int c : o.connections)
    if (c < 1 || c > 1000) return Progress("--connections: 1..1000 each"), 2;
  if (o.common.server_pid > 0) run.seed_cpu = CpuMeter(o.common.server_pid);
  run.sessions.users = {o.common.user_prefix + "hist_a", o.common.user_prefix + "hist_b"};
  SourceAddresses sources(o.common.source_addresses, 1);
  for (int j = 0; j < o.seed_sockets; ++j) {
    run.seeders.push_back(std::make_unique<RequestSocket>(ioc.get_executor()));
    run.seeder_locals.push_back(sources.Next());
  }
  run.sessions.clients.push_back(
      std::make_unique<HttpClient>(ioc.get_executor(), run.target, sources.Next()));
  run.page_local = sources.Next();
  auto main_aw = Main(&run);
  asio::co_spawn(ioc, std::move(main_aw), asio::detached);
  ioc.run();
  if (run.runs.empty()) return Progress("[history] setup failed: " + run.setup_error), 1;

  json::object seed;
  seed["messages"] = o.reuse ? 0 : o.messages;
  seed["acked"] = run.acked;
  seed["errors"] = run.seed_errors;
  seed["error_kinds"] = CountsJson(run.seed_error_kinds);
  seed["ms"] = static_cast<int64_t>(run.seed_seconds * 1000);
  seed["messages_per_second"] = static_cast<int64_t>(
      run.seed_seconds > 0 ? static_cast<double>(run.acked) / run.seed_seconds + 0.5 : 0);
  seed["server_cpu_percent"] = run.seed_cpu.Json();
  seed["server_runqueue_wait_percent"] = run.seed_cpu.WaitJson();
  seed["first_error"] = run.setup_error;
  json::array runs;
  for (const auto& r : run.runs) {
    json::object j;
    j["connections"] = r.connections;
    j["pages"] = r.latency.count();
    j["pages_per_second"] = static_cast<int64_t>(
        r.seconds > 0 ? static_cast<double>(o.pages + o.warmup_pages) / r.seconds + 0.5 : 0);
    j["latency"] = LatencyJson(r.latency);
    j["errors"] = r.errors;
    j["error_kinds"] = CountsJson(r.error_kinds);
    j["wrong_count"] = r.wrong_count;
    j["wrong_layer_count"] = r.wrong_total;
    j["wrong_order"] = r.wrong_order;
    j["server_cpu_percent"] = r.server_cpu.Json();
    j["server_runqueue_wait_percent"] = r.server_cpu.WaitJson();
    runs.push_back(std::move(j));
  }
  json::object s;
  s["scenario"] = "history";
  s["url"] = o.common.url;
  s["conversation"] = run.conversation;
  s["messages"] = run.total;
  s["reused"] = o.reuse;
  s["seed"] = std::move(seed);
  s["page_size"] = o.page_size;
  s["warmup_pages"] = o.warmup_pages;
  s["middle_ids"] = run.middle.size();
  s["runs"] = std::move(runs);
  s["server_rss_kb"] = o.common.server_pid > 0 ? ReadVmRssKb(o.common.server_pid) : -1;
  s["machine"] = MachineJson();
  const PageRun& first = run.runs.front();
  const PageRun& last = run.runs.back();
  uint64_t bad = 0;
  for (const auto& r : run.runs) bad += r.errors + r.wrong_count + r.wrong_total + r.wrong_order;
  char row[400];
  std::snprintf(row, sizeof row,
                "| history | %ld messages, page of %d from the middle | %d conn: p50 %s p99 %s "
                "p99.9 %s max %s | %d conn: p99 %s | %lu errors or wrong pages |",
                static_cast<long>(run.total), o.page_size, first.connections,
                Ms(first.latency.Percentile(50)).c_str(), Ms(first.latency.Percentile(99)).c_str(),
                Ms(first.latency.Percentile(99.9)).c_str(), Ms(first.latency.max()).c_str(),
                last.connections, Ms(last.latency.Percentile(99)).c_str(),
                static_cast<unsigned long>(bad));
  PrintSummary(s, row);
  return 0;
}

}  // namespace relayer::bench
