// The store conformance suite: every test runs against every backend listed in
// store_backends.cc. A new backend (PostgreSQL) is one more factory there.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "store/store.h"

namespace relayer::testing {

struct StoreBackend {
  std::string name;
  // Opens the store kept in `location` (a fresh temp dir per test; the same dir on reopen).
  std::function<Result<std::unique_ptr<Store>>(const std::string& location, const Limits&,
                                               size_t max_batch)>
      open;
  // Called when a test ends, to free what the backend keeps outside `location` (may be empty).
  std::function<void(const std::string& location)> cleanup;
  // Tests (by name, without the backend suffix) that this backend does not pass yet: skipped
  // with a message saying so. Keep it accurate; an empty list is the goal.
  std::set<std::string> pending;
  // Non-empty: why every test of this backend is skipped now (e.g. no server to test against).
  // Asked when a test runs, not when tests are listed, so that the list never depends on it.
  std::function<std::string()> unavailable;
};

std::vector<StoreBackend> AllStoreBackends();
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)opens the store on the same data with the given limits and batch size.
  void Open(const Limits& limits = Limits(), size_t max_batch = 1000);
  void Close();
  Store& store() { return *store_; }

  WriteResult Write(WriteOp op) { return SubmitAndWait(*store_, std::move(op)); }

  // Fresh ids and a clock that moves forward by one millisecond per call.
  static ConversationId NewConversationId();
  static MessageId NewMessageId();
  TimeMs Now() { return now_ += 1; }

  // Helpers for the common writes; they assert success.
  Conversation MakeConversation(const std::string& creator, std::vector<std::string> others,
                                bool distinct = false,
                                std::optional<boost::json::object> metadata = std::nullopt);
  CreateConversationOp ConversationOp(const std::string& creator, std::vector<std::string> others,
                                      bool distinct = false);
  Message Send(const ConversationId& conversation, const std::string& sender,
               const std::string& text = "hi");
  CreateMessageOp MessageOp(const ConversationId& conversation, const std::string& sender,
                            const std::string& text = "hi");
  // Sends one message per stamp (as its `now`), in that order; the seq of each one's change.
  std::vector<int64_t> SendStamped(const ConversationId& conversation, const std::string& sender,
                                   const std::vector<TimeMs>& stamps);
  void Receipt(const MessageId& message, const std::string& user, ReceiptType type);
  int64_t Unread(const ConversationId& conversation, const std::string& user);
  std::vector<Change> Changes(const std::string& user, int64_t after_seq = 0);

  const AppId app_{"a0000000-0000-4000-8000-000000000001"};
  std::string location_;
  std::unique_ptr<Store> store_;
  TimeMs now_ = 1'700'000'000'000;
};

UserId U(const std::string& s);

}  // namespace relayer::testing
