// Pins the load generator and the server to cores (what `taskset -c` does), so that the two do
// not compete for one core and the figures measure the server, not the scheduler.
#pragma once

#include <string>

namespace relayer::bench {

// Pins this process to `cpu` when it is >= 0, and every thread of `server_pid` to `server_cpu`
// when both are set. Returns "" or what failed.
std::string Pin(int cpu, long server_pid, int server_cpu);

}  // namespace relayer::bench
