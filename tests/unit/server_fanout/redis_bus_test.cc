// RedisBus against the real Redis in RELAYER_TEST_REDIS (scripts/services.sh starts it); the
// tests that need it skip with a message when it is unset. Every wait has a deadline.
#include "server/fanout/redis_bus.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

namespace relayer::fanout {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;

// A unique prefix per test so that runs sharing one Redis never see each other's messages.
std::string Unique(const std::string& what) {
  static std::mt19937_64 rng(std::random_device{}());
  return "relayer-test-" + what + "-" + std::to_string(rng());
}

// What a subscriber saw, filled on the bus's strand, read by the test thread.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> messages;
  std::vector<std::vector<std::string>> resubscribed;

  RedisBusHandlers Handlers() {
    return {[this](std::string_view c, std::string_view p) {
              std::lock_guard lock(mu);
              messages.emplace_back(std::string(c), std::string(p));
              cv.notify_all();
            },
            [this](const std::vector<std::string>& channels) {
              std::lock_guard lock(mu);
              resubscribed.push_back(channels);
              cv.notify_all();
            }};
  }
  // Waits until pred() holds (under the lock) or the deadline passes; returns pred().
  template <class Pred>
  bool WaitFor(Pred pred) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kDeadline, pred);
  }
  size_t CountOn(const std::string& channel) {
    size_t n = 0;
    for (const auto& m : messages) n += m.first == channel;
    return n;
  }
};

class RedisBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    buses_.clear();  // Stop() each bus; inboxes_ outlives the join below
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // RELAYER_TEST_REDIS, or an empty optional (the caller skips).
  static std::optional<RedisBusOptions> Server() {
    const char* env = std::getenv("RELAYER_TEST_REDIS");
    if (env == nullptr || *env == '\0') return std::nullopt;
    auto o = RedisBusOptions::FromAddress(env);
    if (!o.ok()) return std::nullopt;
    o->min_backoff = 20ms;
    o->max_backoff = 200ms;
    return *o;
  }

  // Inboxes live in the fixture: a callback may still run until TearDown has joined the thread.
  Inbox& NewInbox() { return inboxes_.emplace_back(); }

  RedisBus& NewBus(RedisBusOptions options, Inbox& inbox) {
    buses_.push_back(std::make_unique<RedisBus>(io_.get_executor(), options, inbox.Handlers()));
    return *buses_.back();
  }

  static bool SubscribeAndWait(RedisBus& bus, const std::string& channel) {
    auto done = std::make_shared<std::promise<void>>();
    auto confirmed = done->get_future();
    bus.Subscribe(channel, [done] { done->set_value(); });
    return confirmed.wait_for(kDeadline) == std::future_status::ready;
  }

  // The receiver count Redis answered, or -1 on error, -2 on no answer before the deadline.
  static std::int64_t PublishAndWait(RedisBus& bus, const std::string& channel,
                                     const std::string& payload) {
    auto done = std::make_shared<std::promise<std::int64_t>>();
    auto answer = done->get_future();
    bus.Publish(channel, payload,
                [done](Result<std::int64_t> r) { done->set_value(r.ok() ? *r : -1); });
    if (answer.wait_for(kDeadline) != std::future_status::ready) return -2;
    return answer.get();
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread thread_;
  std::deque<Inbox> inboxes_;  // declared before buses_, so destroyed after them
  std::vector<std::unique_ptr<RedisBus>> buses_;
};

#define REQUIRE_REDIS(opts)                                                                  \
  auto opts##_maybe = Server();                                                              \
  if (!opts##_maybe) GTEST_SKIP() << "RELAYER_TEST_REDIS unset: source scripts/services.sh"; \
  RedisBusOptions opts = *opts##_maybe

// A raw hiredis connection of the test's own, to kill the bus's connections from outside.
class Admin {
 public:
  explicit Admin(const RedisBusOptions& o) {
    const timeval tv{5, 0};
    ctx_ = redisConnectWithTimeout(o.host.c_str(), o.port, tv);
  }
  ~Admin() {
    if (ctx_) redisFree(ctx_);
  }
  bool ok() const { return ctx_ && !ctx_->err; }

  // Kills the connections named `name` of one type ("pubsub" or "normal"); returns how many.
  int KillNamed(const std::string& name, const std::string& type) {
    auto* list = static_cast<redisReply*>(redisCommand(ctx_, "CLIENT LIST TYPE %s", type.c_str()));
    if (list == nullptr || list->type != REDIS_REPLY_STRING) return -1;
    std::istringstream lines(std::string(list->str, list->len));
    freeReplyObject(list);
    int killed = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" name=" + name + " ") == std::string::npos) continue;
      const std::string id = line.substr(3, line.find(' ') - 3);  // "id=N addr=..."
      auto* r = static_cast<redisReply*>(redisCommand(ctx_, "CLIENT KILL ID %s", id.c_str()));
      if (r && r->type == REDIS_REPLY_INTEGER) killed += static_cast<int>(r->integer);
      if (r) freeReplyObject(r);
    }
    return killed;
  }

 private:
  redisContext* ctx_ = nullptr;
};

