#include "store/batch_scope.h"

#include <cassert>

namespace relayer {
namespace {
thread_local BatchScope* current = nullptr;
}  // namespace

BatchScope::BatchScope() : outer_(current) { current = this; }

BatchScope::~BatchScope() {
  // What runs now is outside the scope: work it defers would never run.
  current = outer_;
  for (auto& f : deferred_) f();
}

bool BatchScope::Active() { return current != nullptr; }

void BatchScope::AtEnd(std::function<void()> f) {
  assert(current != nullptr);
  current->deferred_.push_back(std::move(f));
}

}  // namespace relayer
