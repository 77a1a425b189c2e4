// The developer dashboard over real HTTP: the page, the API's credentials, the sync log with its
// filters, the long-poll tail (woken by a commit, empty at the deadline, bounded), and the
// conversations view with every recipient's receipt state.
#include <chrono>
#include <thread>

#include "integration/test_server.h"

namespace relayer::it {
namespace {

class Dashboard : public ApiTest {
 protected:
  HttpResult Api(const std::string& path, std::string_view token = kPlatformToken,
                 HttpClient* via = nullptr) {
    Headers headers;
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + std::string(token)});
    HttpClient& c = via ? *via : client();
    return c.Send("GET", "/dashboard/api/" + server().app_uuid() + "/" + path, headers);
  }
  std::vector<std::string> Lines(const HttpResult& r) {
    std::vector<std::string> out;
    const json::value& logs = r.At("logs");
    if (!logs.is_array()) return out;
    for (const auto& e : logs.as_array()) out.emplace_back(e.at("line").as_string());
    return out;
  }
  int64_t LastSeq() {
    auto r = Api("logs?limit=1");
    EXPECT_EQ(r.status, 200) << Describe(r);
    return r.At("last_seq").is_int64() ? r.At("last_seq").as_int64() : -1;
  }
  static bool Contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
};

TEST_F(Dashboard, PageIsServedWholeWithNothingFromElsewhere) {
  auto r = client().Send("GET", "/dashboard");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_NE(r.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("/dashboard/api/"), std::string::npos);
  EXPECT_EQ(r.body.find("src=\"http"), std::string::npos);
  EXPECT_EQ(r.body.find("href=\"http"), std::string::npos);
  EXPECT_EQ(client().Send("POST", "/dashboard", {}, "x").status, 405);
}

TEST_F(Dashboard, ApiWantsThePlatformTokenOfThatApp) {
  auto none = Api("logs", "");
  EXPECT_EQ(none.status, 401) << Describe(none);
  EXPECT_EQ(none.ErrorId(), "authentication_required");
  auto basic = client().Send("GET", "/dashboard/api/" + server().app_uuid() + "/logs",
                             {{"Authorization", "Basic abc"}});
  EXPECT_EQ(basic.status, 401);
  auto wrong = Api("logs", "not-the-token");
  EXPECT_EQ(wrong.status, 403) << Describe(wrong);
  EXPECT_EQ(wrong.ErrorId(), "access_denied");
  const Headers good{{"Authorization", "Bearer " + std::string(kPlatformToken)}};
  auto other_app =
      client().Send("GET", "/dashboard/api/00000000-0000-4000-8000-000000000000/logs", good);
  EXPECT_EQ(other_app.status, 403);
  EXPECT_EQ(client().Send("GET", "/dashboard/api/not-an-app/logs", good).status, 403);
  auto layer_form = client().Send(
      "GET", "/dashboard/api/layer%3A%2F%2F%2Fapps%2Fstaging%2F" + server().app_uuid() + "/logs",
      good);
  EXPECT_EQ(layer_form.status, 200) << Describe(layer_form);
  EXPECT_EQ(Api("nothing-here").status, 404);
  auto post = client().Send("POST", "/dashboard/api/" + server().app_uuid() + "/logs", good, "");
  EXPECT_EQ(post.status, 405);
  // The Client API stays where it was.
  EXPECT_EQ(client().Send("GET", "/dashboards").status, 404);
}

