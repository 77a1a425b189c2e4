// SIGINT/SIGTERM for the long-running client commands (tail, chat): blocked in every thread and
// read from a signalfd, so the main thread ends the command cleanly (the SDK's thread is joined,
// the terminal restored) instead of being killed mid-write.
#pragma once

#include <chrono>

namespace relayer::apps {

class StopSignals {
 public:
  // Call before any thread starts (threads inherit the blocked mask).
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int fd() const { return fd_; }  // readable when a signal is pending; for poll()
  // Waits up to `timeout`; true when SIGINT or SIGTERM arrived (and consumes it).
  bool Wait(std::chrono::milliseconds timeout);
  // Consumes a pending signal; true if there was one.
  bool Take();

 private:
  int fd_ = -1;
};

}  // namespace relayer::apps
