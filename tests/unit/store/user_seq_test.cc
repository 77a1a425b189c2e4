// Per-user change sequences (Store::HasUserSequences, docs/scaling.md) and several nodes writing
// one database. Backends without per-user sequences (SQLite: one node) skip these tests.
#include <map>
#include <set>
#include <thread>

#include "unit/store/store_fixture.h"

namespace relayer::testing {
namespace {

class UserSequences : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!store().HasUserSequences()) GTEST_SKIP() << GetParam().name << " keeps no user sequences";
  }

  // Every change of `user` by its own sequence, checked to be 1..head without gaps.
  std::vector<UserChange> AllOf(Store& s, const std::string& user) {
    auto head = s.UserSeqHead(app_, U(user));
    EXPECT_TRUE(head.ok()) << head.status().message();
    auto changes = s.UserChangesAfter(app_, U(user), 0, 1'000'000);
    EXPECT_TRUE(changes.ok()) << changes.status().message();
    if (!head.ok() || !changes.ok()) return {};
    EXPECT_EQ(static_cast<int64_t>(changes->size()), *head);
    for (size_t i = 0; i < changes->size(); ++i) {
      EXPECT_EQ((*changes)[i].user_seq, static_cast<int64_t>(i + 1));
    }
    return std::move(changes).value();
  }
};

TEST_P(UserSequences, ResultsCarryEachRecipientsNumberAndTheLogReadsBackInOrder) {
  auto empty = store().UserSeqHead(app_, U("alice"));
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(*empty, 0);
  Conversation c = MakeConversation("alice", {"bob"});
  WriteResult sent = Write(MessageOp(c.id, "bob"));
  ASSERT_TRUE(sent.status.ok());
  ASSERT_EQ(sent.changes.size(), 1u);
  const Change& change = sent.changes[0];
  ASSERT_EQ(change.user_seqs.size(), change.recipients.size());
  for (size_t i = 0; i < change.recipients.size(); ++i) EXPECT_EQ(change.user_seqs[i], 2);

  Conversation only_alice = MakeConversation("alice", {"carol"});
  std::vector<UserChange> alice = AllOf(store(), "alice");
  ASSERT_EQ(alice.size(), 3u);
  EXPECT_EQ(alice[0].change.object_id, c.id.str());
  EXPECT_EQ(alice[1].change.object_id, sent.message->id.str());
  EXPECT_EQ(alice[1].change.seq, change.seq);
  EXPECT_EQ(alice[1].change.recipients, change.recipients);
  EXPECT_EQ(alice[2].change.object_id, only_alice.id.str());
  EXPECT_EQ(AllOf(store(), "bob").size(), 2u);
  EXPECT_EQ(AllOf(store(), "carol").size(), 1u);

  // Paging: after a number, at most `limit`.
  auto page = store().UserChangesAfter(app_, U("alice"), 1, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].user_seq, 2);
  auto none = store().UserChangesAfter(app_, U("alice"), 3, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // The same changes as Event.replay's log, in the same order.
  std::vector<Change> replay = Changes("alice");
  ASSERT_EQ(replay.size(), alice.size());
  for (size_t i = 0; i < replay.size(); ++i) EXPECT_EQ(replay[i].seq, alice[i].change.seq);
}

TEST_P(UserSequences, AFailedOperationTakesNoNumber) {
  Conversation c = MakeConversation("alice", {"bob"});
  CreateMessageOp bad = MessageOp(c.id, "mallory");  // not a participant
  EXPECT_EQ(Write(bad).status.code(), ErrorCode::kNotFound);
  WriteResult ok = Write(MessageOp(c.id, "alice"));
  ASSERT_TRUE(ok.status.ok());
  EXPECT_EQ(ok.changes.at(0).user_seqs, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(AllOf(store(), "alice").size(), 2u);
}

// Two stores on one database are two nodes: their writers race on the same conversation, the
// same distinct participant set and the same users' sequences.
TEST_P(UserSequences, TwoNodesWritingTheSameConversationsStayConsistent) {
  auto second = GetParam().open(location_, Limits(), 1000);
  ASSERT_TRUE(second.ok()) << second.status().message();
  Store* nodes[2] = {&store(), second->get()};

  Conversation c = MakeConversation("alice", {"bob", "carol"});
  constexpr int kPerNode = 60;
  std::vector<WriteResult> results(2 * kPerNode);
  std::vector<CreateMessageOp> ops;
  for (int i = 0; i < 2 * kPerNode; ++i) ops.push_back(MessageOp(c.id, i % 3 ? "alice" : "bob"));
  std::vector<CreateConversationOp> distinct;
  for (int i = 0; i < 8; ++i) distinct.push_back(ConversationOp("bob", {"carol"}, true));
  std::vector<WriteResult> distinct_results(distinct.size());
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    for (int t = 0; t < 2; ++t) {  // two threads per node: batches form on both
      threads.emplace_back([&, n, t] {
        for (int i = n * kPerNode + t; i < (n + 1) * kPerNode; i += 2) {
          results[i] = SubmitAndWait(*nodes[n], ops[i]);
        }
      });
    }
    threads.emplace_back([&, n] {
      for (size_t i = n; i < distinct.size(); i += 2) {
        distinct_results[i] = SubmitAndWait(*nodes[n], distinct[i]);
      }
    });
  }
  for (auto& t : threads) t.join();

  std::set<int64_t> positions;
  for (const WriteResult& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    positions.insert(r.message->position);
  }
  EXPECT_EQ(positions.size(), results.size());
  EXPECT_EQ(*positions.rbegin(), static_cast<int64_t>(results.size()));
  int created = 0;
  for (const WriteResult& r : distinct_results) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    if (r.outcome == CreateOutcome::kCreated) ++created;
    EXPECT_EQ(r.conversation->id, distinct_results[0].conversation->id);
  }
  EXPECT_EQ(created, 1);

  // Each user's log is contiguous, holds every change of theirs exactly once, and agrees with
  // the numbers the writes reported; both nodes read the same.
  for (const char* user : {"alice", "bob", "carol"}) {
    std::map<int64_t, int64_t> reported;  // user_seq -> seq
    auto note = [&](const WriteResult& r) {
      for (const Change& ch : r.changes) {
        for (size_t i = 0; i < ch.recipients.size(); ++i) {
          if (ch.recipients[i] == U(user)) {
            EXPECT_TRUE(reported.emplace(ch.user_seqs[i], ch.seq).second) << user;
          }
        }
      }
    };
    for (const WriteResult& r : results) note(r);
    for (const WriteResult& r : distinct_results) note(r);
    for (Store* node : nodes) {
      std::vector<UserChange> log = AllOf(*node, user);
      for (const UserChange& uc : log) {
        auto it = reported.find(uc.user_seq);
        if (it != reported.end()) {
          EXPECT_EQ(it->second, uc.change.seq) << user;
        }
      }
      // Per user, the global seq grows with the user's own number.
      for (size_t i = 1; i < log.size(); ++i) EXPECT_LT(log[i - 1].change.seq, log[i].change.seq);
    }
  }
  (*second)->Close();
}

INSTANTIATE_TEST_SUITE_P(Backends, UserSequences, ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace relayer::testing