TEST_F(Dashboard, LogsShowEveryActionInLayersWordsAndFilter) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  // The logins are stamped in an earlier millisecond than `start`, so `from=start` leaves them out.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const int64_t start = NowMs();
  std::string conv = CreateConversation(alice, {"bob"});
  json::object m = SendText(alice, conv, "hello");
  const std::string msg(m["id"].as_string());
  ASSERT_EQ(Post(bob, "/messages/" + Uuid(msg) + "/receipts", R"({"type":"read"})").status, 204);
  std::string other = CreateConversation(bob, {"carol"});
  SendText(bob, other, "hi carol");

  const std::string c = "layer:///conversations/" + conv;
  auto all = Api("logs");
  ASSERT_EQ(all.status, 200) << Describe(all);
  auto lines = Lines(all);
  EXPECT_TRUE(Contains(lines, "Sync: User alice created conversation " + c + ".")) << all.body;
  EXPECT_TRUE(Contains(lines, "Sync: User alice created a message in conversation " + c + "."));
  EXPECT_TRUE(Contains(lines, "Sync: User bob sent a read receipt for message " + msg +
                                  " in conversation " + c + "."));
  EXPECT_TRUE(Contains(lines, "Auth: User bob authenticated and started a session."));
  EXPECT_EQ(all.At("logs").as_array()[0].at("line").as_string(),
            "Sync: User bob created a message in conversation layer:///conversations/" + other +
                ".");  // newest first

  auto by_bob = Api("logs?user=bob");
  ASSERT_EQ(by_bob.status, 200);
  for (const auto& e : by_bob.At("logs").as_array()) EXPECT_EQ(e.at("actor").as_string(), "bob");
  EXPECT_EQ(Lines(by_bob).size(), 5u);  // identity, session, receipt, conversation, message

  auto in_conv = Api("logs?conversation=" + conv);
  ASSERT_EQ(in_conv.status, 200);
  EXPECT_EQ(Lines(in_conv).size(), 3u);
  auto in_conv_url = Api("logs?conversation=layer%3A%2F%2F%2Fconversations%2F" + conv);
  EXPECT_EQ(Lines(in_conv_url), Lines(in_conv));

  auto window = Api("logs?from=" + std::to_string(start) + "&to=1");  // to before from
  ASSERT_EQ(window.status, 200);
  EXPECT_TRUE(Lines(window).empty());
  auto since = Api("logs?from=" + std::to_string(start));
  EXPECT_EQ(Lines(since).size(), 5u);

  auto paged = Api("logs?limit=2");
  ASSERT_EQ(Lines(paged).size(), 2u);
  const int64_t second = paged.At("logs").as_array()[1].at("seq").as_int64();
  auto next = Api("logs?limit=2&before=" + std::to_string(second));
  ASSERT_EQ(Lines(next).size(), 2u);
  EXPECT_LT(next.At("logs").as_array()[0].at("seq").as_int64(), second);

  EXPECT_EQ(Api("logs?from=yesterday").status, 400);
  EXPECT_EQ(Api("logs?limit=-1").status, 400);
  EXPECT_EQ(Api("logs?conversation=nope").status, 400);
}

TEST_F(Dashboard, LongPollReturnsAsSoonAsAnActionCommits) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  const int64_t after = LastSeq();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    HttpClient other(server().port());
    other.Send("POST", "/conversations/" + conv + "/messages",
               {{"Accept", std::string(kAccept)},
                {"Authorization", "Layer session-token=\"" + alice + "\""},
                {"Content-Type", "application/json"}},
               R"({"parts":[{"mime_type":"text/plain","body":"live"}]})");
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Api("logs?after=" + std::to_string(after) + "&wait=20");
  const auto held = std::chrono::steady_clock::now() - t0;
  writer.join();
  ASSERT_EQ(r.status, 200) << Describe(r);
  ASSERT_EQ(Lines(r).size(), 1u) << r.body;
  EXPECT_EQ(
      Lines(r)[0],
      "Sync: User alice created a message in conversation layer:///conversations/" + conv + ".");
  EXPECT_GT(r.At("last_seq").as_int64(), after);
  EXPECT_LT(held, std::chrono::seconds(19));  // woken by the commit, not by the deadline
}

TEST_F(Dashboard, LongPollIsEmptyAtTheDeadlineAndIgnoresOtherUsers) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  const int64_t after = LastSeq();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    HttpClient other(server().port());
    other.Send("POST", "/conversations/" + conv + "/messages",
               {{"Accept", std::string(kAccept)},
                {"Authorization", "Layer session-token=\"" + alice + "\""},
                {"Content-Type", "application/json"}},
               R"({"parts":[{"mime_type":"text/plain","body":"not bob"}]})");
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Api("logs?user=bob&after=" + std::to_string(after) + "&wait=2");
  const auto held = std::chrono::steady_clock::now() - t0;
  writer.join();
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_TRUE(Lines(r).empty()) << r.body;
  EXPECT_EQ(r.At("last_seq").as_int64(), after);
  EXPECT_GE(held, std::chrono::milliseconds(1900));
}

