// Many clients at the same moment: distinct creates merge, positions stay unique and contiguous,
// no update is lost, a nonce is consumed once.
#include <algorithm>
#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Concurrency : public ApiTest {
 protected:
  // Runs fn(thread index, its own client) on `n` threads released together.
  void RunTogether(int n, const std::function<void(int, HttpClient&)>& fn) {
    std::latch ready(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        HttpClient c(server().port());
        c.Send("HEAD", "/ping");  // connect before the start line
        ready.arrive_and_wait();
        fn(i, c);
      });
    }
    for (auto& t : threads) t.join();
  }
  static HttpResult As(HttpClient& c, const std::string& token, const std::string& method,
                       const std::string& target, std::optional<std::string> body = std::nullopt,
                       const std::string& type = "application/json") {
    Headers h{{"Accept", std::string(kAccept)},
              {"Authorization", "Layer session-token=\"" + token + "\""}};
    if (body) h.emplace_back("Content-Type", type);
    return c.Send(method, target, h, std::move(body));
  }
};

TEST_F(Concurrency, SimultaneousDistinctCreatesOfOneSetEndWithOneConversation) {
  const std::vector<std::string> users{"alice", "bob", "carol"};
  std::vector<std::string> tokens;
  for (const auto& u : users) tokens.push_back(Login(u));
  constexpr int kThreads = 8;
  for (int round = 0; round < 4; ++round) {
    // Each round a fresh set: the three users plus a round-specific fourth.
    std::string extra = "guest" + std::to_string(round);
    std::vector<HttpResult> results(kThreads);
    RunTogether(kThreads, [&](int i, HttpClient& c) {
      size_t who = static_cast<size_t>(i) % users.size();
      json::array participants{json::value(IdentityId(extra))};
      for (size_t u = 0; u < users.size(); ++u) {
        if (u != who) participants.emplace_back(i % 2 ? IdentityId(users[u]) : users[u]);
      }
      json::object body{{"participants", participants}, {"distinct", true}};
      results[i] = As(c, tokens[who], "POST", "/conversations", json::serialize(body));
    });
    std::set<std::string> ids;
    int created = 0;
    for (const auto& r : results) {
      EXPECT_TRUE(r.status == 201 || r.status == 200) << "round " << round << ": " << Describe(r);
      if (r.status == 201) ++created;
      ids.insert(r.Str("id"));
    }
    EXPECT_EQ(ids.size(), 1u) << "round " << round << " made several conversations";
    EXPECT_EQ(created, 1) << "round " << round;
  }
  for (const auto& t : tokens) {
    EXPECT_EQ(Get(t, "/conversations").Header("Layer-Count"), "4");
  }
}

TEST_F(Concurrency, SimultaneousMessagesGetUniqueContiguousPositions) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"});
  constexpr int kThreads = 8, kEach = 10;
  std::vector<std::vector<int64_t>> positions(kThreads);
  std::atomic<int> failures{0};
  RunTogether(kThreads, [&](int i, HttpClient& c) {
    const std::string& token = i % 2 ? bob : alice;
    for (int k = 0; k < kEach; ++k) {
      auto r = As(c, token, "POST", "/conversations/" + conv + "/messages",
                  R"({"parts":[{"mime_type":"text/plain","body":"x"}]})");
      if (r.status != 201 || !r.At("position").is_int64()) {
        ++failures;
        continue;
      }
      positions[i].push_back(r.At("position").as_int64());
    }
  });
  EXPECT_EQ(failures.load(), 0);
  std::vector<int64_t> all;
  for (const auto& p : positions) {
    EXPECT_TRUE(std::is_sorted(p.begin(), p.end())) << "one client's messages out of order";
    all.insert(all.end(), p.begin(), p.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(kThreads * kEach);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i) + 1;
  EXPECT_EQ(all, expected);
  auto c = GetConversation(alice, conv);
  EXPECT_EQ(c["total_message_count"], kThreads * kEach);
  EXPECT_EQ(c["last_message"].as_object().at("position"), kThreads * kEach);
  // Each user's unread count is exactly what the other sent.
  EXPECT_EQ(GetConversation(bob, conv)["unread_message_count"], kThreads / 2 * kEach);
  EXPECT_EQ(c["unread_message_count"], kThreads / 2 * kEach);
}

