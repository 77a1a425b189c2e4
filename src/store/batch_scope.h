// Lets a store's callers gather the work its group commit hands back. A writer thread calls
// the callbacks of one commit inside a BatchScope; code running in those callbacks may defer work
// to the scope's end (e.g. to post one wake-up per network thread instead of one per write).
// Everything here is thread-local: a scope belongs to the thread that opened it.
#pragma once

#include <functional>
#include <vector>

namespace relayer {

class BatchScope {
 public:
  BatchScope();
  // Runs what was deferred, in order, then closes the scope.
  ~BatchScope();
  BatchScope(const BatchScope&) = delete;
  BatchScope& operator=(const BatchScope&) = delete;

  // True while the calling thread is inside a scope.
  static bool Active();
  // Runs `f` when the calling thread's scope ends. Only while Active().
  static void AtEnd(std::function<void()> f);

 private:
  BatchScope* outer_;
  std::vector<std::function<void()>> deferred_;
};

}  // namespace relayer
