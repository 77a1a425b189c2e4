// Bridges from coroutines on network threads to blocking work: store reads run on a pool made
// for blocking calls, store writes complete on the store's writer thread; either way the
// coroutine resumes on its own executor, so network threads never wait on the disk.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/batch_scope.h"
#include "store/store.h"

namespace relayer::server {

// Runs `f()` on `pool` and returns its result to the awaiting coroutine.
// Deliberately not a coroutine itself (g++ 12 mishandles by-value coroutine parameters).
template <class F>
auto RunBlocking(boost::asio::thread_pool& pool, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F>> {
  using R = std::invoke_result_t<F>;
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
      [&pool](auto handler, F f) {
        boost::asio::post(pool, [f = std::move(f), handler = std::move(handler)]() mutable {
          auto r = std::make_shared<R>(f());
          auto ex = boost::asio::get_associated_executor(handler);
          boost::asio::dispatch(ex, [handler = std::move(handler), r]() mutable {
            std::move(handler)(std::move(*r));
          });
        });
      },
      boost::asio::use_awaitable, std::move(f));
}

// Posts `f` to `ex`. Inside a store's BatchScope (a group commit handing back its results), the
// work for each executor is gathered and posted once when the scope ends, in order: a network
// thread wakes once per commit instead of once per write, and is not woken while the writer still
// runs callbacks on the same core.
inline void PostCompletion(const boost::asio::any_io_executor& ex, std::function<void()> f) {
  if (!BatchScope::Active()) {
    boost::asio::post(ex, std::move(f));
    return;
  }
  using Work = std::vector<std::function<void()>>;
  thread_local std::vector<std::pair<boost::asio::any_io_executor, Work>> gathered;
  if (gathered.empty()) {
    BatchScope::AtEnd([] {
      auto all = std::move(gathered);
      gathered.clear();
      for (auto& [target, work] : all) {
        boost::asio::post(target, [work = std::move(work)] {
          for (const auto& w : work) w();
        });
      }
    });
  }
  for (auto& [target, work] : gathered) {
    if (target == ex) {
      work.push_back(std::move(f));
      return;
    }
  }
  gathered.emplace_back(ex, Work{});
  gathered.back().second.push_back(std::move(f));
}

// Submits `op` to the store and resumes when it has committed (or failed).
inline boost::asio::awaitable<WriteResult> Write(Store& store, WriteOp op) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(WriteResult)>(
      [&store](auto handler, WriteOp op) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        store.Submit(std::move(op), [shared](WriteResult r) {
          boost::asio::any_io_executor ex = boost::asio::get_associated_executor(*shared);
          auto p = std::make_shared<WriteResult>(std::move(r));
          PostCompletion(ex, [shared, p]() mutable { std::move (*shared)(std::move(*p)); });
        });
      },
      boost::asio::use_awaitable, std::move(op));
}

}  // namespace relayer::server
// Note for every coroutine in the server: g++ 12 destroys some temporaries of a co_await
// expression twice (lambda captures, converted arguments, std::string). Build the awaitable in
// its own statement and `co_await std::move(awaitable)`; never create temporaries inside co_await.