TEST_F(Dashboard, StoppingTheServerWithAHeldLongPollIsClean) {
  const std::string tail = "logs?after=" + std::to_string(LastSeq()) + "&wait=25";
  HttpResult held;
  std::thread poller([&] {
    HttpClient mine(server().port());
    held = Api(tail, kPlatformToken, &mine);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server().Stop();  // destroys the waiting request mid-wait
  poller.join();
  EXPECT_EQ(held.status, 0);  // the connection closed without an answer
  server().Start();
  HttpClient fresh(server().port());
  EXPECT_EQ(Api("logs", kPlatformToken, &fresh).status, 200);
}

class DashboardLimits : public Dashboard {
 protected:
  void Configure(server::ServerConfig& c) const override {
    c.dashboard.max_wait_seconds = 1;
    c.dashboard.max_waiting = 1;
    c.dashboard.max_page_size = 3;
  }
};

TEST_F(DashboardLimits, WaitIsClampedAndPagesAreBounded) {
  std::string alice = Login("alice");
  std::string conv = CreateConversation(alice, {"bob"});
  for (int i = 0; i < 3; ++i) SendText(alice, conv, "m");
  EXPECT_EQ(Lines(Api("logs?limit=100")).size(), 3u);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Api("logs?after=" + std::to_string(LastSeq()) + "&wait=600");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Lines(r).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
}

TEST_F(DashboardLimits, HeldRequestsBeyondTheLimitGet429) {
  const int64_t after = LastSeq();
  const std::string tail = "logs?after=" + std::to_string(after) + "&wait=1";
  std::atomic<bool> stop{false};
  // One request held at all times (each for up to the 1 s maximum).
  std::thread holder([&] {
    HttpClient mine(server().port());
    while (!stop) Api(tail, kPlatformToken, &mine);
  });
  HttpResult busy;
  bool saw_429 = PollUntil(
      [&] {
        busy = Api(tail);
        return busy.status == 429;
      },
      20000);
  stop = true;
  holder.join();
  ASSERT_TRUE(saw_429) << Describe(busy);
  EXPECT_EQ(busy.ErrorId(), "rate_limit_exceeded");
  EXPECT_EQ(Api(tail).status, 200);  // nobody holds now
}

TEST_F(Dashboard, ConversationsShowEveryRecipientsReceiptState) {
  std::string alice = Login("alice");
  std::string bob = Login("bob");
  std::string carol = Login("carol");
  std::string conv = CreateConversation(alice, {"bob", "carol"});
  json::object m = SendText(alice, conv, "hello both");
  const std::string msg = Uuid(std::string(m["id"].as_string()));
  ASSERT_EQ(Post(bob, "/messages/" + msg + "/receipts", R"({"type":"read"})").status, 204);
  ASSERT_EQ(Post(carol, "/messages/" + msg + "/receipts", R"({"type":"delivery"})").status, 204);
  CreateConversation(bob, {"dave"});

  auto r = Api("conversations?user=carol");
  ASSERT_EQ(r.status, 200) << Describe(r);
  const auto& list = r.At("conversations").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& c = list[0].as_object();
  EXPECT_EQ(c.at("id").as_string(), "layer:///conversations/" + conv);
  EXPECT_EQ(c.at("participants").as_array().size(), 3u);
  const auto& message = c.at("messages").as_array().at(0).as_object();
  EXPECT_EQ(message.at("parts").as_array()[0].at("text").as_string(), "hello both");
  const auto& status = message.at("recipient_status").as_object();
  EXPECT_EQ(status.at("alice").as_string(), "read");
  EXPECT_EQ(status.at("bob").as_string(), "read");
  EXPECT_EQ(status.at("carol").as_string(), "delivered");

  auto all = Api("conversations");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.At("conversations").as_array().size(), 2u);
  EXPECT_EQ(Api("conversations?before=bad").status, 400);
  EXPECT_EQ(Api("conversations", "").status, 401);
}

class DashboardOff : public Dashboard {
 protected:
  void Configure(server::ServerConfig& c) const override { c.dashboard.enabled = false; }
};

TEST_F(DashboardOff, NothingIsServed) {
  EXPECT_EQ(client().Send("GET", "/dashboard").status, 404);
  EXPECT_EQ(Api("logs").status, 404);
}

}  // namespace
}  // namespace relayer::it
