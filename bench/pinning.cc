#include "pinning.h"

#include <sched.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relayer::bench {

namespace {

std::string PinOne(pid_t tid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(tid, sizeof set, &set) != 0) {
    return "cannot pin " + std::to_string(tid) + " to cpu " + std::to_string(cpu) + ": " +
           std::strerror(errno);
  }
  return "";
}

}  // namespace

std::string Pin(int cpu, long server_pid, int server_cpu) {
  if (cpu >= 0) {
    if (auto e = PinOne(0, cpu); !e.empty()) return e;
  }
  if (server_cpu < 0) return "";
  if (server_pid <= 0) return "--pin-server needs --server-pid";
  // Every thread the server has now; threads it starts later inherit their creator's affinity.
  std::error_code ec;
  const std::filesystem::path tasks = "/proc/" + std::to_string(server_pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(tasks, ec)) {
    const pid_t tid = static_cast<pid_t>(std::stol(entry.path().filename().string()));
    if (auto e = PinOne(tid, server_cpu); !e.empty()) return e;
  }
  if (ec) return "cannot list " + tasks.string() + ": " + ec.message();
  return "";
}

}  // namespace relayer::bench