// A private redis-server child on a fixed port, so that a test can stop and restart the server
// without disturbing the shared one.
class RedisProcess {
 public:
  explicit RedisProcess(std::uint16_t port) : port_(std::to_string(port)) {}
  ~RedisProcess() { Stop(); }
  bool Start() {
    std::vector<std::string> args{"redis-server", "--bind", "127.0.0.1",    "--port", port_,
                                  "--save",       "",       "--appendonly", "no",     "--loglevel",
                                  "warning",      "--dir",  "/tmp"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid_, "redis-server", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
    return rc == 0;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);  // like a crash: no goodbye to the clients
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string port_;
  pid_t pid_ = -1;
};

TEST(RedisBusOptions, ParsesHostPortAndRejectsGarbage) {
  auto v4 = RedisBusOptions::FromAddress("127.0.0.1:6380");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 6380);
  auto v6 = RedisBusOptions::FromAddress("[::1]:7000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  for (const char* bad : {"", "localhost", ":6379", "host:", "host:0", "host:65536", "h:12x"}) {
    EXPECT_FALSE(RedisBusOptions::FromAddress(bad).ok()) << bad;
  }
}

TEST_F(RedisBusTest, PublishReachesSubscriberOnAnotherBus) {
  REQUIRE_REDIS(opts);
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string ch = Unique("user");
  ASSERT_TRUE(SubscribeAndWait(b, ch));
  EXPECT_EQ(PublishAndWait(a, ch, "hello"), 1);  // exactly one subscribed connection: b's
  ASSERT_TRUE(b_inbox.WaitFor([&] { return !b_inbox.messages.empty(); }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_EQ(b_inbox.messages.front(), std::make_pair(ch, std::string("hello")));
  EXPECT_TRUE(a_inbox.messages.empty());
}

TEST_F(RedisBusTest, DeliversOnlyChannelsItSubscribedTo) {
  REQUIRE_REDIS(opts);
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string mine = Unique("mine"), other = Unique("other"), later = Unique("later");
  ASSERT_TRUE(SubscribeAndWait(b, mine));
  ASSERT_TRUE(SubscribeAndWait(b, later));
  // One subscriber connection receives in publish order, so once "mine" is in, "other" (published
  // first) would be in too had it been delivered.
  EXPECT_EQ(PublishAndWait(a, other, "not for b"), 0);
  EXPECT_EQ(PublishAndWait(a, mine, "for b"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(mine) == 1; }));

  b.Unsubscribe(mine);
  // Redis may still send on `mine` until it has processed UNSUBSCRIBE; the bus drops those.
  PublishAndWait(a, mine, "after unsubscribe");
  EXPECT_EQ(PublishAndWait(a, later, "marker"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(later) == 1; }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_EQ(b_inbox.CountOn(other), 0u);
  EXPECT_EQ(b_inbox.CountOn(mine), 1u);
}

TEST_F(RedisBusTest, KeepsPublishOrderPerChannelFor1000Messages) {
  REQUIRE_REDIS(opts);
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string ch1 = Unique("order1"), ch2 = Unique("order2");
  ASSERT_TRUE(SubscribeAndWait(b, ch1));
  ASSERT_TRUE(SubscribeAndWait(b, ch2));
  ASSERT_EQ(PublishAndWait(a, ch1, "-1"), 1);  // the publisher is connected before the burst
  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) {
    a.Publish(ch1, std::to_string(i));
    a.Publish(ch2, std::to_string(kCount - i));
  }
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.messages.size() == 2 * kCount + 1; }))
      << "got " << b_inbox.messages.size();
  std::lock_guard lock(b_inbox.mu);
  int next1 = -1, next2 = kCount;
  for (const auto& [channel, payload] : b_inbox.messages) {
    if (channel == ch1) {
      ASSERT_EQ(payload, std::to_string(next1++));
    } else {
      ASSERT_EQ(channel, ch2);
      ASSERT_EQ(payload, std::to_string(next2--));
    }
  }
  EXPECT_EQ(next1, kCount);
  EXPECT_EQ(next2, 0);
}

