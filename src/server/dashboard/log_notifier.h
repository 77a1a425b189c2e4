// Wakes the dashboard's held long-poll requests when an app's sync log grows. The store's commit
// publisher calls Notify (on the writer thread); a request waits on its own executor until a
// Notify for its app newer than the generation it saw before querying, or its deadline. Bounded:
// at most `max_waiting` requests wait at once, across apps.
// Thread-safe: every member may be called from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/ids.h"

namespace relayer::server {

class SyncLogNotifier {
 public:
  enum class Outcome { kWoken, kDeadline, kBusy };

  explicit SyncLogNotifier(size_t max_waiting) : max_waiting_(max_waiting) {}

  // Read before querying the store: a Notify after it makes Wait return at once.
  uint64_t Generation(const AppId& app) const;
  // The app's sync log (may have) grown: wake its waiters. Never blocks.
  void Notify(const AppId& app);
  // Waits on the calling coroutine's executor. kBusy: too many requests wait already.
  boost::asio::awaitable<Outcome> Wait(AppId app, uint64_t seen,
                                       std::chrono::steady_clock::time_point deadline);
  size_t waiting() const;

  struct Waiter;

 private:
  void Unregister(const AppId& app, const std::shared_ptr<Waiter>& w);

  const size_t max_waiting_;
  mutable std::mutex mu_;
  std::map<AppId, uint64_t> generation_;
  std::map<AppId, std::vector<std::shared_ptr<Waiter>>> waiters_;
  size_t waiting_ = 0;
};

}  // namespace relayer::server
