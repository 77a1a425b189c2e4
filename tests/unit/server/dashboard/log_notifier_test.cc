// SyncLogNotifier: a wait ends on Notify for its app, at its deadline, at once when a Notify
// came after the generation it saw, and not at all beyond the bound of waiting requests.
#include "server/dashboard/log_notifier.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>

namespace relayer::server {
namespace {

namespace asio = boost::asio;
using Outcome = SyncLogNotifier::Outcome;
using std::chrono::steady_clock;

const AppId kApp{"a0000000-0000-4000-8000-000000000001"};
const AppId kOther{"a0000000-0000-4000-8000-000000000002"};

void Spawn(asio::io_context& io, SyncLogNotifier& n, AppId app, uint64_t seen,
           steady_clock::duration in, std::optional<Outcome>& out) {
  asio::co_spawn(
      io,
      [&n, app, seen, in, &out]() -> asio::awaitable<void> {
        auto aw = n.Wait(app, seen, steady_clock::now() + in);
        out = co_await std::move(aw);
      },
      asio::detached);
}

TEST(SyncLogNotifier, NotifyWakesOnlyThatAppsWaiters) {
  asio::io_context io;
  SyncLogNotifier n(10);
  std::optional<Outcome> mine, other;
  Spawn(io, n, kApp, n.Generation(kApp), std::chrono::seconds(30), mine);
  Spawn(io, n, kOther, n.Generation(kOther), std::chrono::milliseconds(300), other);
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(n.waiting(), 2u);
  std::thread writer([&] { n.Notify(kApp); });  // from another thread, like the writer's
  writer.join();
  io.run();
  EXPECT_EQ(mine, Outcome::kWoken);
  EXPECT_EQ(other, Outcome::kDeadline);
  EXPECT_EQ(n.waiting(), 0u);
}

TEST(SyncLogNotifier, ANotifySinceTheGenerationSeenReturnsAtOnce) {
  asio::io_context io;
  SyncLogNotifier n(10);
  const uint64_t seen = n.Generation(kApp);
  n.Notify(kApp);
  std::optional<Outcome> out;
  Spawn(io, n, kApp, seen, std::chrono::seconds(30), out);
  io.run();
  EXPECT_EQ(out, Outcome::kWoken);
}

TEST(SyncLogNotifier, WaitersBeyondTheBoundAreBusy) {
  asio::io_context io;
  SyncLogNotifier n(1);
  std::optional<Outcome> first, second;
  Spawn(io, n, kApp, 0, std::chrono::milliseconds(200), first);
  io.run_for(std::chrono::milliseconds(20));
  Spawn(io, n, kOther, 0, std::chrono::seconds(30), second);
  io.run();
  EXPECT_EQ(second, Outcome::kBusy);
  EXPECT_EQ(first, Outcome::kDeadline);
}

}  // namespace
}  // namespace relayer::server
