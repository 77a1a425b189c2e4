// Platform API If-None-Match: a retried create answers with the first result, across restarts,
// until the key expires.
#include <chrono>
#include <thread>
#include <vector>

#include "integration/platform_fixture.h"

namespace relayer::it {
namespace {

class PlatformDedup : public PlatformTest {
 protected:
  HttpResult Create(const std::string& key) {
    return P("POST", "/conversations", R"({"participants":["alice","bob"],"distinct":false})",
             {{"If-None-Match", key}});
  }
};

constexpr const char* kKey = "5c0e5b8e-2a4c-4a0e-9d3e-0d6a3c1f2b7a";

TEST_F(PlatformDedup, RetriedConversationCreateReturnsTheFirst) {
  auto first = Create(kKey);
  ASSERT_EQ(first.status, 201) << Describe(first);
  auto retry = Create(kKey);
  EXPECT_EQ(retry.status, 201) << Describe(retry);
  EXPECT_EQ(retry.Str("id"), first.Str("id"));
  // Quoted (as Layer's docs send it) is the same key.
  auto quoted = Create(std::string("\"") + kKey + "\"");
  EXPECT_EQ(quoted.Str("id"), first.Str("id"));
  auto other = Create("6c0e5b8e-2a4c-4a0e-9d3e-0d6a3c1f2b7a");
  EXPECT_NE(other.Str("id"), first.Str("id"));
  EXPECT_EQ(P("GET", "/users/alice/conversations").Array().size(), 2u);
}

TEST_F(PlatformDedup, SurvivesARestart) {
  auto first = Create(kKey);
  ASSERT_EQ(first.status, 201);
  RestartServer();
  auto retry = Create(kKey);
  EXPECT_EQ(retry.Str("id"), first.Str("id"));
  EXPECT_EQ(P("GET", "/users/alice/conversations").Array().size(), 1u);
}

TEST_F(PlatformDedup, MessagesAndAnnouncementsAreDeduplicated) {
  std::string conv = PlatformConversation({"alice"});
  const std::string body =
      R"({"sender":{"name":"S"},"parts":[{"body":"x","mime_type":"text/plain"}]})";
  auto a = P("POST", "/conversations/" + conv + "/messages", body, {{"If-None-Match", kKey}});
  auto b = P("POST", "/conversations/" + conv + "/messages", body, {{"If-None-Match", kKey}});
  ASSERT_EQ(a.status, 201) << Describe(a);
  EXPECT_EQ(b.Str("id"), a.Str("id"));
  EXPECT_EQ(P("GET", "/conversations/" + conv + "/messages").Array().size(), 1u);
  const std::string ann =
      R"({"recipients":["alice"],"sender":{"name":"S"},"parts":[{"body":"x","mime_type":"text/plain"}]})";
  const std::string key2 = "7c0e5b8e-2a4c-4a0e-9d3e-0d6a3c1f2b7a";
  auto c = P("POST", "/announcements", ann, {{"If-None-Match", key2}});
  auto d = P("POST", "/announcements", ann, {{"If-None-Match", key2}});
  ASSERT_EQ(c.status, 202) << Describe(c);
  EXPECT_EQ(d.status, 202);
  EXPECT_EQ(d.Str("id"), c.Str("id"));
  std::string alice = Login("alice");
  EXPECT_EQ(Get(alice, "/announcements").Array().size(), 1u);
}

TEST_F(PlatformDedup, AFailedCreateIsNotRemembered) {
  auto bad = P("POST", "/conversations", R"({"participants":[]})", {{"If-None-Match", kKey}});
  EXPECT_EQ(bad.status, 422);
  auto good = Create(kKey);
  EXPECT_EQ(good.status, 201) << Describe(good);
}

TEST_F(PlatformDedup, AKeyThatIsNoUuidIs406) {
  auto r = Create("not-a-uuid");
  EXPECT_EQ(r.status, 406) << Describe(r);
  EXPECT_EQ(r.ErrorId(), "invalid_header");
}

TEST_F(PlatformDedup, ConcurrentRetriesCreateOnce) {
  constexpr int kThreads = 6;
  std::vector<HttpResult> results(kThreads);
  std::vector<std::thread> threads;
  const std::string target = "/apps/" + server().app_uuid() + "/conversations";
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server().port());
      results[i] = c.Send("POST", target,
                          {{"Accept", std::string(kPlatformAccept)},
                           {"Authorization", "Bearer " + std::string(kPlatformToken)},
                           {"Content-Type", "application/json"},
                           {"If-None-Match", kKey}},
                          std::string(R"({"participants":["alice"],"distinct":false})"));
    });
  }
  for (auto& t : threads) t.join();
  std::string id;
  for (const auto& r : results) {
    if (r.status == 409) continue;  // its twin was still running
    ASSERT_EQ(r.status, 201) << Describe(r);
    if (id.empty()) id = r.Str("id");
    EXPECT_EQ(r.Str("id"), id);
  }
  EXPECT_EQ(P("GET", "/users/alice/conversations").Array().size(), 1u);
}

class PlatformDedupExpiry : public PlatformDedup {
  void Configure(server::ServerConfig& c) const override { c.platform_dedup_ttl_seconds = 1; }
};

TEST_F(PlatformDedupExpiry, AnExpiredKeyCreatesAgain) {
  auto first = Create(kKey);
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(Create(kKey).Str("id"), first.Str("id"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto later = Create(kKey);
  EXPECT_EQ(later.status, 201);
  EXPECT_NE(later.Str("id"), first.Str("id"));
}

}  // namespace
}  // namespace relayer::it