TEST_F(Concurrency, SimultaneousReadReceiptsLeaveExactUnreadCount) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"});
  std::vector<std::string> msgs;
  for (int i = 0; i < 24; ++i) msgs.push_back(Uuid(SendText(alice, conv, "m")["id"].as_string()));
  // 8 threads: each reads 3 messages, and every message also gets a concurrent delivery receipt.
  RunTogether(8, [&](int i, HttpClient& c) {
    for (int k = 0; k < 3; ++k) {
      const std::string& m = msgs[static_cast<size_t>(i * 3 + k)];
      As(c, bob, "POST", "/messages/" + m + "/receipts", R"({"type":"read"})");
      As(c, bob, "POST",
         "/messages/" + msgs[static_cast<size_t>((i * 3 + k + 5) % 24)] + "/receipts",
         R"({"type":"delivery"})");
    }
  });
  EXPECT_EQ(GetConversation(bob, conv)["unread_message_count"], 0);
  for (const auto& m : msgs) {
    EXPECT_EQ(GetMessage(alice, m)["recipient_status"].as_object().at("layer:///identities/bob"),
              "read");
  }
}

TEST_F(Concurrency, SimultaneousParticipantAddsAreAllKept) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"});
  RunTogether(8, [&](int i, HttpClient& c) {
    std::string ops = R"([{"operation":"add","property":"participants","id":"user)" +
                      std::to_string(i) + R"("},{"operation":"set","property":"metadata.k)" +
                      std::to_string(i) + R"(","value":"v"}])";
    auto r =
        As(c, i % 2 ? bob : alice, "PATCH", "/conversations/" + conv, ops, std::string(kPatchType));
    EXPECT_EQ(r.status, 204) << Describe(r);
  });
  auto c = GetConversation(alice, conv);
  EXPECT_EQ(c["participants"].as_array().size(), 10u) << json::serialize(c["participants"]);
  EXPECT_EQ(c["metadata"].as_object().size(), 8u) << json::serialize(c["metadata"]);
}

TEST_F(Concurrency, OneNonceStartsOneSessionUnderRace) {
  std::string nonce = NewNonce();
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i)
    tokens.push_back(SignToken(ValidClaims(server(), "u" + std::to_string(i), nonce)));
  std::atomic<int> created{0}, rejected{0};
  RunTogether(8, [&](int i, HttpClient& c) {
    json::object body{{"identity_token", tokens[static_cast<size_t>(i)]},
                      {"app_id", server().app_id()}};
    auto r = c.Send("POST", "/sessions",
                    {{"Accept", std::string(kAccept)}, {"Content-Type", "application/json"}},
                    json::serialize(body));
    if (r.status == 201) ++created;
    if (r.status == 422) ++rejected;
  });
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(rejected.load(), 7);
}

TEST_F(Concurrency, ManyClientsLogInAtOnce) {
  std::atomic<int> ok{0};
  RunTogether(8, [&](int i, HttpClient& c) {
    auto n = c.Send("POST", "/nonces", {{"Accept", std::string(kAccept)}});
    auto claims = ValidClaims(server(), "user" + std::to_string(i), n.Str("nonce"));
    json::object body{{"identity_token", SignToken(claims)}, {"app_id", server().app_id()}};
    auto s = c.Send("POST", "/sessions",
                    {{"Accept", std::string(kAccept)}, {"Content-Type", "application/json"}},
                    json::serialize(body));
    if (s.status != 201) return;
    auto list = As(c, s.Str("session_token"), "GET", "/conversations");
    if (list.status == 200) ++ok;
  });
  EXPECT_EQ(ok.load(), 8);
}

}  // namespace
}  // namespace relayer::it
