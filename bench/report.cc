#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace relayer::bench {

namespace json = boost::json;

json::object MachineJson() {
  json::object out;
  out["nproc"] = std::thread::hardware_concurrency();
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      out["cpu_model"] = colon == std::string::npos ? line : line.substr(colon + 2);
      break;
    }
  }
  utsname u{};
  if (uname(&u) == 0) out["kernel"] = std::string(u.release);
  return out;
}

json::object LatencyJson(const Histogram& h) {
  auto us = [](int64_t ns) { return (ns + 500) / 1000; };
  json::object out;
  out["count"] = h.count();
  out["mean_us"] = us(static_cast<int64_t>(h.mean()));
  out["p50_us"] = us(h.Percentile(50));
  out["p90_us"] = us(h.Percentile(90));
  out["p99_us"] = us(h.Percentile(99));
  out["p99_9_us"] = us(h.Percentile(99.9));
  out["max_us"] = us(h.max());
  return out;
}

json::object CountsJson(const std::map<std::string, uint64_t>& counts) {
  json::object out;
  for (const auto& [k, v] : counts) out[k] = v;
  return out;
}

json::value Number(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) return static_cast<int64_t>(v);
  return v;
}

std::string Ms(int64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(nanos) / 1e6);
  return buf;
}

long ReadVmRssKb(long pid) {
  std::ifstream status(pid > 0 ? "/proc/" + std::to_string(pid) + "/status" : "/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

namespace {
double CpuSeconds(long pid) {
  if (pid < 0) return -1;  // not measured
  std::ifstream stat(pid > 0 ? "/proc/" + std::to_string(pid) + "/stat" : "/proc/self/stat");
  std::string text;
  if (!std::getline(stat, text)) return -1;
  auto paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}
// Sum of run_delay (ns) over the process's threads, in seconds.
double RunQueueSeconds(long pid) {
  if (pid < 0) return -1;
  const std::string dir = pid > 0 ? "/proc/" + std::to_string(pid) + "/task" : "/proc/self/task";
  std::error_code ec;
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream schedstat(task.path() / "schedstat");
    unsigned long long run = 0, wait = 0;
    if (schedstat >> run >> wait) total += static_cast<double>(wait) / 1e9;
  }
  return ec ? -1 : total;
}

// Sums over `pids`; -1 when any is unknown.
double SumOver(const std::vector<long>& pids, double (*read)(long)) {
  double total = 0;
  for (long pid : pids) {
    const double v = read(pid);
    if (v < 0) return -1;
    total += v;
  }
  return pids.empty() ? -1 : total;
}

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void CpuMeter::Start() {
  cpu_start_ = SumOver(pids_, CpuSeconds);
  wait_start_ = SumOver(pids_, RunQueueSeconds);
  wall_start_ = WallNanos();
}

void CpuMeter::Stop() {
  cpu_stop_ = SumOver(pids_, CpuSeconds);
  wait_stop_ = SumOver(pids_, RunQueueSeconds);
  wall_stop_ = WallNanos();
}

double CpuMeter::percent() const {
  if (cpu_start_ < 0 || cpu_stop_ < 0 || wall_stop_ <= wall_start_) return -1;
  return 100.0 * (cpu_stop_ - cpu_start_) / (static_cast<double>(wall_stop_ - wall_start_) / 1e9);
}

json::value CpuMeter::Json() const {
  const double p = percent();
  if (p < 0) return nullptr;
  return static_cast<int64_t>(p + 0.5);
}

json::value CpuMeter::WaitJson() const {
  if (wait_start_ < 0 || wait_stop_ < 0 || wall_stop_ <= wall_start_) return nullptr;
  const double seconds = static_cast<double>(wall_stop_ - wall_start_) / 1e9;
  return static_cast<int64_t>(100.0 * (wait_stop_ - wait_start_) / seconds + 0.5);
}

void Progress(const std::string& line) { std::cerr << line << std::endl; }

void PrintSummary(const json::object& summary, const std::string& markdown_row) {
  std::cout << json::serialize(summary) << "\n" << markdown_row << std::endl;
}

}  // namespace relayer::bench
