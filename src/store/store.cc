#include "store/store.h"

#include <future>

namespace relayer {

WriteResult SubmitAndWait(Store& store, WriteOp op) {
  std::promise<WriteResult> promise;
  auto future = promise.get_future();
  store.Submit(std::move(op), [&promise](WriteResult r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace relayer
