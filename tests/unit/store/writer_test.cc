// The writer: group commit, isolation of failing operations, durability, closing.
#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

// Collects asynchronous results.
class Collector {
 public:
  WriteCallback Slot(size_t i) {
    return [this, i](WriteResult r) {
      std::lock_guard lock(mu_);
      results_[i] = std::move(r);
      ++done_;
      cv_.notify_all();
    };
  }
  void Resize(size_t n) { results_.resize(n); }
  void WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_ >= n; });
  }
  std::vector<WriteResult>& results() { return results_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t done_ = 0;
  std::vector<WriteResult> results_;
};

TEST_P(StoreConformance, GroupCommitBatchesConcurrentSubmissions) {
  Conversation c = MakeConversation("alice", {"bob", "carol"});
  constexpr size_t kThreads = 4, kPerThread = 250, kTotal = kThreads * kPerThread;
  const StoreStats before = store().Stats();
  Collector collector;
  collector.Resize(kTotal);
  std::vector<CreateMessageOp> ops;
  for (size_t i = 0; i < kTotal; ++i) ops.push_back(MessageOp(c.id, i % 2 ? "alice" : "bob"));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
        store().Submit(ops[i], collector.Slot(i));  // no waiting between submissions
      }
    });
  }
  for (auto& t : threads) t.join();
  collector.WaitFor(kTotal);

  std::set<int64_t> positions;
  for (const WriteResult& r : collector.results()) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    positions.insert(r.message->position);
  }
  EXPECT_EQ(positions.size(), kTotal);
  EXPECT_EQ(*positions.begin(), 1);
  EXPECT_EQ(*positions.rbegin(), static_cast<int64_t>(kTotal));  // unique and contiguous
  auto conv = store().GetConversation(app_, U("carol"), c.id);
  EXPECT_EQ(conv->total_message_count, static_cast<int64_t>(kTotal));
  EXPECT_EQ(conv->unread_message_count, static_cast<int64_t>(kTotal));

  // The backend reports its commits (a backend without statistics reports zeros).
  const StoreStats after = store().Stats();
  if (after.commits > 0) {
    EXPECT_EQ(after.committed_ops - before.committed_ops, kTotal);
    EXPECT_LT(after.commits - before.commits, kTotal);  // several operations per transaction
    EXPECT_GT(after.largest_batch, 1u);
    std::cout << "[ stats    ] " << after.commits - before.commits << " commits for " << kTotal
              << " operations, largest batch " << after.largest_batch << "\n";
  }
}

TEST_P(StoreConformance, BatchSizeIsBoundedByMaxBatch) {
  Open(Limits(), /*max_batch=*/4);
  Conversation c = MakeConversation("alice", {"bob"});
  Collector collector;
  collector.Resize(100);
  for (size_t i = 0; i < 100; ++i) store().Submit(MessageOp(c.id, "alice"), collector.Slot(i));
  collector.WaitFor(100);
  for (const WriteResult& r : collector.results()) ASSERT_TRUE(r.status.ok());
  if (store().Stats().commits > 0) {
    EXPECT_LE(store().Stats().largest_batch, 4u);
  }
}

TEST_P(StoreConformance, FailingOperationInABatchDoesNotAffectTheOthers) {
  Conversation c = MakeConversation("alice", {"bob"});
  Collector collector;
  collector.Resize(4);
  // The first callback holds the writer until the next three are queued: they share one batch.
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool open = false, entered = false;
  auto first_done = collector.Slot(0);
  StoreStats before;
  store().Submit(MessageOp(c.id, "bob", "first"), [&](WriteResult r) {
    std::unique_lock lock(gate_mu);
    before = store().Stats();  // the first operation's commit is counted by now
    entered = true;
    gate_cv.notify_all();
    gate_cv.wait(lock, [&] { return open; });
    first_done(std::move(r));
  });
  {
    std::unique_lock lock(gate_mu);
    gate_cv.wait(lock, [&] { return entered; });
  }
  CreateMessageOp bad = MessageOp(c.id, "alice");
  bad.parts[0].mime_type = "nonsense";
  store().Submit(MessageOp(c.id, "alice", "before"), collector.Slot(1));
  store().Submit(bad, collector.Slot(2));
  store().Submit(MessageOp(c.id, "bob", "after"), collector.Slot(3));
  {
    std::lock_guard lock(gate_mu);
    open = true;
  }
  gate_cv.notify_all();
  collector.WaitFor(4);
  auto& r = collector.results();
  ASSERT_TRUE(r[1].status.ok());
  EXPECT_EQ(r[2].status.code(), ErrorCode::kInvalidProperty);
  EXPECT_TRUE(r[2].changes.empty());
  EXPECT_FALSE(r[2].message.has_value());
  ASSERT_TRUE(r[3].status.ok());
  EXPECT_EQ(r[1].message->position, 2);
  EXPECT_EQ(r[3].message->position, 3);
  if (store().Stats().commits > 0) {
    EXPECT_EQ(store().Stats().commits - before.commits, 1u);  // the three shared a transaction
  }
  auto list = store().ListMessages(app_, U("alice"), c.id, Page{});
  EXPECT_EQ(list->total, 3);
  EXPECT_EQ(Unread(c.id, "bob"), 1);
  EXPECT_EQ(Unread(c.id, "alice"), 2);
}

