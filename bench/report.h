// What every scenario prints at the end: one JSON object on a line and one Markdown table row,
// both on stdout; progress goes to stderr.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "histogram.h"

namespace relayer::bench {

boost::json::object MachineJson();  // nproc, cpu_model, kernel
// count, mean/p50/p90/p99/p99.9/max in whole microseconds.
boost::json::object LatencyJson(const Histogram& h);
boost::json::object CountsJson(const std::map<std::string, uint64_t>& counts);
// A whole number as an integer (Boost.JSON prints every double as 1.5E0).
boost::json::value Number(double v);
std::string Ms(int64_t nanos);  // "1.23 ms"
long ReadVmRssKb(long pid);
// CPU time (user + system) of process `pid` (0: this one, negative: not measured) between Start()
// and Stop(), as a percentage of one core; -1 when /proc/PID/stat is unreadable. With several
// pids (the nodes of one service), their sums.
class CpuMeter {
 public:
  explicit CpuMeter(long pid) : pids_{pid} {}
  explicit CpuMeter(std::vector<long> pids) : pids_(std::move(pids)) {}
  void Start();
  void Stop();
  double percent() const;
  // CPU seconds used between Start() and Stop(); -1 when unknown.
  double seconds() const { return cpu_start_ < 0 || cpu_stop_ < 0 ? -1 : cpu_stop_ - cpu_start_; }
  boost::json::value Json() const;  // whole percent, or null when unknown
  // Time its threads were runnable but waiting for a CPU (schedstat run_delay), in % of the
  // wall time: high means the figures measure a contended machine, not the program.
  boost::json::value WaitJson() const;

 private:
  std::vector<long> pids_;
  double cpu_start_ = -1, cpu_stop_ = -1;
  double wait_start_ = -1, wait_stop_ = -1;
  int64_t wall_start_ = 0, wall_stop_ = 0;
};
// VmRSS of /proc/PID/status; -1 when unreadable
void Progress(const std::string& line);
void PrintSummary(const boost::json::object& summary, const std::string& markdown_row);

}  // namespace relayer::bench