TEST_F(RedisBusTest, BinaryPayloadWithNulBytesRoundTrips) {
  REQUIRE_REDIS(opts);
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  std::string ch = Unique("bin");
  ch += std::string("\0tail", 5);  // channel names are binary-safe too
  std::string payload;
  for (int i = 0; i < 512; ++i) payload.push_back(static_cast<char>(i % 256));
  payload += "\r\n$3\r\n";  // RESP framing inside the payload must not confuse the reader
  ASSERT_TRUE(SubscribeAndWait(b, ch));
  EXPECT_EQ(PublishAndWait(a, ch, payload), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return !b_inbox.messages.empty(); }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_EQ(b_inbox.messages.front().first, ch);
  EXPECT_EQ(b_inbox.messages.front().second, payload);
}

TEST_F(RedisBusTest, ResubscribesAndReportsTheGapAfterItsConnectionIsKilled) {
  REQUIRE_REDIS(opts);
  Admin admin(opts);
  ASSERT_TRUE(admin.ok());
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBusOptions b_opts = opts;
  b_opts.client_name = Unique("node-b");
  RedisBus& b = NewBus(b_opts, b_inbox);
  const std::string ch1 = Unique("gap1"), ch2 = Unique("gap2");
  ASSERT_TRUE(SubscribeAndWait(b, ch1));
  ASSERT_TRUE(SubscribeAndWait(b, ch2));
  EXPECT_EQ(PublishAndWait(a, ch1, "before"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(ch1) == 1; }));

  // Only b's subscriber connection: other test processes may share this Redis.
  ASSERT_EQ(admin.KillNamed(b_opts.client_name + "-sub", "pubsub"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.resubscribed.size() == 1; }))
      << "on_resubscribed was not called";
  {
    std::lock_guard lock(b_inbox.mu);
    auto got = b_inbox.resubscribed.front();
    std::sort(got.begin(), got.end());
    auto want = std::vector<std::string>{ch1, ch2};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }
  // on_resubscribed promises both channels are live again: the next publishes must arrive.
  EXPECT_EQ(PublishAndWait(a, ch1, "after1"), 1);
  EXPECT_EQ(PublishAndWait(a, ch2, "after2"), 1);
  ASSERT_TRUE(
      b_inbox.WaitFor([&] { return b_inbox.CountOn(ch1) == 2 && b_inbox.CountOn(ch2) == 1; }));
}