TEST_P(StoreConformance, CallbacksRunInSubmissionOrderAndSeeCommittedData) {
  Conversation c = MakeConversation("alice", {"bob"});
  std::mutex mu;
  std::vector<int64_t> order;
  Collector collector;
  collector.Resize(50);
  for (size_t i = 0; i < 50; ++i) {
    store().Submit(MessageOp(c.id, "alice"), [&, i](WriteResult r) {
      {
        std::lock_guard lock(mu);
        order.push_back(r.message ? r.message->position : -1);
      }
      collector.Slot(i)(std::move(r));
    });
  }
  collector.WaitFor(50);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], static_cast<int64_t>(i + 1));
  // A read started after a callback ran sees that write.
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 50);
}

TEST_P(StoreConformance, DataSurvivesCloseAndReopen) {
  Conversation c = MakeConversation("alice", {"bob"}, true, boost::json::object{{"k", "v"}});
  Message m = Send(c.id, "alice", "durable");
  Receipt(m.id, "bob", ReceiptType::kDelivery);
  ASSERT_TRUE(Write(CreateNonceOp{app_, Nonce("n"), 1, 2}).status.ok());
  const int64_t last_seq = Changes("bob").back().seq;

  Open();  // closes the store and opens the same data again
  auto conv = store().GetConversation(app_, U("bob"), c.id);
  ASSERT_TRUE(conv.ok()) << conv.status().message();
  EXPECT_TRUE(conv->distinct);
  EXPECT_EQ(conv->metadata, (boost::json::object{{"k", "v"}}));
  EXPECT_EQ(conv->unread_message_count, 1);
  auto msg = store().GetMessage(app_, U("bob"), m.id);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->parts.at(0).body, "durable");
  EXPECT_EQ(msg->recipient_status.at(U("bob")), ReceiptState::kDelivered);
  EXPECT_EQ(Changes("bob").back().seq, last_seq);
  // Writing continues where it stopped.
  EXPECT_EQ(Send(c.id, "bob").position, 2);
  EXPECT_GT(Changes("bob").back().seq, last_seq);
  EXPECT_EQ(Write(ConversationOp("bob", {"alice"}, true)).outcome, CreateOutcome::kExisting);
}

TEST_P(StoreConformance, CloseRunsQueuedWritesAndLaterSubmitsAreServiceUnavailable) {
  Conversation c = MakeConversation("alice", {"bob"});
  Collector collector;
  collector.Resize(21);
  for (size_t i = 0; i < 20; ++i) store().Submit(MessageOp(c.id, "alice"), collector.Slot(i));
  store().Close();
  store().Close();  // idempotent
  store().Submit(MessageOp(c.id, "alice"), collector.Slot(20));
  collector.WaitFor(21);
  for (size_t i = 0; i < 20; ++i) EXPECT_TRUE(collector.results()[i].status.ok());
  EXPECT_EQ(collector.results()[20].status.code(), ErrorCode::kServiceUnavailable);
  Open();
  EXPECT_EQ(store().GetConversation(app_, U("bob"), c.id)->total_message_count, 20);
}

TEST_P(StoreConformance, ReadsFromManyThreadsRunConcurrentlyWithWrites) {
  Conversation c = MakeConversation("alice", {"bob"});
  std::atomic<bool> stop{false};
  std::atomic<int> read_errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto conv = store().GetConversation(app_, U("bob"), c.id);
        auto list = store().ListMessages(app_, U("bob"), c.id, Page{10, std::nullopt});
        if (!conv.ok() || !list.ok()) ++read_errors;
        // A consistent snapshot: the conversation's count never runs ahead of its unread count.
        if (conv.ok() && conv->unread_message_count != conv->total_message_count) ++read_errors;
      }
    });
  }
  for (int i = 0; i < 100; ++i) Send(c.id, "alice");
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_EQ(Unread(c.id, "bob"), 100);
}

}  // namespace
}  // namespace relayer::testing
