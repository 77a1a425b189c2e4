// The delivery service on a store that other nodes write too (Store::SharesOutbox): it reads the
// outbox again every outbox_poll_ms without being poked, since other nodes' writes poke only their
// own service. On a store of its own it reads only when poked.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "server/app/publishing_store.h"
#include "server/delivery/delivery_service.h"

namespace relayer::server {
namespace {

namespace asio = boost::asio;

// A real SQLite store that says whether it is shared, and counts the outbox reads.
class CountingStore : public PublishingStore {
 public:
  CountingStore(Store& inner, bool shared)
      : PublishingStore(inner, [](const AppId&, std::shared_ptr<const WriteResult>) {}),
        shared_(shared) {}
  bool SharesOutbox() const override { return shared_; }
  Result<std::vector<DeliveryEvent>> PendingDeliveryEvents(size_t limit) override {
    ++reads;
    return PublishingStore::PendingDeliveryEvents(limit);
  }
  std::atomic<int> reads{0};

 private:
  const bool shared_;
};

class OutboxPoll : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("relayer_outbox_poll_" + std::to_string(GetParam()) + "_" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    SqliteOptions o;
    o.path = (dir_ / "relayer.db").string();
    auto opened = OpenSqliteStore(o);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    sqlite_ = std::move(opened).value();
  }
  void TearDown() override {
    if (sqlite_) sqlite_->Close();
    std::filesystem::remove_all(dir_);
  }

  // Runs a delivery service on `store` until `until` holds or 10 s pass.
  void Run(CountingStore& store, const std::function<bool()>& until) {
    asio::io_context io;
    asio::thread_pool blocking(1);
    auto work = asio::make_work_guard(io);
    DeliveryOptions options;
    options.outbox_poll_ms = 10;
    auto service = std::make_unique<DeliveryService>(store, blocking, io, nullptr, options,
                                                     [] { return TimeMs(1'700'000'000'000); });
    service->Start();
    std::thread runner([&] { io.run(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!until() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    io.stop();
    runner.join();
    blocking.join();
    service.reset();
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> sqlite_;
};

TEST_P(OutboxPoll, ASharedStoreIsReadAgainWithoutAPokeAndAnOwnStoreIsNot) {
  const bool shared = GetParam();
  CountingStore store(*sqlite_, shared);
  if (shared) {
    Run(store, [&] { return store.reads >= 3; });
    EXPECT_GE(store.reads, 3);
  } else {
    // Given time for many polls, a store of its own is read once, at Start().
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    Run(store, [&] { return std::chrono::steady_clock::now() >= until; });
    EXPECT_EQ(store.reads, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, OutboxPoll, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Shared" : "OwnStore"; });

}  // namespace
}  // namespace relayer::server
