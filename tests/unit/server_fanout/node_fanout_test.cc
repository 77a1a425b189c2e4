// NodeFanout, two of them ("nodes") on the real Redis in RELAYER_TEST_REDIS (skipped with a
// message when unset), over an in-memory per-user change log standing in for the shared store.
// Every wait has a deadline.
#include "server/fanout/node_fanout.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace relayer::fanout {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;

std::string Unique(const std::string& what) {
  static std::mt19937_64 rng(std::random_device{}());
  return what + "-" + std::to_string(rng());
}

// The shared store's per-user change logs: what UserChangesAfter would read.
class FakeLog : public UserLog {
 public:
  Result<int64_t> Head(const AppId& app, const UserId& user) override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(logs_[{app, user}].size());
  }
  Result<std::vector<UserEvent>> After(const AppId& app, const UserId& user, int64_t after,
                                       size_t limit) override {
    std::lock_guard lock(mu_);
    ++reads_;
    const auto& log = logs_[{app, user}];
    std::vector<UserEvent> out;
    for (size_t i = static_cast<size_t>(after); i < log.size() && out.size() < limit; ++i) {
      out.push_back(log[i]);
    }
    return out;
  }
  // Commits one change for `users`: numbers it in each user's log and returns the write.
  std::shared_ptr<const WriteResult> Commit(const AppId& app, const std::vector<UserId>& users,
                                            ChangeOp op, const std::string& object_id) {
    auto result = std::make_shared<WriteResult>();
    Change c;
    c.seq = ++seq_;
    c.ts = 1000 + c.seq;
    c.op = op;
    c.type = ObjectType::kMessage;
    c.object_id = object_id;
    c.conversation_id = ConversationId("5bd1dd9a-2ec1-4c46-b8b6-3e2b1d3ec6a1");
    if (op == ChangeOp::kCreate) {
      Message m;
      m.id = MessageId(object_id);
      result->message = m;
    } else {
      c.data_json = R"([{"operation":"set","property":"recipient_status.x","value":"read"}])";
    }
    std::lock_guard lock(mu_);
    for (const auto& u : users) {
      auto& log = logs_[{app, u}];
      c.recipients.push_back(u);
      c.user_seqs.push_back(static_cast<int64_t>(log.size()) + 1);
      UserEvent e;
      e.user_seq = c.user_seqs.back();
      e.change = c;
      e.objects = result;  // the store can always read the object back
      log.push_back(e);
    }
    result->changes.push_back(c);
    return result;
  }
  size_t reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<AppId, UserId>, std::vector<UserEvent>> logs_;
  int64_t seq_ = 0;
  size_t reads_ = 0;
};

// What one node handed to its sockets.
struct Sockets {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<int64_t>> delivered;    // user -> user_seqs, in order
  std::map<std::string, std::vector<std::string>> objects;  // user -> object ids of creates
  std::map<std::string, std::vector<std::string>> signals;
  std::map<std::string, int64_t> ready;

  NodeFanoutHandlers Handlers() {
    NodeFanoutHandlers h;
    h.deliver = [this](const AppId&, const UserId& u, const UserEvent& e) {
      std::lock_guard lock(mu);
      delivered[u.str()].push_back(e.user_seq);
      if (e.change.op == ChangeOp::kCreate && e.objects && e.objects->message) {
        objects[u.str()].push_back(e.objects->message->id.str());
      }
      cv.notify_all();
    };
    h.signal = [this](const AppId&, const UserId& u, const std::string& body, TimeMs) {
      std::lock_guard lock(mu);
      signals[u.str()].push_back(body);
      cv.notify_all();
    };
    h.ready = [this](const AppId&, const UserId& u, int64_t head) {
      std::lock_guard lock(mu);
      ready[u.str()] = head;
      cv.notify_all();
    };
    return h;
  }
  template <class Pred>
  bool WaitFor(Pred pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kDeadline, pred);
  }
  std::vector<int64_t> Of(const UserId& u) {
    std::lock_guard lock(mu);
    return delivered[u.str()];
  }
};

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

// Kills the Redis connections named `name` (CLIENT KILL ID), as an outage would.
int KillClients(const RedisBusOptions& o, const std::string& name) {
  const timeval tv{5, 0};
  redisContext* ctx = redisConnectWithTimeout(o.host.c_str(), o.port, tv);
  if (!ctx || ctx->err) return -1;
  auto* list = static_cast<redisReply*>(redisCommand(ctx, "CLIENT LIST"));
  int killed = 0;
  if (list && list->type == REDIS_REPLY_STRING) {
    std::istringstream lines(std::string(list->str, list->len));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" name=" + name + " ") == std::string::npos) continue;
      const std::string id = line.substr(3, line.find(' ') - 3);
      auto* r = static_cast<redisReply*>(redisCommand(ctx, "CLIENT KILL ID %s", id.c_str()));
      if (r && r->type == REDIS_REPLY_INTEGER) killed += static_cast<int>(r->integer);
      if (r) freeReplyObject(r);
    }
  }
  if (list) freeReplyObject(list);
  redisFree(ctx);
  return killed;
}

class NodeFanoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("RELAYER_TEST_REDIS");
    if (env == nullptr || *env == '\0')
      GTEST_SKIP() << "RELAYER_TEST_REDIS unset: source scripts/services.sh";
    auto o = RedisBusOptions::FromAddress(env);
    ASSERT_TRUE(o.ok());
    redis_ = *o;
    redis_.min_backoff = 20ms;
    redis_.max_backoff = 200ms;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    // A handler still running keeps its node alive; sockets_ outlive both threads.
    nodes_.clear();
    blocking_.join();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  NodeFanout& NewNode(Sockets& sockets, const std::string& name = "",
                      std::chrono::milliseconds min_backoff = 20ms) {
    NodeFanoutOptions options;
    options.redis = redis_;
    options.redis.client_name = name;
    options.redis.min_backoff = min_backoff;
    options.redis.max_backoff = std::max(min_backoff, options.redis.max_backoff);
    options.fill_page = 7;  // small pages: a fill reads several
    options.retry = 50ms;
    nodes_.push_back(std::make_unique<NodeFanout>(asio::make_strand(io_), io_.get_executor(),
                                                  blocking_, log_, options, sockets.Handlers()));
    return *nodes_.back();
  }

  // Connects `user` on `node` and waits until its cursor is set.
  bool Connect(NodeFanout& node, Sockets& sockets, const UserId& user) {
    node.UserConnected(app_, user);
    return sockets.WaitFor([&] { return sockets.ready.count(user.str()) > 0; });
  }

  RedisBusOptions redis_;
  AppId app_{"8f0e7d3c-0b3a-4c5e-9a41-2f1d6e1c9b77"};
  FakeLog log_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread thread_;
  asio::thread_pool blocking_{2};
  std::deque<Sockets> sockets_;  // before nodes_: outlives their handlers
  std::vector<std::unique_ptr<NodeFanout>> nodes_;
};

TEST_F(NodeFanoutTest, ChangesCommittedOnOneNodeReachTheOtherInOrderOnce) {
  Sockets& a_sockets = sockets_.emplace_back();
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& a = NewNode(a_sockets);
  NodeFanout& b = NewNode(b_sockets);
  UserId alice(Unique("alice")), bob(Unique("bob"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  ASSERT_TRUE(Connect(a, a_sockets, alice));
  for (int i = 0; i < 200; ++i) {
    a.Committed(app_, log_.Commit(app_, {alice, bob}, ChangeOp::kUpdate, Unique("m")));
  }
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.delivered[bob.str()].size() >= 200; }));
  ASSERT_TRUE(a_sockets.WaitFor([&] { return a_sockets.delivered[alice.str()].size() >= 200; }));
  std::this_thread::sleep_for(200ms);  // room for a repeat to show up
  EXPECT_EQ(b_sockets.Of(bob), Range(1, 200));
  EXPECT_EQ(a_sockets.Of(alice), Range(1, 200));  // local commits, not again from Redis
  EXPECT_TRUE(b_sockets.Of(alice).empty());       // alice has no socket on B
  EXPECT_TRUE(a_sockets.Of(bob).empty());
}

TEST_F(NodeFanoutTest, ACreateFromAnotherNodeIsReadFromTheStoreALocalOneIsNot) {
  Sockets& a_sockets = sockets_.emplace_back();
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& a = NewNode(a_sockets);
  NodeFanout& b = NewNode(b_sockets);
  UserId alice(Unique("alice")), bob(Unique("bob"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  ASSERT_TRUE(Connect(a, a_sockets, alice));
  const size_t reads_before = log_.reads();
  std::string id = Unique("message");
  a.Committed(app_, log_.Commit(app_, {alice, bob}, ChangeOp::kCreate, id));
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.objects[bob.str()].size() == 1; }));
  ASSERT_TRUE(a_sockets.WaitFor([&] { return a_sockets.objects[alice.str()].size() == 1; }));
  EXPECT_EQ(b_sockets.objects[bob.str()][0], id);
  EXPECT_EQ(a_sockets.objects[alice.str()][0], id);
  EXPECT_EQ(log_.reads(), reads_before + 1);  // B's fill; A rendered its own write
}

