// Small coroutine helpers for the scenarios. Every coroutine here takes only pointers and
// trivially copyable values (g++ 12 mishandles some by-value coroutine parameters), and every
// awaitable is built in its own statement before `co_await std::move(...)` (g++ 12 destroys
// temporaries inside a co_await expression twice).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace relayer::bench {

using Clock = std::chrono::steady_clock;

inline int64_t NanosBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

// Resumes its waiter once CountDown() was called `count` times. One waiter.
class Latch {
 public:
  Latch(boost::asio::any_io_executor ex, size_t count) : timer_(ex), count_(count) {
    timer_.expires_at(boost::asio::steady_timer::time_point::max());
  }
  void CountDown() {
    if (count_ > 0 && --count_ == 0) timer_.cancel();
  }
  boost::asio::awaitable<void> Wait() {
    while (count_ > 0) {
      boost::system::error_code ec;
      auto aw = timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      co_await std::move(aw);
    }
  }

 private:
  boost::asio::steady_timer timer_;
  size_t count_;
};

inline boost::asio::awaitable<void> SleepUntil(Clock::time_point when) {
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex, when);
  boost::system::error_code ec;
  auto aw = timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  co_await std::move(aw);
}

template <class Ctx>
using Job = boost::asio::awaitable<void> (*)(Ctx* ctx, size_t worker, size_t index);

namespace detail {
template <class Ctx>
boost::asio::awaitable<void> Worker(Ctx* ctx, Job<Ctx> job, size_t worker, size_t* next, size_t n,
                                    Latch* latch) {
  while (*next < n) {
    const size_t index = (*next)++;
    auto aw = job(ctx, worker, index);
    co_await std::move(aw);
  }
  latch->CountDown();
}
}  // namespace detail

// Runs job(ctx, worker, i) for i in [0, n) on `workers` coroutines and resumes when all are done.
template <class Ctx>
boost::asio::awaitable<void> ForEach(Ctx* ctx, Job<Ctx> job, size_t n, size_t workers) {
  auto ex = co_await boost::asio::this_coro::executor;
  size_t next = 0;
  if (workers == 0) workers = 1;
  Latch latch(ex, workers);
  for (size_t w = 0; w < workers; ++w) {
    auto worker = detail::Worker(ctx, job, w, &next, n, &latch);
    boost::asio::co_spawn(ex, std::move(worker), boost::asio::detached);
  }
  auto wait_aw = latch.Wait();
  co_await std::move(wait_aw);
}

}  // namespace relayer::bench
