// Stop the server, start a new one on the same data folder: everything acknowledged is there.
#include <thread>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Durability : public ApiTest {
 protected:
  // The answer's JSON with this server's base URL taken out (the port changes on restart).
  std::string Normalized(const HttpResult& r) {
    std::string s = json::serialize(r.json);
    std::string base = "http://127.0.0.1:" + std::to_string(server().port());
    for (size_t pos; (pos = s.find(base)) != std::string::npos;)
      s.replace(pos, base.size(), "BASE");
    return s;
  }
};

TEST_F(Durability, EverythingAcknowledgedSurvivesRestart) {
  std::string alice = Login("alice", [](server::IdentityClaims& c) { c.display_name = "Alice"; });
  std::string bob = Login("bob");
  std::string carol = Login("carol");
  std::string ended = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"}, true, R"({"title":"Before"})");
  std::string other = CreateConversation(bob, {"carol"}, false);
  std::vector<std::string> msgs;
  for (int i = 0; i < 5; ++i)
    msgs.push_back(Uuid(SendText(alice, conv, "m" + std::to_string(i))["id"].as_string()));
  auto b64 = Post(bob, "/conversations/" + conv + "/messages",
                  R"({"parts":[{"mime_type":"image/png","body":"AAEC","encoding":"base64"}],)"
                  R"("notification":{"text":"Bob sent a picture"}})");
  ASSERT_EQ(b64.status, 201) << Describe(b64);
  ASSERT_EQ(Post(bob, "/messages/" + msgs[0] + "/receipts", R"({"type":"read"})").status, 204);
  ASSERT_EQ(Post(bob, "/messages/" + msgs[1] + "/receipts", R"({"type":"delivery"})").status, 204);
  ASSERT_EQ(Patch(alice, "/conversations/" + conv,
                  R"([{"operation":"set","property":"metadata.title","value":"After"},)"
                  R"({"operation":"add","property":"participants","id":"carol"}])")
                .status,
            204);
  ASSERT_EQ(Delete(alice, "/messages/" + msgs[4] + "?mode=all_participants").status, 204);
  ASSERT_EQ(Delete(bob, "/messages/" + msgs[3] + "?mode=my_devices").status, 204);
  ASSERT_EQ(Call("DELETE", "/sessions/" + ended, "").status, 204);
  std::string pending_nonce = NewNonce();

  struct Snapshot {
    std::string token, target, json;
  };
  std::vector<Snapshot> before;
  for (const auto& [token, target] : std::vector<std::pair<std::string, std::string>>{
           {alice, "/conversations/" + conv},
           {bob, "/conversations/" + conv},
           {carol, "/conversations/" + conv},
           {bob, "/conversations/" + other},
           {alice, "/conversations"},
           {bob, "/conversations?sort_by=last_message"},
           {alice, "/conversations/" + conv + "/messages"},
           {bob, "/conversations/" + conv + "/messages"},
           {alice, "/messages/" + msgs[0]},
           {alice, "/messages/" + msgs[1]},
           {bob, "/messages/" + Uuid(b64.Str("id"))},
           {alice, "/identities/alice"},
       }) {
    auto r = Get(token, target);
    ASSERT_EQ(r.status, 200) << target << ": " << Describe(r);
    before.push_back({token, target, Normalized(r)});
  }

  RestartServer();

  for (const auto& s : before) {
    auto r = Get(s.token, s.target);
    ASSERT_EQ(r.status, 200) << s.target << " after restart: " << Describe(r);
    EXPECT_EQ(Normalized(r), s.json) << s.target;
  }
  // Spot checks of what the snapshots hold, so a restart that lost both sides cannot pass.
  auto c = GetConversation(alice, conv);
  EXPECT_EQ(c["metadata"].as_object().at("title"), "After");
  EXPECT_EQ(c["participants"].as_array().size(), 3u);
  EXPECT_EQ(c["total_message_count"], 5);
  EXPECT_EQ(
      GetMessage(alice, msgs[0])["recipient_status"].as_object().at("layer:///identities/bob"),
      "read");
  EXPECT_EQ(Get(alice, "/messages/" + msgs[4]).status, 404);
  EXPECT_EQ(Get(bob, "/messages/" + msgs[3]).status, 404);
  EXPECT_EQ(Get(alice, "/messages/" + msgs[3]).status, 200);
  EXPECT_EQ(Get(ended, "/conversations").status, 401);
  // Positions continue, the nonce issued before the restart is still good once.
  EXPECT_EQ(SendText(carol, conv, "after restart")["position"], 7);
  auto session = StartSession(SignToken(ValidClaims(server(), "dave", pending_nonce)));
  EXPECT_EQ(session.status, 201) << Describe(session);
  auto reuse = StartSession(SignToken(ValidClaims(server(), "dave", pending_nonce)));
  EXPECT_EQ(reuse.status, 422) << Describe(reuse);
}

TEST_F(Durability, DistinctSetSurvivesRestart) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string conv = CreateConversation(alice, {"bob"}, true);
  RestartServer();
  auto again = Post(bob, "/conversations", R"({"participants":["alice"],"distinct":true})");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(Uuid(again.Str("id")), conv);
}

TEST_F(Durability, BurstOfAcknowledgedWritesFromManyClientsSurvivesRestart) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::vector<std::string>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server().port());
      for (int i = 0; i < kEach; ++i) {
        std::string body = R"({"parts":[{"mime_type":"text/plain","body":"t)" + std::to_string(t) +
                           "-" + std::to_string(i) + "\"}]}";
        auto r = c.Send("POST", "/conversations/" + conv + "/messages",
                        {{"Accept", std::string(kAccept)},
                         {"Authorization", "Layer session-token=\"" + alice + "\""},
                         {"Content-Type", "application/json"}},
                        body);
        if (r.status == 201) acked[t].push_back(Uuid(r.Str("id")));
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t total = 0;
  for (const auto& a : acked) total += a.size();
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kEach));
  RestartServer();
  for (const auto& a : acked) {
    for (const auto& id : a) EXPECT_EQ(Get(alice, "/messages/" + id).status, 200) << id;
  }
  EXPECT_EQ(GetConversation(alice, conv)["total_message_count"], static_cast<int64_t>(total));
}

}  // namespace
}  // namespace relayer::it
