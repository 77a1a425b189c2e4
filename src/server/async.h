// Bridges from coroutines on network threads to blocking work: store reads run on a pool made
// for blocking calls, store writes complete on the store's writer thread; either way the
// coroutine resumes on its own executor, so network threads never wait on the disk.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <type_traits>

#include "store/store.h"

namespace relayer::server {

// Runs `f()` on `pool` and returns its result to the awaiting coroutine.
template <class F>
auto RunBlocking(boost::asio::thread_pool& pool, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F>> {
  using R = std::invoke_result_t<F>;
  // Result<T> has no default constructor; carry it in a shared_ptr through the handler.
  auto result = co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::shared_ptr<R>)>(
      [&pool, f = std::move(f)](auto handler) mutable {
        boost::asio::post(pool, [f = std::move(f), handler = std::move(handler)]() mutable {
          auto r = std::make_shared<R>(f());
          auto ex = boost::asio::get_associated_executor(handler);
          boost::asio::dispatch(ex, [handler = std::move(handler), r]() mutable {
            std::move(handler)(r);
          });
        });
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

// Submits `op` to the store and resumes when it has committed (or failed).
inline boost::asio::awaitable<WriteResult> Write(Store& store, WriteOp op) {
  auto result = co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::shared_ptr<WriteResult>)>(
      [&store, op = std::move(op)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        store.Submit(std::move(op), [shared](WriteResult r) {
          auto ex = boost::asio::get_associated_executor(*shared);
          auto p = std::make_shared<WriteResult>(std::move(r));
          boost::asio::post(ex, [shared, p]() mutable { std::move(*shared)(p); });
        });
      },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace relayer::server
