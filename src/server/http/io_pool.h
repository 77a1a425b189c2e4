// A fixed set of io_contexts, one thread each. A connection lives on one context for its whole
// life, so its work stays on one core (cross-core wake-ups dominate small-message latency).
// Not copyable; Stop() and the destructor join the threads.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace relayer::server {

class IoPool {
 public:
  explicit IoPool(size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  void Start();
  void Stop();
  // Round-robin choice of a context for a new connection. Thread-safe.
  boost::asio::io_context& Next();
  boost::asio::io_context& At(size_t i) { return *contexts_[i]; }
  size_t size() const { return contexts_.size(); }

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace relayer::server
