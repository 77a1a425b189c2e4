#include "server/http/io_pool.h"

namespace relayer::server {

IoPool::IoPool(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
  }
}

IoPool::~IoPool() {
  Stop();
  // The listener's acceptor lives on context 0 while connections on the others may keep the
  // listener alive: destroy those first, so nothing outlives the services it uses.
  while (!contexts_.empty()) contexts_.pop_back();
}

void IoPool::Start() {
  for (auto& c : contexts_) {
    guards_.emplace_back(c->get_executor());
    threads_.emplace_back([ctx = c.get()] { ctx->run(); });
  }
}

void IoPool::Stop() {
  guards_.clear();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

boost::asio::io_context& IoPool::Next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

}  // namespace relayer::server
