#include "idle_hold.h"

#include "report.h"

namespace relayer::bench {

namespace {

double PerConnection(long before_kb, long after_kb, size_t held) {
  if (!held || before_kb < 0 || after_kb < 0) return 0;
  return static_cast<double>(after_kb - before_kb) * 1024.0 / static_cast<double>(held);
}

}  // namespace

double IdleHold::ServerBytesPerConnection() const {
  return PerConnection(server_before_kb, server_after_kb, held);
}

double IdleHold::BenchBytesPerConnection() const {
  return PerConnection(bench_before_kb, bench_after_kb, held);
}

void IdleHold::AddTo(boost::json::object& out) const {
  out["connected"] = connected;
  out["connect_ms"] = static_cast<int64_t>(connect_seconds * 1000);
  out["failed"] = failed;
  out["held"] = held;
  out["closed_during_hold"] = closed_during_hold;
  out["server_rss_before_kb"] = server_before_kb;
  out["server_rss_connected_kb"] = server_connected_kb;
  out["server_rss_after_kb"] = server_after_kb;
  out["server_bytes_per_connection"] = static_cast<int64_t>(ServerBytesPerConnection() + 0.5);
  out["bench_bytes_per_connection"] = static_cast<int64_t>(BenchBytesPerConnection() + 0.5);
}

boost::asio::awaitable<void> OpenAndHoldIdle(SocketPool* pool, size_t concurrency,
                                             const char* label, long server_pid,
                                             double hold_seconds, IdleHold* out) {
  // Without a server pid there is nothing to read (0 would read the bench's own).
  auto server_rss = [server_pid] { return server_pid > 0 ? ReadVmRssKb(server_pid) : -1; };
  out->server_before_kb = server_rss();
  out->bench_before_kb = ReadVmRssKb(0);
  auto open_aw = pool->OpenAll(concurrency, label, server_pid);
  co_await std::move(open_aw);
  out->connected = pool->connected;
  out->failed = pool->failed;
  out->connect_seconds = pool->open_seconds;
  out->server_connected_kb = server_rss();
  Progress(std::string("[") + label + "] " + std::to_string(pool->connected) + " connected in " +
           std::to_string(pool->open_seconds) + " s; holding them idle");
  auto hold = SleepUntil(Clock::now() +
                         std::chrono::milliseconds(static_cast<int64_t>(hold_seconds * 1000)));
  co_await std::move(hold);
  out->server_after_kb = server_rss();
  out->bench_after_kb = ReadVmRssKb(0);
  out->held = pool->open;
  out->closed_during_hold = pool->closed;
}

}  // namespace relayer::bench