TEST_F(NodeFanoutTest, RepeatsAreDroppedAndAJumpIsFilledFromTheStore) {
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& b = NewNode(b_sockets);
  UserId bob(Unique("bob"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  // A raw publisher stands in for other nodes: repeats (Redis is at-least-once), then a jump
  // over changes whose notifications were lost.
  Sockets& other_sockets = sockets_.emplace_back();
  NodeFanout& other = NewNode(other_sockets);
  std::vector<std::shared_ptr<const WriteResult>> writes;
  for (int i = 0; i < 20; ++i) {
    writes.push_back(log_.Commit(app_, {bob}, ChangeOp::kUpdate, Unique("m")));
  }
  other.Committed(app_, writes[0]);
  other.Committed(app_, writes[0]);
  other.Committed(app_, writes[1]);
  other.Committed(app_, writes[0]);
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.delivered[bob.str()].size() >= 2; }));
  const size_t reads_before = log_.reads();
  other.Committed(app_, writes[19]);  // 3..19 never announced
  other.Committed(app_, writes[1]);
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.delivered[bob.str()].size() >= 20; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(b_sockets.Of(bob), Range(1, 20));
  EXPECT_GE(log_.reads(), reads_before + 3);  // 18 changes in pages of 7
}

TEST_F(NodeFanoutTest, ChangesLostInARedisOutageAreFilledAfterResubscribing) {
  Sockets& a_sockets = sockets_.emplace_back();
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& a = NewNode(a_sockets);
  const std::string b_name = Unique("relayer-test-node");
  // B stays away long enough for A's publishes to find no subscriber.
  NodeFanout& b = NewNode(b_sockets, b_name, 1500ms);
  UserId bob(Unique("bob")), carol(Unique("carol"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  ASSERT_TRUE(Connect(b, b_sockets, carol));
  a.Committed(app_, log_.Commit(app_, {bob, carol}, ChangeOp::kUpdate, Unique("m")));
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.delivered[carol.str()].size() == 1; }));
  ASSERT_EQ(KillClients(redis_, b_name + "-sub"), 1);
  for (int i = 0; i < 10; ++i) {
    a.Committed(app_, log_.Commit(app_, {bob, carol}, ChangeOp::kUpdate, Unique("m")));
  }
  // Nothing after the outage announces these: only the resubscribe fill can deliver them.
  ASSERT_TRUE(b_sockets.WaitFor([&] {
    return b_sockets.delivered[bob.str()].size() >= 11 &&
           b_sockets.delivered[carol.str()].size() >= 11;
  }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(b_sockets.Of(bob), Range(1, 11));
  EXPECT_EQ(b_sockets.Of(carol), Range(1, 11));
}

TEST_F(NodeFanoutTest, ACursorStartsAtTheHeadAndAReconnectedUserGetsOnlyNewChanges) {
  Sockets& a_sockets = sockets_.emplace_back();
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& a = NewNode(a_sockets);
  NodeFanout& b = NewNode(b_sockets);
  UserId bob(Unique("bob"));
  for (int i = 0; i < 3; ++i) log_.Commit(app_, {bob}, ChangeOp::kUpdate, Unique("m"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  EXPECT_EQ(b_sockets.ready[bob.str()], 3);  // older changes are the client's Event.replay
  a.Committed(app_, log_.Commit(app_, {bob}, ChangeOp::kUpdate, Unique("m")));
  ASSERT_TRUE(b_sockets.WaitFor([&] { return !b_sockets.delivered[bob.str()].empty(); }));
  // The last socket closes: B unsubscribes and forgets the cursor.
  b.UserDisconnected(app_, bob);
  a.Committed(app_, log_.Commit(app_, {bob}, ChangeOp::kUpdate, Unique("m")));
  {
    std::lock_guard lock(b_sockets.mu);
    b_sockets.ready.erase(bob.str());
  }
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  EXPECT_EQ(b_sockets.ready[bob.str()], 5);
  a.Committed(app_, log_.Commit(app_, {bob}, ChangeOp::kUpdate, Unique("m")));
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.delivered[bob.str()].size() >= 2; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(b_sockets.Of(bob), (std::vector<int64_t>{4, 6}));
}

TEST_F(NodeFanoutTest, TypingCrossesNodesAndIsNotEchoedToItsOwnNode) {
  Sockets& a_sockets = sockets_.emplace_back();
  Sockets& b_sockets = sockets_.emplace_back();
  NodeFanout& a = NewNode(a_sockets);
  NodeFanout& b = NewNode(b_sockets);
  UserId bob(Unique("bob"));
  ASSERT_TRUE(Connect(b, b_sockets, bob));
  ASSERT_TRUE(Connect(a, a_sockets, bob));  // bob on both nodes
  const std::string body = R"({"type":"typing_indicator","data":{"action":"started"}})";
  a.Signal(app_, {bob}, body, 1234);
  ASSERT_TRUE(b_sockets.WaitFor([&] { return b_sockets.signals[bob.str()].size() == 1; }));
  EXPECT_EQ(b_sockets.signals[bob.str()][0], body);
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(a_sockets.mu);
  EXPECT_TRUE(a_sockets.signals[bob.str()].empty());    // A's hub delivered it already
  EXPECT_TRUE(b_sockets.delivered[bob.str()].empty());  // a signal is no change
}

}  // namespace
}  // namespace relayer::fanout