TEST_F(RedisBusTest, PublisherReconnectsAfterItsConnectionIsKilled) {
  REQUIRE_REDIS(opts);
  Admin admin(opts);
  ASSERT_TRUE(admin.ok());
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBusOptions a_opts = opts;
  a_opts.client_name = Unique("node-a");
  RedisBus& a = NewBus(a_opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string ch = Unique("pub");
  ASSERT_TRUE(SubscribeAndWait(b, ch));
  EXPECT_EQ(PublishAndWait(a, ch, "before"), 1);
  ASSERT_EQ(admin.KillNamed(a_opts.client_name + "-pub", "normal"), 1);
  // Whether or not the bus has noticed the kill yet, this publish waits for the reconnect (or is
  // sent again after it) and is answered.
  ASSERT_EQ(PublishAndWait(a, ch, "after"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(ch) >= 2; }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_EQ(b_inbox.messages.back().second, "after");
}

TEST_F(RedisBusTest, ResubscribesAfterTheRedisServerRestarts) {
  REQUIRE_REDIS(opts);  // the services are there, so redis-server is installed
  asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
  opts.port = probe.local_endpoint().port();
  probe.close();
  RedisProcess server(opts.port);
  ASSERT_TRUE(server.Start());
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string ch = Unique("restart");
  ASSERT_TRUE(SubscribeAndWait(b, ch)) << "private redis-server on " << opts.port << " not up";
  EXPECT_EQ(PublishAndWait(a, ch, "before"), 1);
  // Redis counted b as a receiver; b must also have read it before Redis goes away.
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(ch) >= 1; }));

  server.Stop();
  // Published while Redis is down: held until the publisher is back, then sent. Whether b hears
  // it depends on whether b has re-subscribed by then; that is the gap on_resubscribed reports.
  auto down_answer = std::make_shared<std::promise<bool>>();
  auto down_answered = down_answer->get_future();
  a.Publish(ch, "while down",
            [down_answer](Result<std::int64_t> r) { down_answer->set_value(r.ok()); });
  ASSERT_TRUE(server.Start());
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.resubscribed.size() == 1; }))
      << "on_resubscribed was not called after the restart";
  EXPECT_EQ(PublishAndWait(a, ch, "after"), 1);
  // Answers come in publish order, so the earlier one is answered by now.
  ASSERT_EQ(down_answered.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(down_answered.get());
  // "after" was published last, so once it is in nothing else can follow it.
  ASSERT_TRUE(b_inbox.WaitFor(
      [&] { return b_inbox.CountOn(ch) >= 2 && b_inbox.messages.back().second == "after"; }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_EQ(b_inbox.messages.front().second, "before");
  EXPECT_EQ(b_inbox.resubscribed.front(), std::vector<std::string>{ch});
}

TEST_F(RedisBusTest, SubscribeAndPublishBeforeRedisIsUpCompleteOnceItIs) {
  REQUIRE_REDIS(opts);  // the services are there, so redis-server is installed
  asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
  opts.port = probe.local_endpoint().port();
  probe.close();
  Inbox& a_inbox = NewInbox();
  Inbox& b_inbox = NewInbox();
  RedisBus& a = NewBus(opts, a_inbox);
  RedisBus& b = NewBus(opts, b_inbox);
  const std::string ch = Unique("early");
  auto subscribed = std::make_shared<std::promise<void>>();
  auto confirmed = subscribed->get_future();
  b.Subscribe(ch, [subscribed] { subscribed->set_value(); });
  EXPECT_EQ(confirmed.wait_for(200ms), std::future_status::timeout);  // nothing to confirm yet

  RedisProcess server(opts.port);
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(confirmed.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(PublishAndWait(a, ch, "first"), 1);
  ASSERT_TRUE(b_inbox.WaitFor([&] { return b_inbox.CountOn(ch) == 1; }));
  std::lock_guard lock(b_inbox.mu);
  EXPECT_TRUE(b_inbox.resubscribed.empty()) << "a first connection has no gap to report";
}

TEST_F(RedisBusTest, PublishFailsPastTheLimitOfUnansweredPublishes) {
  REQUIRE_REDIS(opts);
  opts.max_pending_publishes = 2;
  Inbox& inbox = NewInbox();
  RedisBus& bus = NewBus(opts, inbox);
  const std::string ch = Unique("limit");
  ASSERT_EQ(PublishAndWait(bus, ch, "warm-up"), 0);  // connected, nobody listens
  std::mutex mu;
  std::vector<bool> ok;  // in completion order
  std::promise<void> all_done;
  auto record = [&](Result<std::int64_t> r) {
    std::lock_guard lock(mu);
    ok.push_back(r.ok());
    if (ok.size() == 3) all_done.set_value();
  };
  // Posted from one handler on the only I/O thread, so no answer can be read in between.
  asio::post(io_, [&] {
    for (int i = 0; i < 3; ++i) bus.Publish(ch, "x", record);
  });
  ASSERT_EQ(all_done.get_future().wait_for(kDeadline), std::future_status::ready);
  std::lock_guard lock(mu);
  // The third fails at once, before Redis answers the first two.
  EXPECT_EQ(ok, (std::vector<bool>{false, true, true}));
}

TEST_F(RedisBusTest, PublishWaitsWhileRedisIsUnreachableAndFailsPastTheLimit) {
  // A port that was free a moment ago: nobody listens there.
  asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  RedisBusOptions opts;
  opts.port = port;
  opts.connect_timeout = 500ms;
  opts.max_pending_publishes = 1;
  Inbox& inbox = NewInbox();
  RedisBus& bus = NewBus(opts, inbox);
  auto first = std::make_shared<std::promise<bool>>();
  auto first_answered = first->get_future();
  bus.Publish("x", "held", [first](Result<std::int64_t> r) { first->set_value(r.ok()); });
  EXPECT_EQ(PublishAndWait(bus, "x", "one too many"), -1);
  // The first is still held for a Redis that may come back, not failed.
  EXPECT_EQ(first_answered.wait_for(0s), std::future_status::timeout);
}

}  // namespace
}  // namespace relayer::fanout
