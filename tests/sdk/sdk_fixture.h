// Fixture for the SDK tests: a real server on 127.0.0.1 (tests/integration/test_server.h) whose
// port stays the same across restarts (so an SDK client can find it again), SDK clients that
// sign their identity tokens with the test key, and blocking helpers for the test thread.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "integration/test_server.h"
#include "relayer/client.h"

namespace relayer::sdk::test {

// Collects events of one kind from the SDK thread for the test thread.
template <typename Event>
class Events {
 public:
  void Add(const Event& e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  std::vector<Event> Snapshot() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return events_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

class SdkTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  it::TestServer& server() { return *server_; }
  uint16_t port() const { return *port_; }
  ClientOptions Options(const std::string& queue_path = "");
  std::unique_ptr<Client> NewClient(const std::string& queue_path = "");
  // A client connected as `user` (fails the test when it does not connect in time).
  std::unique_ptr<Client> Connected(const std::string& user, const std::string& queue_path = "");
  // Waits for a StatusCallback-style result.
  static Status Wait(std::future<Status>& f, int timeout_ms = 10000);
  // The messages of a conversation as `user` sees them over REST (all pages).
  std::vector<std::string> MessageTexts(const std::string& user, const std::string& conv_id);
  std::string TempPath(const std::string& name);

 private:
  std::shared_ptr<uint16_t> port_ = std::make_shared<uint16_t>(0);
  std::unique_ptr<it::TestServer> server_;
  std::vector<std::string> temp_files_;
};

// A StatusCallback that fulfils a promise; pair with SdkTest::Wait.
std::pair<StatusCallback, std::future<Status>> StatusPromise();

}  // namespace relayer::sdk::test
