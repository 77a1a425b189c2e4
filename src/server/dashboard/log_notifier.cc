#include "server/dashboard/log_notifier.h"

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace relayer::server {
namespace asio = boost::asio;

// The timer is only touched under `mu`, so a Notify on the writer thread never races the
// request's own thread starting the wait.
struct SyncLogNotifier::Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
  std::mutex mu;
  bool woken = false;
  asio::steady_timer timer;
};

namespace {

// Resumes the awaiting coroutine once `w` is woken or its timer expires. Not a coroutine itself
// (see server/async.h).
asio::awaitable<void> AwaitWake(std::shared_ptr<SyncLogNotifier::Waiter> w) {
  return asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [](auto handler, std::shared_ptr<SyncLogNotifier::Waiter> w) {
        std::lock_guard lock(w->mu);
        if (w->woken) {
          asio::post(w->timer.get_executor(),
                     [h = std::move(handler)]() mutable { std::move(h)(); });
          return;
        }
        w->timer.async_wait(
            [h = std::move(handler)](const boost::system::error_code&) mutable { std::move(h)(); });
      },
      asio::use_awaitable, std::move(w));
}

}  // namespace

uint64_t SyncLogNotifier::Generation(const AppId& app) const {
  std::lock_guard lock(mu_);
  auto it = generation_.find(app);
  return it == generation_.end() ? 0 : it->second;
}

void SyncLogNotifier::Notify(const AppId& app) {
  std::vector<std::shared_ptr<Waiter>> wake;
  {
    std::lock_guard lock(mu_);
    ++generation_[app];
    auto it = waiters_.find(app);
    if (it != waiters_.end()) wake = it->second;
  }
  for (auto& w : wake) {
    std::lock_guard lock(w->mu);
    w->woken = true;
    w->timer.cancel();
  }
}

void SyncLogNotifier::Unregister(const AppId& app, const std::shared_ptr<Waiter>& w) {
  std::lock_guard lock(mu_);
  auto it = waiters_.find(app);
  if (it == waiters_.end()) return;
  auto& list = it->second;
  auto found = std::find(list.begin(), list.end(), w);
  if (found == list.end()) return;
  list.erase(found);
  if (list.empty()) waiters_.erase(it);
  --waiting_;
}

size_t SyncLogNotifier::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

asio::awaitable<SyncLogNotifier::Outcome> SyncLogNotifier::Wait(
    AppId app, uint64_t seen, std::chrono::steady_clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  auto w = std::make_shared<Waiter>(ex);
  w->timer.expires_at(deadline);
  Outcome early = Outcome::kDeadline;
  {
    std::lock_guard lock(mu_);
    auto it = generation_.find(app);
    if ((it == generation_.end() ? 0 : it->second) != seen) {
      early = Outcome::kWoken;
    } else if (waiting_ >= max_waiting_) {
      early = Outcome::kBusy;
    } else {
      waiters_[app].push_back(w);
      ++waiting_;
    }
  }
  if (early != Outcome::kDeadline) co_return early;
  // Unregisters however the wait ends, also when the server shuts down and destroys this
  // coroutine mid-wait: no timer may outlive its io_context in waiters_.
  struct Registration {
    SyncLogNotifier* notifier;
    const AppId& app;
    const std::shared_ptr<Waiter>& w;
    ~Registration() { notifier->Unregister(app, w); }
  } registration{this, app, w};
  auto wake_aw = AwaitWake(w);
  co_await std::move(wake_aw);
  bool woken = false;
  {
    std::lock_guard lock(w->mu);
    woken = w->woken;
  }
  co_return woken ? Outcome::kWoken : Outcome::kDeadline;
}

}  // namespace relayer::server
